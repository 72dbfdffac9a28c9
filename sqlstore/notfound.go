package sqlstore

import (
	"context"
	"database/sql"

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

// notFound returns the error code's refusal of a name of kind that is
// not in the catalog, saying how to list them. It reads nothing: the name
// perhaps meant is found by whoever shows the refusal (Names).
func notFound(code, kind, name string) error {
	k, ok := catalogKinds[kind]
	if !ok {
		return tandem.Errorf(code, "%s %q not found", kind, name)
	}
	return &tandem.MissingError{Code: code, Kind: kind, Name: name, List: k.list}
}

// Names returns every name of a kind of the catalog ("team", "codebase"…;
// see tandem.MissingError), nil for another kind.
func (db *DB) Names(ctx context.Context, kind string) ([]string, error) {
	k, ok := catalogKinds[kind]
	if !ok {
		return nil, nil
	}
	var names []string
	err := db.readTx(ctx, "find "+kind+" names", func(tx *sql.Tx) error {
		var err error
		names, err = allNames(ctx, tx, k.table, k.key)
		return err
	})
	return names, err
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
