package sqlstore

import (
	"slices"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestCodebasePages pages the codebase list by name, 2 a page, under
// each filter the API offers, on every engine: the pages list exactly
// what the whole list does, in its order, Codebase documents that name
// no codebase among the codebases, and gone codebases apart.
func TestCodebasePages(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := Open(t.Context(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			codebaseFleet(t, db)
			filters := []tandem.CodebaseFilter{
				{Declared: true}, {}, {Owner: "pay"}, {Host: "one"}, {Gone: true}, {Owner: "nobody"},
			}
			for _, f := range filters {
				want := names(t, db, f)
				if got := walkCodebases(t, db, f, 2); !slices.Equal(got, want) {
					t.Errorf("%+v pages: %v, want %v", f, got, want)
				}
			}
			all := walkCodebases(t, db, tandem.CodebaseFilter{Declared: true}, 3)
			if want := []string{"Zed", "aaa-declared", "alpha", "api", "beta", "docs", "mid-declared", "web"}; !slices.Equal(all, want) {
				t.Errorf("every codebase and document: %v, want %v", all, want)
			}
			page, err := db.FindCodebases(t.Context(), tandem.CodebaseFilter{Declared: true, After: "beta", Limit: 2})
			if err != nil || len(page) != 2 || page[0].Name != "docs" || page[0].Host != "one" ||
				page[1].Name != "mid-declared" || len(page[1].Problems) != 1 || page[1].Problems[0].Message != tandem.UndiscoveredCodebase {
				t.Errorf("page after beta = %+v, %v; want docs as scanned, then mid-declared as declared", page, err)
			}
		})
	}
}

// codebaseFleet saves codebases on hosts one and two, pay owning some,
// applies two Codebase documents that name none, and marks "gone" gone.
func codebaseFleet(t *testing.T, db *DB) {
	t.Helper()
	objs := []tandem.Object{{Kind: tandem.KindTeam, Name: "pay", File: "t.yaml", Line: 1, Spec: &tandem.Team{Name: "pay", Type: tandem.StreamAligned}}}
	for _, name := range []string{"web", "alpha", "mid-declared", "aaa-declared"} {
		objs = append(objs, tandem.Object{Kind: tandem.KindCodebase, Name: name, File: "c.yaml", Line: 1,
			Spec: &tandem.CodebasePolicy{Name: name, Owner: "pay"}})
	}
	if _, err := db.Apply(t.Context(), objs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, host string }{
		{"web", "one"}, {"api", "two"}, {"docs", "one"}, {"Zed", "two"}, {"beta", "one"}, {"alpha", "one"}, {"gone", "one"},
	} {
		if _, _, err := db.SaveCodebase(t.Context(), 0, tandem.CodebaseRead{Codebase: tandem.Codebase{Name: c.name, Host: c.host, DefaultBranch: "main", Head: "c1"}}); err != nil {
			t.Fatal(err)
		}
	}
	listing(t, db, time.Now().UTC(), "web", "docs", "beta", "alpha")
}

// walkCodebases reads the codebases f selects limit a page, each page
// after the last name of the one before, and returns their names.
func walkCodebases(t *testing.T, db *DB, f tandem.CodebaseFilter, limit int) []string {
	t.Helper()
	f.Limit = limit
	var out []string
	for range 20 {
		page, err := db.FindCodebases(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > limit {
			t.Fatalf("%+v: a page of %d, over its limit", f, len(page))
		}
		for _, c := range page {
			out = append(out, c.Name)
		}
		if len(page) < limit {
			return out
		}
		f.After = page[len(page)-1].Name
	}
	t.Fatalf("%+v: pages do not end", f)
	return nil
}
