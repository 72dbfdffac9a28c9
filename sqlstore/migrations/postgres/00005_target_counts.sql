-- +goose Up
-- Counts of targets kept by a trigger, so that pages over tens of
-- thousands of targets read a few hundred rows: by team and state, and by
-- the UTC days targets were found and done.
CREATE TABLE target_team_counts (
    migration TEXT NOT NULL,
    team      TEXT NOT NULL,
    state     TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (migration, team, state)
);
CREATE TABLE target_day_counts (
    migration TEXT NOT NULL,
    found_day TEXT NOT NULL,
    done_day  TEXT NOT NULL,
    state     TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (migration, found_day, done_day, state)
);
INSERT INTO target_team_counts (migration, team, state, n)
    SELECT migration, team, state, COUNT(*) FROM targets GROUP BY migration, team, state;
INSERT INTO target_day_counts (migration, found_day, done_day, state, n)
    SELECT migration, to_char(found_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
        COALESCE(to_char(done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''), state, COUNT(*)
    FROM targets GROUP BY 1, 2, 3, 4;

-- +goose StatementBegin
CREATE FUNCTION targets_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE target_team_counts SET n = n - 1
            WHERE migration = OLD.migration AND team = OLD.team AND state = OLD.state;
        UPDATE target_day_counts SET n = n - 1
            WHERE migration = OLD.migration AND found_day = to_char(OLD.found_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
              AND done_day = COALESCE(to_char(OLD.done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '') AND state = OLD.state;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO target_team_counts (migration, team, state, n) VALUES (NEW.migration, NEW.team, NEW.state, 1)
            ON CONFLICT (migration, team, state) DO UPDATE SET n = target_team_counts.n + 1;
        INSERT INTO target_day_counts (migration, found_day, done_day, state, n)
            VALUES (NEW.migration, to_char(NEW.found_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                COALESCE(to_char(NEW.done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''), NEW.state, 1)
            ON CONFLICT (migration, found_day, done_day, state) DO UPDATE SET n = target_day_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER targets_counted AFTER INSERT OR DELETE OR UPDATE OF team, state, found_at, done_at ON targets
    FOR EACH ROW EXECUTE FUNCTION targets_count();

-- +goose Down
DROP TRIGGER targets_counted ON targets;
DROP FUNCTION targets_count();
DROP TABLE target_day_counts;
DROP TABLE target_team_counts;
