-- +goose Up
-- The version of the data: every write transaction adds one before it
-- commits (sqlstore.DB.inTx), so that caches of reads know when they are
-- stale. SQLite has one writer, so the row is never contended.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 1);

-- +goose Down
DROP TABLE data_version;
