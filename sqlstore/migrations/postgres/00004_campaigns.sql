-- +goose Up
-- tickets are the built-in tracker's tickets, and tickets adopted from
-- other trackers: at most one per (migration, team, codebase), codebase
-- being '' for per-team tickets.
CREATE TABLE tickets (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracker        TEXT NOT NULL,
    migration      TEXT NOT NULL,
    team           TEXT NOT NULL,
    codebase       TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    state          TEXT NOT NULL,
    url            TEXT NOT NULL DEFAULT '',
    marker         TEXT NOT NULL,
    nudges         INTEGER NOT NULL DEFAULT 0,
    last_nudged_at TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    -- topic sets apart tickets that are not a campaign's: support-change/ID
    topic          TEXT NOT NULL DEFAULT '',
    closed_at      TIMESTAMPTZ,
    UNIQUE (migration, team, codebase, topic)
);

CREATE TABLE ticket_comments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id);

-- change_requests are the changes the platform team proposed: built-in on
-- local code hosts, or adopted pull requests. One per (migration, codebase).
CREATE TABLE change_requests (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration  TEXT NOT NULL,
    codebase   TEXT NOT NULL,
    branch     TEXT NOT NULL,
    commit_id  TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    state      TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    approved_by TEXT NOT NULL DEFAULT '',
    approved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    merged_at  TIMESTAMPTZ,
    UNIQUE (migration, codebase)
);

-- engagements are people moved between teams; campaigns propose Tours of
-- Duty for stragglers whose codebase is closed to outside changes.
CREATE TABLE engagements (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type       TEXT NOT NULL,
    state      TEXT NOT NULL,
    home_team  TEXT NOT NULL,
    host_team  TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    migration  TEXT NOT NULL DEFAULT '',
    codebase   TEXT NOT NULL DEFAULT '',
    starts_on  TEXT NOT NULL DEFAULT '',
    ends_on    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX engagements_target ON engagements (migration, codebase) WHERE migration <> '';

ALTER TABLE codebases ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE teams ADD COLUMN chat TEXT NOT NULL DEFAULT 'null';
ALTER TABLE codebase_policies ADD COLUMN auto_merge BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE targets ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN ticket_id BIGINT;
ALTER TABLE targets ADD COLUMN change_request_id BIGINT;
ALTER TABLE targets ADD COLUMN exemption TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN exempt_from TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN error TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN ticketed_at TIMESTAMPTZ;
ALTER TABLE targets ADD COLUMN pr_opened_at TIMESTAMPTZ;

-- Pages list a team's targets of a migration.
CREATE INDEX targets_team_state ON targets (migration, team, state);

-- +goose Down
DROP INDEX targets_team_state;
ALTER TABLE targets DROP COLUMN pr_opened_at;
ALTER TABLE targets DROP COLUMN ticketed_at;
ALTER TABLE targets DROP COLUMN error;
ALTER TABLE targets DROP COLUMN exempt_from;
ALTER TABLE targets DROP COLUMN exemption;
ALTER TABLE targets DROP COLUMN change_request_id;
ALTER TABLE targets DROP COLUMN ticket_id;
ALTER TABLE targets DROP COLUMN team;
DROP TABLE engagements;
ALTER TABLE codebases DROP COLUMN location;
ALTER TABLE teams DROP COLUMN chat;
ALTER TABLE codebase_policies DROP COLUMN auto_merge;
DROP TABLE change_requests;
DROP TABLE ticket_comments;
DROP TABLE tickets;
