-- +goose Up
-- A target is a codebase, or one owned part of it: the paths a team owns
-- by a narrower CODEOWNERS rule or Backstage entity (part = the team's
-- name), or that such a rule leaves without a known team ('(unowned)').
-- Part '' is the codebase as a whole, as every target was before. The key
-- grows by part, which SQLite only does by remaking the table, its
-- indexes and its counting triggers.
CREATE TABLE targets_parts (
    migration         TEXT NOT NULL,
    codebase          TEXT NOT NULL,
    part              TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL,
    evidence          TEXT NOT NULL DEFAULT '[]',
    commit_id         TEXT NOT NULL,
    found_at          TIMESTAMP NOT NULL,
    done_at           TIMESTAMP,
    team              TEXT NOT NULL DEFAULT '',
    ticket_id         BIGINT,
    change_request_id BIGINT,
    exemption         TEXT NOT NULL DEFAULT '',
    exempt_from       TEXT NOT NULL DEFAULT '',
    error             TEXT NOT NULL DEFAULT '',
    ticketed_at       TIMESTAMP,
    pr_opened_at      TIMESTAMP,
    PRIMARY KEY (migration, codebase, part)
);
INSERT INTO targets_parts (migration, codebase, part, state, evidence, commit_id, found_at, done_at, team, ticket_id,
        change_request_id, exemption, exempt_from, error, ticketed_at, pr_opened_at)
    SELECT migration, codebase, '', state, evidence, commit_id, found_at, done_at, team, ticket_id,
        change_request_id, exemption, exempt_from, error, ticketed_at, pr_opened_at FROM targets;
DROP TABLE targets;
ALTER TABLE targets_parts RENAME TO targets;
CREATE INDEX targets_codebase ON targets (codebase);
CREATE INDEX targets_state_codebase ON targets (migration, state, codebase, part);
CREATE INDEX targets_team_codebase ON targets (migration, team, codebase, part);
CREATE INDEX targets_team_state_codebase ON targets (migration, team, state, codebase, part);

-- +goose StatementBegin
CREATE TRIGGER targets_counted_insert AFTER INSERT ON targets BEGIN
    INSERT INTO target_team_counts (migration, team, state, n) VALUES (NEW.migration, NEW.team, NEW.state, 1)
        ON CONFLICT (migration, team, state) DO UPDATE SET n = n + 1;
    INSERT INTO target_day_counts (migration, found_day, done_day, state, n)
        VALUES (NEW.migration, substr(NEW.found_at, 1, 10), COALESCE(substr(NEW.done_at, 1, 10), ''), NEW.state, 1)
        ON CONFLICT (migration, found_day, done_day, state) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER targets_counted_update AFTER UPDATE OF team, state, found_at, done_at ON targets BEGIN
    UPDATE target_team_counts SET n = n - 1
        WHERE migration = OLD.migration AND team = OLD.team AND state = OLD.state;
    INSERT INTO target_team_counts (migration, team, state, n) VALUES (NEW.migration, NEW.team, NEW.state, 1)
        ON CONFLICT (migration, team, state) DO UPDATE SET n = n + 1;
    UPDATE target_day_counts SET n = n - 1
        WHERE migration = OLD.migration AND found_day = substr(OLD.found_at, 1, 10)
          AND done_day = COALESCE(substr(OLD.done_at, 1, 10), '') AND state = OLD.state;
    INSERT INTO target_day_counts (migration, found_day, done_day, state, n)
        VALUES (NEW.migration, substr(NEW.found_at, 1, 10), COALESCE(substr(NEW.done_at, 1, 10), ''), NEW.state, 1)
        ON CONFLICT (migration, found_day, done_day, state) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER targets_counted_delete AFTER DELETE ON targets BEGIN
    UPDATE target_team_counts SET n = n - 1
        WHERE migration = OLD.migration AND team = OLD.team AND state = OLD.state;
    UPDATE target_day_counts SET n = n - 1
        WHERE migration = OLD.migration AND found_day = substr(OLD.found_at, 1, 10)
          AND done_day = COALESCE(substr(OLD.done_at, 1, 10), '') AND state = OLD.state;
END;
-- +goose StatementEnd

-- A change request is one owner's shard of a fix: the part it is for, the
-- files it changes, the reviewers it asked, and the last review routing
-- step it took.
ALTER TABLE change_requests ADD COLUMN part TEXT NOT NULL DEFAULT '';
ALTER TABLE change_requests ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
ALTER TABLE change_requests ADD COLUMN reviewers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE change_requests ADD COLUMN review_step TEXT NOT NULL DEFAULT '';
ALTER TABLE change_requests ADD COLUMN review_step_at TIMESTAMP;

