-- +goose Up
-- expires_at ends a token by itself (sign-ins through an identity
-- provider); NULL for never.
ALTER TABLE tokens ADD COLUMN expires_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE tokens DROP COLUMN expires_at;
