package sqlstore_test

import (
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestDataVersion checks that the version grows with each committed
// write, is seen by another process's connection, and stays put for a
// refused write and for reads.
func TestDataVersion(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db, other := open(t, e), open(t, e)
			version := func(db *sqlstore.DB) int64 {
				t.Helper()
				n, err := db.DataVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			v0 := version(db)
			apply(t, db, team("pay", nil, nil))
			v1 := version(db)
			if v1 <= v0 {
				t.Fatalf("after a write the version is %d, was %d: want it to grow", v1, v0)
			}
			if got := version(other); got != v1 {
				t.Fatalf("another connection reads version %d, want %d", got, v1)
			}
			if _, err := db.FindTeams(ctx, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Apply(ctx, []tandem.Object{platform("obs", "nobody")}); tandem.ErrorCode(err) != tandem.EINVALID {
				t.Fatalf("apply of a platform owned by an unknown team: %v, want EINVALID", err)
			}
			if got := version(db); got != v1 {
				t.Fatalf("after a read and a refused write the version is %d, want %d", got, v1)
			}
			apply(t, other, team("obs", nil, nil))
			if got := version(db); got <= v1 {
				t.Fatalf("after another process's write the version is %d, want more than %d", got, v1)
			}
		})
	}
}
