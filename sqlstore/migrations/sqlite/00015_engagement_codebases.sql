-- +goose Up
-- A campaign proposes one Tour of Duty per host team and migration, for
-- the team's codebases closed to the platform team: an engagement lists
-- its codebases.
CREATE TABLE engagement_codebases (
    engagement_id BIGINT NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    codebase      TEXT NOT NULL,
    PRIMARY KEY (engagement_id, codebase)
);
CREATE INDEX engagement_codebases_codebase ON engagement_codebases (codebase);
INSERT INTO engagement_codebases (engagement_id, codebase)
    SELECT id, codebase FROM engagements WHERE codebase <> '';
DROP INDEX engagements_target;
ALTER TABLE engagements DROP COLUMN codebase;
CREATE INDEX engagements_migration_host ON engagements (migration, host_team, state);

-- A proposal withdrawn says why and by whom ('' when its codebases were
-- done or exempt); an engagement ended says on which day.
ALTER TABLE engagements ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE engagements ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
ALTER TABLE engagements ADD COLUMN ended_on TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE engagements DROP COLUMN ended_on;
ALTER TABLE engagements DROP COLUMN withdrawn_by;
ALTER TABLE engagements DROP COLUMN reason;
DROP INDEX engagements_migration_host;
ALTER TABLE engagements ADD COLUMN codebase TEXT NOT NULL DEFAULT '';
UPDATE engagements SET codebase = (SELECT MIN(c.codebase) FROM engagement_codebases c WHERE c.engagement_id = engagements.id)
    WHERE id IN (SELECT engagement_id FROM engagement_codebases);
CREATE UNIQUE INDEX engagements_target ON engagements (migration, codebase) WHERE migration <> '';
DROP TABLE engagement_codebases;
