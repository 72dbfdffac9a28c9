package campaign_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestPullRequestState follows a pull request's states as webhooks report
// them: closed unmerged, closed again, reopened, merged, and closed after
// the merge, on every engine. Closed or merged, the target is back on its
// ticket (a scan says when it is done); reopened, it is pr-open again.
func TestPullRequestState(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := fixtureOn(t, e.DSN, migrationYAML, map[string]string{"a": "payments"})
			ctx := t.Context()
			at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			s := &campaign.Service{Store: db, Now: func() time.Time { return at }}
			if _, err := s.Launch(ctx, "m", false); err != nil {
				t.Fatal(err)
			}
			const url = "https://git.example/acme/a/pulls/7"
			if _, err := db.AdoptChangeRequest(ctx, "m", "a", url); err != nil {
				t.Fatal(err)
			}
			toCheck := func(before time.Time) int {
				t.Helper()
				crs, err := db.ChangeRequestsToCheck(ctx, before)
				if err != nil {
					t.Fatal(err)
				}
				return len(crs)
			}
			if n := toCheck(at.Add(-time.Hour)); n != 1 {
				t.Errorf("%d pull requests never read are due a check, want 1", n)
			}
			step := func(state string, wantChanged bool, wantState, wantTarget, wantError string) {
				t.Helper()
				cr, changed, err := s.PullRequestState(ctx, url, state)
				if err != nil || changed != wantChanged || cr.State != wantState {
					t.Fatalf("PullRequestState(%s) = %s changed %v (%v), want %s changed %v", state, cr.State, changed, err, wantState, wantChanged)
				}
				targets, err := db.FindTargets(ctx, "m")
				if err != nil {
					t.Fatal(err)
				}
				if tg := targets[0]; tg.State != wantTarget || !strings.Contains(tg.Error, wantError) || (wantError == "") != (tg.Error == "") {
					t.Errorf("after %s the target is %s with error %q, want %s with %q", state, tg.State, tg.Error, wantTarget, wantError)
				}
			}
			step("closed", true, tandem.ChangeClosed, tandem.TargetTicketed, "the owners closed "+url+" without merging it")
			step("closed", false, tandem.ChangeClosed, tandem.TargetTicketed, "the owners closed "+url)
			if n := toCheck(at.Add(time.Hour)); n != 0 {
				t.Errorf("%d closed pull requests are due a check, want none", n)
			}
			step("reopened", true, tandem.ChangeOpen, tandem.TargetPROpen, "")
			if n := toCheck(at); n != 0 {
				t.Errorf("%d pull requests just read are due a check, want none", n)
			}
			if n := toCheck(at.Add(time.Second)); n != 1 {
				t.Errorf("%d pull requests read a while ago are due a check, want 1", n)
			}
			step("merged", true, tandem.ChangeMerged, tandem.TargetTicketed, "")
			step("closed", false, tandem.ChangeMerged, tandem.TargetTicketed, "")

			crs, err := db.FindChangeRequests(ctx, "m", 0)
			if err != nil || len(crs) != 1 || crs[0].MergedAt == nil || !crs[0].MergedAt.Equal(at) {
				t.Errorf("change requests = %+v (%v), want one merged at %v", crs, err, at)
			}
			tickets, err := db.FindTickets(ctx, tandem.TicketFilter{Migration: "m"})
			if err != nil {
				t.Fatal(err)
			}
			var said []string
			for _, c := range tickets[0].Comments {
				said = append(said, c.Body)
			}
			all := strings.Join(said, "\n")
			for _, want := range []string{"closed " + url + " without merging it", url + " was reopened.", "merged " + url} {
				if strings.Count(all, want) != 1 {
					t.Errorf("the ticket says %q %d times, want once:\n%s", want, strings.Count(all, want), all)
				}
			}
			if _, _, err := s.PullRequestState(ctx, "https://git.example/acme/a/pulls/8", "closed"); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("the state of someone else's pull request = %v, want ENOTFOUND", err)
			}
		})
	}
}
