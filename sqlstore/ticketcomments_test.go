package sqlstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestTicketComments checks that tickets read together each carry their
// own comments, in order, and none when the filter asks for none.
func TestTicketComments(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db := open(t, e)
			apply(t, db, team("obs", nil, nil), team("pay", nil, []string{"@acme/pay"}), team("web", nil, []string{"@acme/web"}),
				platform("obslog", "obs"), migrationObj("logrus", "obslog"))
			target := tandem.CheckID("migration", "logrus", tandem.RoleTarget)
			ids := map[string]int64{}
			for _, owner := range []string{"pay", "web"} {
				c := tandem.Codebase{Name: owner + "-api", Host: "one", DefaultBranch: "main", Head: "c1"}
				c.Ownership.Codeowners = []string{"@acme/" + owner}
				if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: c, Results: []tandem.CheckResult{{Check: target, Commit: "c1", Holds: true}}}); err != nil {
					t.Fatal(err)
				}
				tk, _, err := db.FileTicket(ctx, tandem.TicketFiling{Migration: "logrus", Team: owner, Title: "Move", Body: "b", Codebases: []string{c.Name}})
				if err != nil {
					t.Fatal(err)
				}
				ids[owner] = tk.ID
			}
			now := time.Now().UTC()
			for i, owner := range []string{"web", "pay", "web"} {
				at := now.Add(time.Duration(i) * time.Hour)
				if ok, err := db.NudgeTicket(ctx, ids[owner], owner+" nudge", at.Add(-time.Minute), at); err != nil || !ok {
					t.Fatalf("nudge %d of %s: %v %v", i, owner, ok, err)
				}
			}
			bodies := func(f tandem.TicketFilter) map[int64][]string {
				t.Helper()
				ts, err := db.FindTickets(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				out := map[int64][]string{}
				for _, tk := range ts {
					out[tk.ID] = []string{}
					for _, c := range tk.Comments {
						out[tk.ID] = append(out[tk.ID], c.Body)
					}
				}
				return out
			}
			got := bodies(tandem.TicketFilter{Migration: "logrus"})
			if !slices.Equal(got[ids["pay"]], []string{"pay nudge"}) || !slices.Equal(got[ids["web"]], []string{"web nudge", "web nudge"}) {
				t.Errorf("comments by ticket = %v, want pay's one nudge and web's two", got)
			}
			if got := bodies(tandem.TicketFilter{Team: "web"}); len(got) != 1 || len(got[ids["web"]]) != 2 {
				t.Errorf("web's ticket alone = %v, want its two nudges", got)
			}
			for id, cs := range bodies(tandem.TicketFilter{Migration: "logrus", NoComments: true}) {
				if len(cs) != 0 {
					t.Errorf("ticket %d read without comments has %v", id, cs)
				}
			}
		})
	}
}
