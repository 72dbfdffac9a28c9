package sqlstore_test

import (
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestFindCodebaseTargets checks that a codebase's targets are those of
// every migration that targets it, by migration, and no other codebase's.
func TestFindCodebaseTargets(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db := open(t, e)
			apply(t, db, team("obs", nil, nil), platform("obslog", "obs"), migrationObj("zap", "obslog"), migrationObj("logrus", "obslog"))
			for _, name := range []string{"api", "web"} {
				var results []tandem.CheckResult
				for _, m := range []string{"logrus", "zap"} {
					results = append(results, tandem.CheckResult{Check: tandem.CheckID("migration", m, tandem.RoleTarget), Commit: "c1", Holds: name == "api" || m == "zap"})
				}
				c := tandem.Codebase{Name: name, Host: "one", DefaultBranch: "main", Head: "c1"}
				if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: c, Results: results}); err != nil {
					t.Fatal(err)
				}
			}
			for name, want := range map[string][]string{"api": {"logrus", "zap"}, "web": {"zap"}, "ghost": nil} {
				got, err := db.FindCodebaseTargets(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				var migrations []string
				for _, tg := range got {
					if tg.Codebase != name {
						t.Errorf("%s's targets hold one of %s", name, tg.Codebase)
					}
					migrations = append(migrations, tg.Migration)
				}
				if len(migrations) != len(want) || (len(want) > 0 && (migrations[0] != want[0] || migrations[len(want)-1] != want[len(want)-1])) {
					t.Errorf("%s's targets are in %v, want %v", name, migrations, want)
				}
			}
		})
	}
}
