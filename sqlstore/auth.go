package sqlstore

import (
	"context"
	"database/sql"
	"slices"

	"github.com/tandem-dev/tandem"
)

// Who may change what is the domain's rule (tandem.MayAct); the store
// reads the memberships it needs in the transaction that makes the change.

// mayAct reports whether by may change what concerns teams
// (tandem.MayAct), as the catalog's memberships stand in tx.
func mayAct(ctx context.Context, tx *sql.Tx, by string, teams ...string) (bool, error) {
	if by == "" {
		return false, nil
	}
	theirs, err := teamsOf(ctx, tx, by)
	if err != nil {
		return false, err
	}
	return tandem.MayAct(by, theirs, teams...), nil
}

// teamsOf returns the teams the catalog puts person in, sorted.
func teamsOf(ctx context.Context, tx *sql.Tx, person string) ([]string, error) {
	teams, err := column[string](ctx, tx, "SELECT DISTINCT team FROM memberships WHERE person = $1", person)
	slices.Sort(teams)
	return teams, err
}
