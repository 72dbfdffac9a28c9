-- +goose Up
-- A Codebase document names its codebase in any case: one document per
-- name without case, found by it. Where it was declared is kept, to say
-- where a document that matches no discovered codebase is.
ALTER TABLE codebase_policies ADD COLUMN declared_file TEXT NOT NULL DEFAULT '';
ALTER TABLE codebase_policies ADD COLUMN declared_line INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX codebase_policies_lower_name ON codebase_policies (LOWER(name));
CREATE INDEX codebases_lower_name ON codebases (LOWER(name));

-- A target not ticketed yet is unowned from the scan that finds it on a
-- codebase without owner, and pending on one with an owner.
UPDATE targets SET state = 'unowned'
    WHERE state = 'pending' AND ticket_id IS NULL
      AND codebase IN (SELECT name FROM codebases WHERE owner IS NULL);
UPDATE targets SET state = 'pending'
    WHERE state = 'unowned' AND ticket_id IS NULL
      AND codebase IN (SELECT name FROM codebases WHERE owner IS NOT NULL);

-- +goose Down
DROP INDEX codebases_lower_name;
DROP INDEX codebase_policies_lower_name;
ALTER TABLE codebase_policies DROP COLUMN declared_line;
ALTER TABLE codebase_policies DROP COLUMN declared_file;
