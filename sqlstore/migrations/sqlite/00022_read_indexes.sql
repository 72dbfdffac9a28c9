-- +goose Up
-- A campaign's page lists one page of targets in codebase order, filtered
-- by state, team or both, and pages by codebase (after or before one):
-- each filter reads its page from an index in that order, never the
-- migration's every target nor a sort. The index by team and state
-- (00004) is the prefix of the last one, which replaces it.
CREATE INDEX targets_state_codebase ON targets (migration, state, codebase);
CREATE INDEX targets_team_codebase ON targets (migration, team, codebase);
CREATE INDEX targets_team_state_codebase ON targets (migration, team, state, codebase);
DROP INDEX targets_team_state;

-- +goose Down
CREATE INDEX targets_team_state ON targets (migration, team, state);
DROP INDEX targets_team_state_codebase;
DROP INDEX targets_team_codebase;
DROP INDEX targets_state_codebase;
