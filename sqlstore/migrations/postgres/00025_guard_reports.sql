-- +goose Up
-- guard_reports are the backsliding guard's verdicts: one per pull
-- request head and guarding migration, with when its commit status and
-- its comment were posted, so that a retried job or a redelivered
-- webhook posts nothing twice, and pages show the last verdicts.
CREATE TABLE guard_reports (
    host         TEXT NOT NULL,
    repo         TEXT NOT NULL,
    number       BIGINT NOT NULL,
    head         TEXT NOT NULL,
    migration    TEXT NOT NULL,
    url          TEXT NOT NULL,
    mode         TEXT NOT NULL,
    state        TEXT NOT NULL,
    evidence     TEXT NOT NULL DEFAULT '[]',
    posted_at    TIMESTAMPTZ NOT NULL,
    commented_at TIMESTAMPTZ,
    PRIMARY KEY (host, repo, number, head, migration)
);
CREATE INDEX guard_reports_migration ON guard_reports (migration, posted_at);

-- +goose Down
DROP TABLE guard_reports;
