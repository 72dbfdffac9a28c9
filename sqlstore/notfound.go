package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tandem-dev/tandem"
)

// catalogKinds are the kinds a name refers to, with their table, key and
// the command that lists them.
var catalogKinds = map[string]struct{ table, key, list string }{
	"team":      {"teams", "name", "tandem get teams"},
	"person":    {"people", "handle", "tandem get people"},
	"code host": {"codehosts", "name", "tandem get codehosts"},
	"platform":  {"platforms", "name", "tandem get platforms"},
	"migration": {"migrations", "name", "tandem campaign list"},
	"codebase":  {"codebases", "name", "tandem get codebases"},
}

// notFound returns the error code's refusal of a name of kind that is not
// in the catalog, saying which name was perhaps meant and how to list them.
func notFound(ctx context.Context, tx *sql.Tx, code, kind, name string) error {
	k, ok := catalogKinds[kind]
	if !ok {
		return tandem.Errorf(code, "%s %q not found", kind, name)
	}
	hint := ""
	if names, err := allNames(ctx, tx, k.table, k.key); err == nil {
		if c := tandem.Closest(name, names); c != "" {
			hint = fmt.Sprintf(": did you mean %s?", c)
		}
	}
	return tandem.Errorf(code, "%s %q not found%s (%s lists them)", kind, name, hint, k.list)
}

// notFoundIn is notFound in a transaction of its own, for a finder whose
// transaction has ended.
func (db *DB) notFoundIn(ctx context.Context, code, kind, name string) error {
	var refusal error
	if err := db.readTx(ctx, "find "+kind, func(tx *sql.Tx) error {
		refusal = notFound(ctx, tx, code, kind, name)
		return nil
	}); err != nil {
		return err
	}
	return refusal
}

// allNames returns every key of a table, one of this package's constants.
func allNames(ctx context.Context, tx *sql.Tx, table, key string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+key+" FROM "+table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}
