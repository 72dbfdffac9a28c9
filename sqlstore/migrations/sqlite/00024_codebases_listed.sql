-- +goose Up
-- The home page counts the codebases their hosts list and those without
-- an owner (FindSummary) from this index alone: a few bytes per codebase
-- instead of every codebase's row.
CREATE INDEX codebases_listed_owner ON codebases (owner) WHERE gone_at IS NULL;

-- +goose Down
DROP INDEX codebases_listed_owner;
