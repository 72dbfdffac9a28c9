-- +goose Up
-- The home page and the adoption API count in the database (FindSummary,
-- FindAdoption): a platform's adopting codebases are read from the index
-- of its adoption check's results alone, which now holds their names, and
-- the codebases gone from their host, which every adoption trend replays,
-- from an index of those alone, not from every codebase's row.
DROP INDEX check_results_check;
CREATE INDEX check_results_check ON check_results (check_id, holds, codebase);
CREATE INDEX codebases_gone ON codebases (gone_at, name) WHERE gone_at IS NOT NULL;

-- +goose Down
DROP INDEX codebases_gone;
DROP INDEX check_results_check;
CREATE INDEX check_results_check ON check_results (check_id, holds);
