package sqlstore_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestChangeAdoptedBeforeLaunch follows a pull request adopted before any
// ticket: closed unmerged, its target is pending again (not pr-open with
// no open change request); reopened, pr-open again.
func TestChangeAdoptedBeforeLaunch(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlstore.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			forge := tandem.Object{Kind: tandem.KindCodeHost, Name: "forge", File: "hosts.yaml", Line: 1,
				Spec: &tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://git.example.com/", Org: "acme", Token: "env:FORGE"}}
			apply(t, db, forge, team("payments", []string{"alice"}, nil), team("obs", nil, nil), platform("obslog", "obs"), migrationObj("m", "obslog"),
				policy("api", "payments", tandem.Closed))
			if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{
				Codebase: tandem.Codebase{Name: "api", Host: "forge", DefaultBranch: "main", Head: "c1"},
				Results:  []tandem.CheckResult{{Check: tandem.CheckID("migration", "m", tandem.RoleTarget), Digest: "d", Commit: "c1", Holds: true}},
			}); err != nil {
				t.Fatal(err)
			}
			url := "https://git.example.com/acme/api/pulls/7"
			if _, err := db.AdoptChangeRequest(ctx, "m", "api", url); err != nil {
				t.Fatal(err)
			}
			state := func() tandem.Target {
				t.Helper()
				ts, err := db.FindTargets(ctx, "m")
				if err != nil || len(ts) != 1 {
					t.Fatalf("targets = %+v, %v", ts, err)
				}
				return ts[0]
			}
			if got := state(); got.State != tandem.TargetPROpen {
				t.Fatalf("adopted: %s is %s, want pr-open", got.Codebase, got.State)
			}
			if _, _, err := db.SetChangeRequestState(ctx, url, tandem.ChangeClosed, "", time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := state(); got.State != tandem.TargetPending || got.Error == "" {
				t.Errorf("closed unmerged before launch: %s is %s (error %q), want pending with the closing as its error", got.Codebase, got.State, got.Error)
			}
			if _, _, err := db.SetChangeRequestState(ctx, url, tandem.ChangeOpen, "", time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := state(); got.State != tandem.TargetPROpen || got.Error != "" {
				t.Errorf("reopened: %s is %s (error %q), want pr-open without error", got.Codebase, got.State, got.Error)
			}
		})
	}
}

