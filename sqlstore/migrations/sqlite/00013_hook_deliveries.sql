-- +goose Up
-- hook_deliveries are the webhook deliveries acted on in the last 24
-- hours, by code host and id (the delivery id or the digest of the body),
-- so that a replay does nothing.
CREATE TABLE hook_deliveries (
    host       TEXT NOT NULL,
    id         TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (host, id)
);
CREATE INDEX hook_deliveries_created ON hook_deliveries (created_at);

-- +goose Down
DROP TABLE hook_deliveries;
