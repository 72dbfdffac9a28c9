-- +goose Up
-- A support change is announced, then applied on its date or withdrawn
-- before it (tandem.SupportChangeLifecycle). A platform has at most one
-- change announced and not yet applied: a second, contradictory one waits
-- until the first takes effect or is withdrawn.
ALTER TABLE support_changes ADD COLUMN state TEXT NOT NULL DEFAULT 'announced';
ALTER TABLE support_changes ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE support_changes ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
UPDATE support_changes SET state = 'applied' WHERE applied_at IS NOT NULL;
-- Of the changes of a platform announced together before this rule, the
-- last one stands.
UPDATE support_changes SET state = 'withdrawn'
    WHERE state = 'announced'
      AND id < (SELECT MAX(s.id) FROM support_changes s WHERE s.platform = support_changes.platform AND s.state = 'announced');
CREATE UNIQUE INDEX support_changes_announced ON support_changes (platform) WHERE state = 'announced';

-- +goose Down
DROP INDEX support_changes_announced;
ALTER TABLE support_changes DROP COLUMN withdrawn_by;
ALTER TABLE support_changes DROP COLUMN withdrawn_at;
ALTER TABLE support_changes DROP COLUMN state;
