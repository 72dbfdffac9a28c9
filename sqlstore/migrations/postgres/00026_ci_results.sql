-- +goose Up
-- A ci token is bound to the one codebase it may push results for.
ALTER TABLE tokens ADD COLUMN codebase TEXT NOT NULL DEFAULT '';

-- source says who evaluated a current result: '' the server's scan, 'ci'
-- a CI job that pushed it. A scan replaces only its own.
ALTER TABLE check_results ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- pushed_results keeps every result CI pushed, current or not: those of
-- a commit other than the codebase's head are history only.
CREATE TABLE pushed_results (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codebase   TEXT NOT NULL,
    check_id   TEXT NOT NULL,
    digest     TEXT NOT NULL,
    commit_id  TEXT NOT NULL,
    holds      BOOLEAN NOT NULL,
    evidence   TEXT NOT NULL DEFAULT '[]',
    error      TEXT NOT NULL DEFAULT '',
    pushed_by  TEXT NOT NULL,
    pushed_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX pushed_results_codebase ON pushed_results (codebase, commit_id);

-- +goose Down
DROP TABLE pushed_results;
ALTER TABLE check_results DROP COLUMN source;
ALTER TABLE tokens DROP COLUMN codebase;
