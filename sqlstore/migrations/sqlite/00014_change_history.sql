-- +goose Up
-- A target keeps every change request it had as its history, and has at
-- most one open at a time: after a merged change is reverted, or one was
-- merged without removing every use, or the owners closed one, escalating
-- again opens a new one on a new branch. targets.change_request_id links
-- the last. A change request that Tandem merged records the head it made.
-- SQLite drops a table's UNIQUE constraint only by copying the table.
CREATE TABLE change_requests_new (
    id           INTEGER PRIMARY KEY,
    migration    TEXT NOT NULL,
    codebase     TEXT NOT NULL,
    branch       TEXT NOT NULL,
    commit_id    TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    state        TEXT NOT NULL,
    url          TEXT NOT NULL DEFAULT '',
    approved_by  TEXT NOT NULL DEFAULT '',
    approved_at  TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    merged_at    TIMESTAMP,
    checked_at   TIMESTAMP,
    merge_commit TEXT NOT NULL DEFAULT ''
);
INSERT INTO change_requests_new (id, migration, codebase, branch, commit_id, title, body, state, url,
        approved_by, approved_at, created_at, merged_at, checked_at)
    SELECT id, migration, codebase, branch, commit_id, title, body, state, url,
        approved_by, approved_at, created_at, merged_at, checked_at FROM change_requests;
DROP TABLE change_requests;
ALTER TABLE change_requests_new RENAME TO change_requests;
CREATE INDEX change_requests_target ON change_requests (migration, codebase);
CREATE UNIQUE INDEX change_requests_open ON change_requests (migration, codebase) WHERE state = 'open';

-- A target whose ticketed change request was merged or closed is back on
-- its ticket: until now it stayed pr-open for good.
UPDATE targets SET state = 'ticketed'
    WHERE state = 'pr-open' AND ticket_id IS NOT NULL
      AND change_request_id IN (SELECT id FROM change_requests WHERE state <> 'open');

-- +goose Down
DELETE FROM change_requests
    WHERE id NOT IN (SELECT MAX(id) FROM change_requests GROUP BY migration, codebase);
CREATE TABLE change_requests_old (
    id          INTEGER PRIMARY KEY,
    migration   TEXT NOT NULL,
    codebase    TEXT NOT NULL,
    branch      TEXT NOT NULL,
    commit_id   TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    state       TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    approved_by TEXT NOT NULL DEFAULT '',
    approved_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    merged_at   TIMESTAMP,
    checked_at  TIMESTAMP,
    UNIQUE (migration, codebase)
);
INSERT INTO change_requests_old (id, migration, codebase, branch, commit_id, title, body, state, url,
        approved_by, approved_at, created_at, merged_at, checked_at)
    SELECT id, migration, codebase, branch, commit_id, title, body, state, url,
        approved_by, approved_at, created_at, merged_at, checked_at FROM change_requests;
DROP TABLE change_requests;
ALTER TABLE change_requests_old RENAME TO change_requests;
