package campaign_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// reviewHost stands in for a code host's pull requests: it records the
// reviewers asked, fails to ask them while fail is set, and says which
// pull requests someone reviewed.
type reviewHost struct {
	mu       sync.Mutex
	asked    []string
	fail     error
	reviewed map[string]bool
	reads    int
}

func (h *reviewHost) Propose(context.Context, string, string, string, string, string) (tandem.ExternalTicket, error) {
	return tandem.ExternalTicket{}, errors.New("no pull requests are opened in these tests")
}

func (h *reviewHost) PullRequest(_ context.Context, _, url string) (tandem.ExternalTicket, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reads++
	return tandem.ExternalTicket{URL: url, State: "open", Reviewed: h.reviewed[url]}, nil
}

func (h *reviewHost) CommentPullRequest(context.Context, string, string, string, string) error {
	return nil
}

func (h *reviewHost) RequestReviewers(_ context.Context, _, url string, reviewers []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil {
		return h.fail
	}
	h.asked = append(h.asked, url+" "+strings.Join(reviewers, ","))
	return nil
}

func (h *reviewHost) set(f func(h *reviewHost)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

// reviewYAML declares a gitea host, forge, beside the local one; review
// is the migration's review: line, if any.
func reviewYAML(review string) string {
	return `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "https://git.example.com", org: acme, token: env:FORGE}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: local}
spec: {type: local, path: /tmp}
---
` + migrationYAML + review
}

// reviewFixture is a launched migration on codebases a (payments) and b
// (search) of host, on every engine, each test on a fresh database.
func reviewFixture(t *testing.T, review, host string, test func(t *testing.T, db *sqlstore.DB)) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := fixtureOn(t, e.DSN, reviewYAML(review), nil)
			ctx := t.Context()
			for name, owner := range map[string]string{"a": "payments", "b": "search"} {
				c := tandem.Codebase{Name: name, Host: host, DefaultBranch: "main", Head: "c1", Location: "/repos/" + name}
				c.Ownership.Codeowners = []string{"@acme/" + owner}
				results := []tandem.CheckResult{{Check: tandem.CheckID("migration", "m", tandem.RoleTarget), Commit: "c1", Holds: true,
					Evidence: []tandem.Match{{Path: "main.go", Line: 3}}}}
				if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: c, Results: results}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := (&campaign.Service{Store: db}).Launch(ctx, "m", false); err != nil {
				t.Fatal(err)
			}
			test(t, db)
		})
	}
}

