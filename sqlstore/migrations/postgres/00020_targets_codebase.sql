-- +goose Up
-- Saving a codebase moves its targets in every migration: look them up by
-- codebase without reading the whole table (the key leads by migration).
CREATE INDEX targets_codebase ON targets (codebase);

-- +goose Down
DROP INDEX targets_codebase;
