-- +goose Up
-- A target keeps every change request it had as its history, and has at
-- most one open at a time: after a merged change is reverted, or one was
-- merged without removing every use, or the owners closed one, escalating
-- again opens a new one on a new branch. targets.change_request_id links
-- the last. A change request that Tandem merged records the head it made.
ALTER TABLE change_requests DROP CONSTRAINT change_requests_migration_codebase_key;
CREATE INDEX change_requests_target ON change_requests (migration, codebase);
CREATE UNIQUE INDEX change_requests_open ON change_requests (migration, codebase) WHERE state = 'open';
ALTER TABLE change_requests ADD COLUMN merge_commit TEXT NOT NULL DEFAULT '';

-- A target whose ticketed change request was merged or closed is back on
-- its ticket: until now it stayed pr-open for good.
UPDATE targets SET state = 'ticketed'
    WHERE state = 'pr-open' AND ticket_id IS NOT NULL
      AND change_request_id IN (SELECT id FROM change_requests WHERE state <> 'open');

-- +goose Down
ALTER TABLE change_requests DROP COLUMN merge_commit;
DROP INDEX change_requests_open;
DROP INDEX change_requests_target;
DELETE FROM change_requests c
    WHERE id NOT IN (SELECT MAX(id) FROM change_requests GROUP BY migration, codebase);
ALTER TABLE change_requests ADD CONSTRAINT change_requests_migration_codebase_key UNIQUE (migration, codebase);
