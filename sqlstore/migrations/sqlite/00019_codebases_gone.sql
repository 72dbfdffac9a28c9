-- +goose Up
-- A codebase its host no longer lists (deleted, archived, renamed) is gone
-- from the scan that notices: out of counts, campaigns and totals, kept in
-- history. It is back, gone_at cleared, when the host lists it again.
ALTER TABLE codebases ADD COLUMN gone_at TIMESTAMP;

-- +goose Down
ALTER TABLE codebases DROP COLUMN gone_at;