// TestChangeAnalyticsColumns records what the analytics read (migration
// 00027): a merged pull request's head, once; when one was closed, cleared
// when reopened; and a ticket's nudges, told apart from its other
// comments.
func TestChangeAnalyticsColumns(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlstore.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			forge := tandem.Object{Kind: tandem.KindCodeHost, Name: "forge", File: "hosts.yaml", Line: 1,
				Spec: &tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://git.example.com/", Org: "acme", Token: "env:FORGE"}}
			apply(t, db, forge, team("payments", []string{"alice"}, nil), team("obs", nil, nil), platform("obslog", "obs"), migrationObj("m", "obslog"),
				policy("api", "payments", tandem.Closed), policy("web", "payments", tandem.Closed))
			for _, c := range []string{"api", "web"} {
				if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{
					Codebase: tandem.Codebase{Name: c, Host: "forge", DefaultBranch: "main", Head: "c1"},
					Results:  []tandem.CheckResult{{Check: tandem.CheckID("migration", "m", tandem.RoleTarget), Digest: "d", Commit: "c1", Holds: true}},
				}); err != nil {
					t.Fatal(err)
				}
			}
			t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			tk, _, err := db.FileTicket(ctx, tandem.TicketFiling{Migration: "m", Team: "payments", Title: "t", Body: "b", Codebases: []string{"api", "web"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range []time.Time{t0, t0.Add(48 * time.Hour)} {
				if ok, err := db.NudgeTicket(ctx, tk.ID, "a reminder", at.Add(-time.Hour), at); err != nil || !ok {
					t.Fatalf("nudge at %v: %v, %v", at, ok, err)
				}
			}
			merged, closed := "https://git.example.com/acme/api/pulls/7", "https://git.example.com/acme/web/pulls/8"
			for c, url := range map[string]string{"api": merged, "web": closed} {
				if _, err := db.AdoptChangeRequest(ctx, "m", c, url); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := db.SetChangeRequestState(ctx, merged, tandem.ChangeMerged, "", t0); err != nil {
				t.Fatal(err)
			}
			if cr, err := db.SetMergedHead(ctx, crAt(t, db, merged).ID, "h1"); err != nil || cr.MergedHead != "h1" {
				t.Fatalf("set merged head: %q, %v", cr.MergedHead, err)
			}
			if cr, err := db.SetMergedHead(ctx, crAt(t, db, merged).ID, "h2"); err != nil || cr.MergedHead != "h1" {
				t.Errorf("set merged head again: %q, %v; want the first, h1, kept", cr.MergedHead, err)
			}
			if _, _, err := db.SetChangeRequestState(ctx, closed, tandem.ChangeClosed, "", t0); err != nil {
				t.Fatal(err)
			}
			if got := crAt(t, db, closed); got.ClosedAt == nil || !got.ClosedAt.Equal(t0) || got.MergedHead != "" {
				t.Errorf("closed: closed at %v, head %q; want %v and none", got.ClosedAt, got.MergedHead, t0)
			}
			if _, _, err := db.SetChangeRequestState(ctx, closed, tandem.ChangeOpen, "", t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if got := crAt(t, db, closed); got.ClosedAt != nil {
				t.Errorf("reopened: closed at %v, want none", got.ClosedAt)
			}
			if _, _, err := db.SetChangeRequestState(ctx, closed, tandem.ChangeMerged, "h3", t0.Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if got := crAt(t, db, closed); got.MergedHead != "h3" {
				t.Errorf("merged with its head: %q, want h3", got.MergedHead)
			}
			nudges, err := db.NudgeTimes(ctx, "m")
			if err != nil {
				t.Fatal(err)
			}
			if got := nudges[tk.ID]; len(nudges) != 1 || len(got) != 2 || !got[0].Equal(t0) || !got[1].Equal(t0.Add(48*time.Hour)) {
				t.Errorf("nudge times = %v, want the two nudges of ticket %d (not its other comments)", nudges, tk.ID)
			}
		})
	}
}

// crAt returns the change request at url.
func crAt(t *testing.T, db *sqlstore.DB, url string) tandem.ChangeRequest {
	t.Helper()
	crs, err := db.FindChangeRequests(t.Context(), "m", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, cr := range crs {
		if cr.URL == url {
			return cr
		}
	}
	t.Fatalf("no change request at %s in %+v", url, crs)
	return tandem.ChangeRequest{}
}

// TestSetReviewStep takes a change request's review routing steps: each
// once, as a compare-and-set that two servers at once cannot both win,
// with a comment on the ticket, the nudge counted as one; a change
// request no longer open takes none.
func TestSetReviewStep(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlstore.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			forge := tandem.Object{Kind: tandem.KindCodeHost, Name: "forge", File: "hosts.yaml", Line: 1,
				Spec: &tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://git.example.com/", Org: "acme", Token: "env:FORGE"}}
			apply(t, db, forge, team("payments", []string{"alice"}, nil), team("obs", nil, nil), platform("obslog", "obs"), migrationObj("m", "obslog"),
				policy("api", "payments", tandem.Open))
			if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{
				Codebase: tandem.Codebase{Name: "api", Host: "forge", DefaultBranch: "main", Head: "c1"},
				Results:  []tandem.CheckResult{{Check: tandem.CheckID("migration", "m", tandem.RoleTarget), Digest: "d", Commit: "c1", Holds: true}},
			}); err != nil {
				t.Fatal(err)
			}
			tk, _, err := db.FileTicket(ctx, tandem.TicketFiling{Migration: "m", Team: "payments", Title: "t", Body: "b", Codebases: []string{"api"}})
			if err != nil {
				t.Fatal(err)
			}
			const url = "https://git.example.com/acme/api/pulls/7"
			cr, _, err := db.OpenChangeRequest(ctx, tandem.ChangeRequest{Migration: "m", Codebase: "api", Branch: "tandem/m", Commit: "c2",
				Title: "Replace logrus", URL: url, Reviewers: []string{"@acme/payments", "@bob"}})
			if err != nil {
				t.Fatal(err)
			}
			t0 := cr.CreatedAt.Add(72 * time.Hour).UTC().Truncate(time.Second).Add(time.Second)

			step := func(from, to string, at time.Time, want bool) tandem.ChangeRequest {
				t.Helper()
				got, taken, err := db.SetReviewStep(ctx, cr.ID, from, to, at)
				if err != nil || taken != want {
					t.Fatalf("SetReviewStep(%q → %q) = %v, %v; want %v", from, to, taken, err, want)
				}
				return got
			}
			got := step("", tandem.ReviewRerequest, t0, true)
			if got.ReviewStep != tandem.ReviewRerequest || got.ReviewStepAt == nil || !got.ReviewStepAt.Equal(t0) {
				t.Errorf("after rerequest: step %q at %v, want rerequest at %v", got.ReviewStep, got.ReviewStepAt, t0)
			}
			if got := step("", tandem.ReviewRerequest, t0.Add(time.Hour), false); !got.ReviewStepAt.Equal(t0) {
				t.Errorf("a step taken again moved its time to %v, want %v kept", got.ReviewStepAt, t0)
			}
			step(tandem.ReviewRerequest, tandem.ReviewNudge, t0.Add(72*time.Hour), true)

			// Two servers take the next step at once: one does.
			var wg sync.WaitGroup
			var mu sync.Mutex
			won := 0
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, taken, err := db.SetReviewStep(ctx, cr.ID, tandem.ReviewNudge, tandem.ReviewTour, t0.Add(144*time.Hour))
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					defer mu.Unlock()
					if taken {
						won++
					}
				}()
			}
			wg.Wait()
			if won != 1 {
				t.Errorf("%d of 4 servers took the tour step, want 1", won)
			}

			tickets, err := db.FindTickets(ctx, tandem.TicketFilter{ID: tk.ID})
			if err != nil {
				t.Fatal(err)
			}
			var review []string
			for _, c := range tickets[0].Comments {
				if strings.Contains(c.Body, "review") {
					review = append(review, c.Body)
				}
			}
			want := []string{
				url + " (the change to api) in the 3d since it was opened: Tandem asked @acme/payments, @bob to review it again.",
				"Reminder: " + url + " (the change to api) has waited 6d for a review by @acme/payments, @bob.",
				url + " (the change to api) in the 9d since it was opened: the platform team proposes a Tour of Duty",
			}
			if len(review) != len(want) {
				t.Fatalf("the ticket's review comments:\n%s\nwant %d", strings.Join(review, "\n"), len(want))
			}
			for i := range want {
				if !strings.Contains(review[i], want[i]) {
					t.Errorf("comment %d = %q, want it to say %q", i, review[i], want[i])
				}
			}
			nudges, err := db.NudgeTimes(ctx, "m")
			if err != nil {
				t.Fatal(err)
			}
			if got := nudges[tk.ID]; len(got) != 1 || !got[0].Equal(t0.Add(72*time.Hour)) {
				t.Errorf("nudge times = %v, want the nudge step's alone", got)
			}

			if _, _, err := db.SetChangeRequestState(ctx, url, tandem.ChangeMerged, "", t0); err != nil {
				t.Fatal(err)
			}
			step(tandem.ReviewTour, tandem.ReviewRerequest, t0.Add(200*time.Hour), false)
			if _, _, err := db.SetReviewStep(ctx, cr.ID, "", "escalate", t0); tandem.ErrorCode(err) != tandem.EINVALID {
				t.Errorf("an unknown step: %v, want EINVALID", err)
			}
			if _, _, err := db.SetReviewStep(ctx, cr.ID+100, "", tandem.ReviewNudge, t0); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("no such change request: %v, want ENOTFOUND", err)
			}
		})
	}
}
