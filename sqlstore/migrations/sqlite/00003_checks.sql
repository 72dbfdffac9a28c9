-- +goose Up
-- migrations are the Migration documents: campaigns a platform drives.
CREATE TABLE migrations (
    name       TEXT PRIMARY KEY,
    platform   TEXT NOT NULL,
    spec_json  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- check_results are the current result of every active check on every
-- codebase, with the commit and check digest they were computed for.
CREATE TABLE check_results (
    codebase   TEXT NOT NULL,
    check_id   TEXT NOT NULL,
    digest     TEXT NOT NULL,
    commit_id  TEXT NOT NULL,
    holds      BOOLEAN NOT NULL,
    evidence   TEXT NOT NULL DEFAULT '[]',
    error      TEXT NOT NULL DEFAULT '',
    checked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (codebase, check_id)
);
CREATE INDEX check_results_check ON check_results (check_id, holds);

-- check_history has a row each time a check's result on a codebase
-- changes (or first appears): the source of trends.
CREATE TABLE check_history (
    id         INTEGER PRIMARY KEY,
    codebase   TEXT NOT NULL,
    check_id   TEXT NOT NULL,
    commit_id  TEXT NOT NULL,
    holds      BOOLEAN NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX check_history_check ON check_history (check_id, changed_at);

-- targets are the codebases a migration must change, and how far each is.
CREATE TABLE targets (
    migration  TEXT NOT NULL,
    codebase   TEXT NOT NULL,
    state      TEXT NOT NULL,
    evidence   TEXT NOT NULL DEFAULT '[]',
    commit_id  TEXT NOT NULL,
    found_at   TIMESTAMP NOT NULL,
    done_at    TIMESTAMP,
    PRIMARY KEY (migration, codebase)
);

-- bytes counts the file content a scan read, for progress.
ALTER TABLE scans ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scan_codebases ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE scan_codebases DROP COLUMN bytes;
ALTER TABLE scans DROP COLUMN bytes;
DROP TABLE targets;
DROP TABLE check_history;
DROP TABLE check_results;
DROP TABLE migrations;
