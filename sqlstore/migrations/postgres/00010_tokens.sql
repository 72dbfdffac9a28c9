-- +goose Up
-- tokens are personal API tokens, kept by the SHA-256 of their secret.
CREATE TABLE tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    person       TEXT NOT NULL,
    role         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- +goose Down
DROP TABLE tokens;
