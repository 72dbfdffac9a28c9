-- +goose Up
-- Campaign analytics: a change request records its head when it merged
-- (merged unmodified when that is the commit Tandem pushed) and when the
-- owners closed it; a ticket's comments tell its nudges apart, so that
-- nudges before the team's first response can be counted. Merges, closings
-- and nudges from before this migration stay unknown.
ALTER TABLE change_requests ADD COLUMN merged_head TEXT NOT NULL DEFAULT '';
ALTER TABLE change_requests ADD COLUMN closed_at TIMESTAMPTZ;
ALTER TABLE ticket_comments ADD COLUMN nudge BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX ticket_comments_nudges ON ticket_comments (ticket_id) WHERE nudge;

-- +goose Down
DROP INDEX ticket_comments_nudges;
ALTER TABLE ticket_comments DROP COLUMN nudge;
ALTER TABLE change_requests DROP COLUMN closed_at;
ALTER TABLE change_requests DROP COLUMN merged_head;
