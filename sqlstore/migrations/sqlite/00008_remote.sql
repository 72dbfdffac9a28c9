-- +goose Up
-- Code hosts on servers: where, which organisation, and the names of the
-- secrets (env:NAME) that authenticate and sign their webhooks.
ALTER TABLE codehosts ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE codehosts ADD COLUMN org TEXT NOT NULL DEFAULT '';
ALTER TABLE codehosts ADD COLUMN token TEXT NOT NULL DEFAULT '';
ALTER TABLE codehosts ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE codehosts ADD COLUMN archived BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE codehosts ADD COLUMN forks BOOLEAN NOT NULL DEFAULT false;

-- Tickets in teams' own trackers: where they go, the tracker's id once
-- filed there, and the state the tracker last heard. Comments are posted
-- there once each.
ALTER TABLE tickets ADD COLUMN tracker_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN remote_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN remote_state TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sync_error TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_comments ADD COLUMN synced_at TIMESTAMP;

-- +goose Down
ALTER TABLE ticket_comments DROP COLUMN synced_at;
ALTER TABLE tickets DROP COLUMN sync_error;
ALTER TABLE tickets DROP COLUMN remote_state;
ALTER TABLE tickets DROP COLUMN remote_id;
ALTER TABLE tickets DROP COLUMN tracker_ref;
ALTER TABLE codehosts DROP COLUMN forks;
ALTER TABLE codehosts DROP COLUMN archived;
ALTER TABLE codehosts DROP COLUMN webhook_secret;
ALTER TABLE codehosts DROP COLUMN token;
ALTER TABLE codehosts DROP COLUMN org;
ALTER TABLE codehosts DROP COLUMN url;
