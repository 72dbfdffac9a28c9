-- +goose Up
-- requests are what product teams ask platform teams for.
CREATE TABLE requests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type         TEXT NOT NULL,
    from_team    TEXT NOT NULL,
    platform     TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    size         TEXT NOT NULL,
    needed_by    TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    pattern      TEXT NOT NULL DEFAULT '',
    links        TEXT NOT NULL DEFAULT '[]',
    created_by   TEXT NOT NULL DEFAULT '',
    updated_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    responded_at TIMESTAMPTZ,
    accepted_at  TIMESTAMPTZ,
    done_at      TIMESTAMPTZ
);
CREATE INDEX requests_platform ON requests (platform, state);

ALTER TABLE engagements ADD COLUMN person TEXT NOT NULL DEFAULT '';
ALTER TABLE engagements ADD COLUMN platform TEXT NOT NULL DEFAULT '';
ALTER TABLE engagements ADD COLUMN phase TEXT NOT NULL DEFAULT '';

-- work_logs are the hours an engaged person spent, by category; the same
-- entry logged twice is refused.
CREATE TABLE work_logs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id BIGINT NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    day           TEXT NOT NULL,
    hours         DOUBLE PRECISION NOT NULL,
    category      TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    logged_by     TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (engagement_id, day, category, note)
);

-- sessions are office hours and community-of-practice meetings.
CREATE TABLE sessions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    host       TEXT NOT NULL,
    attendees  TEXT NOT NULL DEFAULT '{}',
    questions  TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL
);

-- support_changes are announced changes of a platform's support model.
CREATE TABLE support_changes (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform     TEXT NOT NULL,
    from_model   TEXT NOT NULL,
    to_model     TEXT NOT NULL,
    announcement TEXT NOT NULL,
    effective    TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    applied_at   TIMESTAMPTZ
);

ALTER TABLE platforms ADD COLUMN support_notice TEXT NOT NULL DEFAULT '';
ALTER TABLE platforms ADD COLUMN community TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE platforms DROP COLUMN community;
ALTER TABLE platforms DROP COLUMN support_notice;
DROP TABLE support_changes;
DROP TABLE sessions;
DROP TABLE work_logs;
ALTER TABLE engagements DROP COLUMN phase;
ALTER TABLE engagements DROP COLUMN platform;
ALTER TABLE engagements DROP COLUMN person;
DROP TABLE requests;