-- A part has at most one open change request, as a codebase had.
DROP INDEX change_requests_open;
DROP INDEX change_requests_target;
CREATE INDEX change_requests_target ON change_requests (migration, codebase, part);
CREATE UNIQUE INDEX change_requests_open ON change_requests (migration, codebase, part) WHERE state = 'open';

-- +goose Down
DROP INDEX change_requests_open;
DROP INDEX change_requests_target;
DELETE FROM change_requests WHERE part <> '';
CREATE INDEX change_requests_target ON change_requests (migration, codebase);
CREATE UNIQUE INDEX change_requests_open ON change_requests (migration, codebase) WHERE state = 'open';
ALTER TABLE change_requests DROP COLUMN review_step_at;
ALTER TABLE change_requests DROP COLUMN review_step;
ALTER TABLE change_requests DROP COLUMN reviewers;
ALTER TABLE change_requests DROP COLUMN files;
ALTER TABLE change_requests DROP COLUMN part;
DELETE FROM targets WHERE part <> '';
CREATE TABLE targets_whole (
    migration         TEXT NOT NULL,
    codebase          TEXT NOT NULL,
    state             TEXT NOT NULL,
    evidence          TEXT NOT NULL DEFAULT '[]',
    commit_id         TEXT NOT NULL,
    found_at          TIMESTAMP NOT NULL,
    done_at           TIMESTAMP,
    team              TEXT NOT NULL DEFAULT '',
    ticket_id         BIGINT,
    change_request_id BIGINT,
    exemption         TEXT NOT NULL DEFAULT '',
    exempt_from       TEXT NOT NULL DEFAULT '',
    error             TEXT NOT NULL DEFAULT '',
    ticketed_at       TIMESTAMP,
    pr_opened_at      TIMESTAMP,
    PRIMARY KEY (migration, codebase)
);
INSERT INTO targets_whole (migration, codebase, state, evidence, commit_id, found_at, done_at, team, ticket_id,
        change_request_id, exemption, exempt_from, error, ticketed_at, pr_opened_at)
    SELECT migration, codebase, state, evidence, commit_id, found_at, done_at, team, ticket_id,
        change_request_id, exemption, exempt_from, error, ticketed_at, pr_opened_at FROM targets;
DROP TABLE targets;
ALTER TABLE targets_whole RENAME TO targets;
CREATE INDEX targets_codebase ON targets (codebase);
CREATE INDEX targets_state_codebase ON targets (migration, state, codebase);
CREATE INDEX targets_team_codebase ON targets (migration, team, codebase);
CREATE INDEX targets_team_state_codebase ON targets (migration, team, state, codebase);

-- +goose StatementBegin
CREATE TRIGGER targets_counted_insert AFTER INSERT ON targets BEGIN
    INSERT INTO target_team_counts (migration, team, state, n) VALUES (NEW.migration, NEW.team, NEW.state, 1)
        ON CONFLICT (migration, team, state) DO UPDATE SET n = n + 1;
    INSERT INTO target_day_counts (migration, found_day, done_day, state, n)
        VALUES (NEW.migration, substr(NEW.found_at, 1, 10), COALESCE(substr(NEW.done_at, 1, 10), ''), NEW.state, 1)
        ON CONFLICT (migration, found_day, done_day, state) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER targets_counted_update AFTER UPDATE OF team, state, found_at, done_at ON targets BEGIN
    UPDATE target_team_counts SET n = n - 1
        WHERE migration = OLD.migration AND team = OLD.team AND state = OLD.state;
    INSERT INTO target_team_counts (migration, team, state, n) VALUES (NEW.migration, NEW.team, NEW.state, 1)
        ON CONFLICT (migration, team, state) DO UPDATE SET n = n + 1;
    UPDATE target_day_counts SET n = n - 1
        WHERE migration = OLD.migration AND found_day = substr(OLD.found_at, 1, 10)
          AND done_day = COALESCE(substr(OLD.done_at, 1, 10), '') AND state = OLD.state;
    INSERT INTO target_day_counts (migration, found_day, done_day, state, n)
        VALUES (NEW.migration, substr(NEW.found_at, 1, 10), COALESCE(substr(NEW.done_at, 1, 10), ''), NEW.state, 1)
        ON CONFLICT (migration, found_day, done_day, state) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER targets_counted_delete AFTER DELETE ON targets BEGIN
    UPDATE target_team_counts SET n = n - 1
        WHERE migration = OLD.migration AND team = OLD.team AND state = OLD.state;
    UPDATE target_day_counts SET n = n - 1
        WHERE migration = OLD.migration AND found_day = substr(OLD.found_at, 1, 10)
          AND done_day = COALESCE(substr(OLD.done_at, 1, 10), '') AND state = OLD.state;
END;
-- +goose StatementEnd
