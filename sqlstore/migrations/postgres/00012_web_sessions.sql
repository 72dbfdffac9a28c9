-- +goose Up
-- web_sessions are browsers signed in, kept by the SHA-256 of the id in
-- their cookie and bound to the token they signed in with: revoking the
-- token ends them.
CREATE TABLE web_sessions (
    hash       TEXT PRIMARY KEY,
    token_id   BIGINT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_sessions_token ON web_sessions (token_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- +goose Down
DROP TABLE web_sessions;
