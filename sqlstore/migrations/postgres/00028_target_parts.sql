-- +goose Up
-- A target is a codebase, or one owned part of it: the paths a team owns
-- by a narrower CODEOWNERS rule or Backstage entity (part = the team's
-- name), or that such a rule leaves without a known team ('(unowned)').
-- Part '' is the codebase as a whole, as every target was before.
ALTER TABLE targets ADD COLUMN part TEXT NOT NULL DEFAULT '';
ALTER TABLE targets DROP CONSTRAINT targets_pkey;
ALTER TABLE targets ADD PRIMARY KEY (migration, codebase, part);
DROP INDEX targets_state_codebase;
DROP INDEX targets_team_codebase;
DROP INDEX targets_team_state_codebase;
CREATE INDEX targets_state_codebase ON targets (migration, state, codebase, part);
CREATE INDEX targets_team_codebase ON targets (migration, team, codebase, part);
CREATE INDEX targets_team_state_codebase ON targets (migration, team, state, codebase, part);

-- A change request is one owner's shard of a fix: the part it is for, the
-- files it changes, the reviewers it asked, and the last review routing
-- step it took.
ALTER TABLE change_requests ADD COLUMN part TEXT NOT NULL DEFAULT '';
ALTER TABLE change_requests ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
ALTER TABLE change_requests ADD COLUMN reviewers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE change_requests ADD COLUMN review_step TEXT NOT NULL DEFAULT '';
ALTER TABLE change_requests ADD COLUMN review_step_at TIMESTAMPTZ;

-- A part has at most one open change request, as a codebase had.
DROP INDEX change_requests_open;
DROP INDEX change_requests_target;
CREATE INDEX change_requests_target ON change_requests (migration, codebase, part);
CREATE UNIQUE INDEX change_requests_open ON change_requests (migration, codebase, part) WHERE state = 'open';

-- +goose Down
DROP INDEX change_requests_open;
DROP INDEX change_requests_target;
DELETE FROM change_requests WHERE part <> '';
CREATE INDEX change_requests_target ON change_requests (migration, codebase);
CREATE UNIQUE INDEX change_requests_open ON change_requests (migration, codebase) WHERE state = 'open';
ALTER TABLE change_requests DROP COLUMN review_step_at;
ALTER TABLE change_requests DROP COLUMN review_step;
ALTER TABLE change_requests DROP COLUMN reviewers;
ALTER TABLE change_requests DROP COLUMN files;
ALTER TABLE change_requests DROP COLUMN part;
DELETE FROM targets WHERE part <> '';
DROP INDEX targets_team_state_codebase;
DROP INDEX targets_team_codebase;
DROP INDEX targets_state_codebase;
CREATE INDEX targets_state_codebase ON targets (migration, state, codebase);
CREATE INDEX targets_team_codebase ON targets (migration, team, codebase);
CREATE INDEX targets_team_state_codebase ON targets (migration, team, state, codebase);
ALTER TABLE targets DROP CONSTRAINT targets_pkey;
ALTER TABLE targets ADD PRIMARY KEY (migration, codebase);
ALTER TABLE targets DROP COLUMN part;
