-- +goose Up
-- The version of the data: every write transaction takes the next value
-- once it has committed (sqlstore.DB.inTx), so that caches of reads know
-- when they are stale. A sequence is never locked by a transaction, so
-- concurrent writers do not queue on it.
CREATE SEQUENCE data_version;
-- Taken once, so that the first write's value is read as a change.
SELECT setval('data_version', 1);

-- +goose Down
DROP SEQUENCE data_version;
