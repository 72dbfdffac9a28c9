-- +goose Up
-- When a pull request's state was last read from its code host, so that
-- the poll that catches missed webhooks reads each one now and then, not
-- every minute.
ALTER TABLE change_requests ADD COLUMN checked_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE change_requests DROP COLUMN checked_at;