// openChange opens the change request Tandem pushed for the target at
// address, with reviewers; url "" makes a built-in one.
func openChange(t *testing.T, db *sqlstore.DB, address, url string, reviewers ...string) tandem.ChangeRequest {
	t.Helper()
	codebase, part := tandem.ParseTargetAddress(address)
	cr, _, err := db.OpenChangeRequest(t.Context(), tandem.ChangeRequest{Migration: "m", Codebase: codebase, Part: part,
		Branch: "tandem/m", Commit: "c2", Title: "Replace logrus", URL: url, Reviewers: reviewers})
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

// makeShard makes codebase's target the part of it that team owns, as a
// scan does where a narrower CODEOWNERS rule gives team its paths.
func makeShard(t *testing.T, db *sqlstore.DB, codebase, team string) {
	t.Helper()
	if _, err := db.SQL().ExecContext(t.Context(), "UPDATE targets SET part = $1 WHERE migration = 'm' AND codebase = $2", team, codebase); err != nil {
		t.Fatal(err)
	}
}

// routed returns what routing did, as "target:action", failing the test
// on an error of the store.
func routed(t *testing.T, s *campaign.Service) string {
	t.Helper()
	out, err := s.RouteReviews(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var each []string
	for _, r := range out {
		each = append(each, r.Target+":"+r.Action)
	}
	return strings.Join(each, " ")
}

// changeOf returns the change request id as the store has it now.
func changeOf(t *testing.T, db *sqlstore.DB, id int64) tandem.ChangeRequest {
	t.Helper()
	crs, err := db.FindChangeRequests(t.Context(), "m", id)
	if err != nil {
		t.Fatal(err)
	}
	return crs[0]
}

// ticketSays returns the comments of team's ticket of m, one a line.
func ticketSays(t *testing.T, db *sqlstore.DB, team string) string {
	t.Helper()
	tickets, err := db.FindTickets(t.Context(), tandem.TicketFilter{Migration: "m", Team: team})
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, c := range tickets[0].Comments {
		said = append(said, c.Body)
	}
	return strings.Join(said, "\n")
}

// TestRouteReviewsTakesEachStepInTurn: a pull request nobody reviews
// takes its steps in order, one per review.after from the step before,
// through the tick: its reviewers asked again on the host, the ticket
// nudged (and the team's chat told), a Tour of Duty proposed; then
// nothing more.
func TestRouteReviewsTakesEachStepInTurn(t *testing.T) {
	reviewFixture(t, "  review: {after: 3d}\n", "forge", func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		const url = "https://git.example.com/acme/a/pulls/7"
		cr := openChange(t, db, "a", url, "@acme/payments", "@alice")
		host := &reviewHost{}
		var chat []string
		var now time.Time
		s := &campaign.Service{Store: db, Now: func() time.Time { return now },
			Proposers: func(tandem.CodeHost) (tandem.ChangeProposer, error) { return host, nil },
			Notify: func(_ context.Context, c tandem.Chat, text string) error {
				chat = append(chat, text)
				return nil
			}}
		objs, err := manifest.Decode([]manifest.Source{{Name: "t.yaml", Data: []byte(`apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, aliases: ["@acme/payments"], chat: {webhook: env:PAYMENTS_CHAT}}
`)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Apply(ctx, objs); err != nil {
			t.Fatal(err)
		}
		// base is the change request's opening, to PostgreSQL's
		// microseconds, rounded up so that base+after is past due.
		base := cr.CreatedAt.Truncate(time.Microsecond).Add(time.Microsecond)
		tick := func(at time.Duration) {
			t.Helper()
			now = base.Add(at)
			if _, err := s.Tick(ctx); err != nil {
				t.Fatalf("tick at %v: %v", at, err)
			}
		}
		day := 24 * time.Hour
		step := func(want string, at time.Duration) {
			t.Helper()
			wantAt := base.Add(at)
			if got := changeOf(t, db, cr.ID); got.ReviewStep != want || want != "" && !got.ReviewStepAt.Equal(wantAt) {
				t.Fatalf("at %v: review step %q at %v, want %q at %v", now.Sub(cr.CreatedAt), got.ReviewStep, got.ReviewStepAt, want, at)
			}
		}

		tick(3*day - time.Minute)
		step("", 0)
		tick(3 * day)
		step(tandem.ReviewRerequest, 3*day)
		if got, want := strings.Join(host.asked, "; "), url+" @acme/payments,@alice"; got != want {
			t.Errorf("reviewers asked: %q, want %q", got, want)
		}
		tick(5 * day) // 2 days after the step: not yet
		step(tandem.ReviewRerequest, 3*day)
		tick(6 * day)
		step(tandem.ReviewNudge, 6*day)
		nudges, err := db.NudgeTimes(ctx, "m")
		if err != nil {
			t.Fatal(err)
		}
		if len(nudges) != 1 {
			t.Errorf("nudges = %v, want the payments ticket's one", nudges)
		}
		if len(chat) != 1 || !strings.HasPrefix(chat[0], "[payments] Reminder: "+url+" (the change to a) has waited 6d for a review by @acme/payments, @alice.") {
			t.Errorf("chat received %q, want the nudge for payments", chat)
		}
		tick(9 * day)
		step(tandem.ReviewTour, 9*day)
		tours, err := db.FindEngagements(ctx, tandem.EngagementFilter{Migration: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if len(tours) != 1 || tours[0].HostTeam != "payments" || tours[0].HomeTeam != "observability" || strings.Join(tours[0].Codebases, ",") != "a" {
			t.Errorf("engagements = %+v, want a Tour of Duty of observability with payments for a", tours)
		}
		if tg := target(t, db, "a"); tg.State != tandem.TargetPROpen {
			t.Errorf("the target is %s, want pr-open: its change request is still open", tg.State)
		}
		tick(30 * day)
		step(tandem.ReviewTour, 9*day)
		if len(host.asked) != 1 || len(chat) != 1 {
			t.Errorf("after the last step: asked %q, chat %q; want nothing more", host.asked, chat)
		}

		said := ticketSays(t, db, "payments")
		for _, want := range []string{
			"Nobody has reviewed " + url + " (the change to a) in the 3d since it was opened: Tandem asked @acme/payments, @alice to review it again.",
			"Reminder: " + url + " (the change to a) has waited 6d for a review by @acme/payments, @alice.",
			"Nobody has reviewed " + url + " (the change to a) in the 9d since it was opened: the platform team proposes a Tour of Duty",
			"Nobody has reviewed the change to a, so the platform team proposes a Tour of Duty (engagement",
		} {
			if strings.Count(said, want) != 1 {
				t.Errorf("the ticket says %q %d times, want once:\n%s", want, strings.Count(said, want), said)
			}
		}
	})
}

// TestRouteReviewsLeavesReviewedAlone: a change request approved in
// Tandem, or reviewed on its code host, takes no step; nor does one
// before its review.after, or one the team opened (no branch).
func TestRouteReviewsLeavesReviewedAlone(t *testing.T) {
	reviewFixture(t, "  review: {after: 1d, steps: [nudge]}\n", "forge", func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		approved := openChange(t, db, "a", "https://git.example.com/acme/a/pulls/1")
		reviewed := openChange(t, db, "b", "https://git.example.com/acme/b/pulls/2")
		if _, err := db.ApproveChangeRequest(ctx, "m", "a", "alice"); err != nil {
			t.Fatal(err)
		}
		host := &reviewHost{reviewed: map[string]bool{reviewed.URL: true}}
		now := reviewed.CreatedAt.Add(23 * time.Hour)
		s := &campaign.Service{Store: db, Now: func() time.Time { return now },
			Proposers: func(tandem.CodeHost) (tandem.ChangeProposer, error) { return host, nil }}
		if got := routed(t, s); got != "" {
			t.Errorf("before review.after: routed %q, want nothing", got)
		}
		now = now.Add(2 * time.Hour)
		if got := routed(t, s); got != "" {
			t.Errorf("approved and reviewed: routed %q, want nothing", got)
		}
		// Reviewed on its host: routing is over, and the host is not
		// read again, whatever it says later.
		if got := changeOf(t, db, reviewed.ID).ReviewStep; got != tandem.ReviewReviewed {
			t.Errorf("the reviewed change request's step is %q, want %q", got, tandem.ReviewReviewed)
		}
		host.set(func(h *reviewHost) { h.reviewed, h.reads = nil, 0 })
		now = now.Add(48 * time.Hour)
		if got := routed(t, s); got != "" || host.reads != 0 {
			t.Errorf("after its review: routed %q, %d reads of the host; want nothing", got, host.reads)
		}
		if got := changeOf(t, db, approved.ID).ReviewStep; got != "" {
			t.Errorf("the approved change request took step %q, want none", got)
		}
	})
}

// TestRouteReviewsShardsByDefault: without review:, only shards are
// routed, a week apart, on a local code host too (its reviewers asked on
// the ticket); the tour step proposes a Tour of Duty for the shard's
// target, codebase:part, with the part's team.
func TestRouteReviewsShardsByDefault(t *testing.T) {
	reviewFixture(t, "", "local", func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		makeShard(t, db, "b", "search")
		whole := openChange(t, db, "a", "", "@acme/payments")
		shard := openChange(t, db, "b:search", "", "@acme/search")
		var now time.Time
		s := &campaign.Service{Store: db, Now: func() time.Time { return now }}
		at := func(d time.Duration) { now = shard.CreatedAt.Add(d) }
		day := 24 * time.Hour
		for _, tt := range []struct {
			at   time.Duration
			want string
		}{
			{7*day - time.Minute, ""},
			{7 * day, "b:search:rerequest"},
			{13 * day, ""},
			{14 * day, "b:search:nudge"},
			{21 * day, "b:search:tour"},
			{60 * day, ""},
		} {
			at(tt.at)
			if got := routed(t, s); got != tt.want {
				t.Errorf("after %v: routed %q, want %q", tt.at, got, tt.want)
			}
		}
		if got := changeOf(t, db, whole.ID).ReviewStep; got != "" {
			t.Errorf("the whole-codebase change request took step %q: only shards are routed by default", got)
		}
		if said := ticketSays(t, db, "search"); !strings.Contains(said, "in the 7d since it was opened: @acme/search, please review it.") {
			t.Errorf("the ticket does not ask the reviewers of the built-in change request:\n%s", said)
		}
		tours, err := db.FindEngagements(ctx, tandem.EngagementFilter{Migration: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if len(tours) != 1 || tours[0].HostTeam != "search" || strings.Join(tours[0].Codebases, ",") != "b:search" {
			t.Errorf("engagements = %+v, want one with search for b:search", tours)
		}
	})
}

// TestRouteReviewsRetriesAFailedStep: reviewers the code host fails to
// ask make an error, reported by the tick, and no step recorded; the
// next tick asks them again.
func TestRouteReviewsRetriesAFailedStep(t *testing.T) {
	reviewFixture(t, "  review: {after: 3d, steps: [rerequest, tour]}\n", "forge", func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		cr := openChange(t, db, "b", "https://git.example.com/acme/b/pulls/3", "@acme/search")
		host := &reviewHost{fail: errors.New("503 Service Unavailable")}
		now := cr.CreatedAt.Truncate(time.Microsecond).Add(3*24*time.Hour + time.Microsecond) // PostgreSQL's precision, past due
		s := &campaign.Service{Store: db, Now: func() time.Time { return now },
			Proposers: func(tandem.CodeHost) (tandem.ChangeProposer, error) { return host, nil }}
		if _, err := s.Tick(ctx); err == nil || !strings.Contains(err.Error(), "request reviewers: 503 Service Unavailable") {
			t.Errorf("tick = %v, want the failed request for reviewers", err)
		}
		if got := changeOf(t, db, cr.ID).ReviewStep; got != "" {
			t.Errorf("a failed step was recorded: %q", got)
		}
		host.set(func(h *reviewHost) { h.fail = nil })
		now = now.Add(time.Minute)
		if got, want := routed(t, s), "b:rerequest"; got != want {
			t.Errorf("the next tick routed %q, want %q", got, want)
		}
		if got := changeOf(t, db, cr.ID); got.ReviewStep != tandem.ReviewRerequest || !got.ReviewStepAt.Equal(now) {
			t.Errorf("review step %q at %v, want rerequest at %v", got.ReviewStep, got.ReviewStepAt, now)
		}
	})
}
