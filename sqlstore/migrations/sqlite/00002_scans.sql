-- +goose Up
CREATE TABLE scans (
    id          INTEGER PRIMARY KEY,
    state       TEXT NOT NULL,
    hosts       TEXT NOT NULL DEFAULT '[]',
    hosts_done  INTEGER NOT NULL DEFAULT 0,
    codebases   INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    problems    TEXT NOT NULL DEFAULT '[]',
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

-- scan_hosts are the hosts a scan has listed; listing one twice counts once.
CREATE TABLE scan_hosts (
    scan_id   BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    host      TEXT NOT NULL,
    listed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scan_id, host)
);

-- scan_codebases are the codebases a scan discovered, pending until read
-- (done) or found unreadable or conflicting (failed).
CREATE TABLE scan_codebases (
    scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    host    TEXT NOT NULL,
    name    TEXT NOT NULL,
    state   TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    PRIMARY KEY (scan_id, host, name)
);

-- +goose Down
DROP TABLE scan_codebases;
DROP TABLE scan_hosts;
DROP TABLE scans;
