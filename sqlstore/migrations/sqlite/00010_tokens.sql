-- +goose Up
-- tokens are personal API tokens, kept by the SHA-256 of their secret.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    person       TEXT NOT NULL,
    role         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

-- +goose Down
DROP TABLE tokens;
