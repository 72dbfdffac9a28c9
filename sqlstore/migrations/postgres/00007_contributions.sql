-- +goose Up
-- contributions are changes sent to codebases by people outside their
-- owner team; trust_grants are the commit bits granted on the trust ladder.
CREATE TABLE contributions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codebase    TEXT NOT NULL,
    author      TEXT NOT NULL,
    team        TEXT NOT NULL,
    title       TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,
    opened_at   TIMESTAMPTZ NOT NULL,
    reviewed_at TIMESTAMPTZ,
    merged_at   TIMESTAMPTZ
);
CREATE INDEX contributions_codebase ON contributions (codebase, author);

CREATE TABLE trust_grants (
    codebase   TEXT NOT NULL,
    person     TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (codebase, person)
);

ALTER TABLE platforms ADD COLUMN trust_ladder INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE platforms DROP COLUMN trust_ladder;
DROP TABLE trust_grants;
DROP TABLE contributions;
