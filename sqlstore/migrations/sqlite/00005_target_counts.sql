-- +goose Up
-- Counts of targets kept by triggers, so that pages over tens of thousands
-- of targets read a few hundred rows: by team and state, and by the days
-- targets were found and done (times are UTC text, date first).
CREATE TABLE target_team_counts (
    migration TEXT NOT NULL,
    team      TEXT NOT NULL,
    state     TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (migration, team, state)
);
CREATE TABLE target_day_counts (
    migration TEXT NOT NULL,
    found_day TEXT NOT NULL,
    done_day  TEXT NOT NULL,
    state     TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (migration, found_day, done_day, state)
);
INSERT INTO target_team_counts (migration, team, state, n)
    SELECT migration, team, state, COUNT(*) FROM targets GROUP BY migration, team, state;
INSERT INTO target_day_counts (migration, found_day, done_day, state, n)
    SELECT migration, substr(found_at, 1, 10), COALESCE(substr(done_at, 1, 10), ''), state, COUNT(*)
    FROM targets GROUP BY 1, 2, 3, 4;

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

-- +goose Down
DROP TRIGGER targets_counted_delete;
DROP TRIGGER targets_counted_update;
DROP TRIGGER targets_counted_insert;
DROP TABLE target_day_counts;
DROP TABLE target_team_counts;
