package gitea_test

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/proc/proctest"
)

// TestReviewers runs on a real Gitea: a pull request opened by Propose in
// an organization's repository, its CODEOWNERS owners asked to review it
// (team payments, whose member is carol, and the user bob), and reviews
// read back by PullRequest.
func TestReviewers(t *testing.T) {
	s := giteatest.Start(t)
	ctx := context.Background()
	s.CreateOrg(t, "acme")
	s.CreateRepo(t, "acme", "api", map[string]string{"go.mod": "module api\n"})
	for _, u := range []string{"bob", "carol"} {
		s.CreateUser(t, u)
	}
	s.CreateTeam(t, "acme", "payments", "carol")

	h, err := gitea.New(codeHost(s, "acme"), env(s.AdminToken), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var _ tandem.ChangeProposer = h
	repos, _, err := h.Repositories(ctx)
	if err != nil || len(repos) != 1 {
		t.Fatalf("Repositories = %v, %v", repos, err)
	}
	if _, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repos[0].Dir, Base: "main", Branch: "tandem/logging",
		Run: []string{"sh", "-c", "echo 'go 1.26' >> go.mod"}, Message: "Upgrade logging"}); err != nil {
		t.Fatal(err)
	}
	pr, err := h.Propose(ctx, "api", "tandem/logging", "main", "Upgrade logging", "Please merge these changes.")
	if err != nil {
		t.Fatal(err)
	}
	reviews := "/repos/acme/api/pulls/" + pr.ID + "/reviews"
	isReviewed := func(t *testing.T) bool {
		t.Helper()
		got, err := h.PullRequest(ctx, "api", pr.URL)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != "open" {
			t.Errorf("state = %q, want open", got.State)
		}
		return got.Reviewed
	}

	t.Run("RequestReviewers asks the team and the user and skips e-mail addresses", func(t *testing.T) {
		if err := h.RequestReviewers(ctx, "api", pr.URL, []string{"@acme/payments", "@bob", "dev@acme.example"}); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Users []struct {
				Login string `json:"login"`
			} `json:"requested_reviewers"`
			Teams []struct {
				Name string `json:"name"`
			} `json:"requested_reviewers_teams"`
		}
		s.Call(t, "GET", "/repos/acme/api/pulls/"+pr.ID, nil, &got)
		var users, teams []string
		for _, u := range got.Users {
			users = append(users, u.Login)
		}
		for _, team := range got.Teams {
			teams = append(teams, team.Name)
		}
		if !slices.Equal(users, []string{"bob"}) || !slices.Equal(teams, []string{"payments"}) {
			t.Errorf("requested reviewers = %v and teams %v, want [bob] and [payments]", users, teams)
		}
		if got, want := requested(t, s, reviews), []string{"@bob", "team payments"}; !slices.Equal(got, want) {
			t.Errorf("requested = %v, want %v", got, want)
		}
	})

	t.Run("RequestReviewers of no handle, or only e-mail addresses, asks nobody", func(t *testing.T) {
		before := requested(t, s, reviews)
		for _, none := range [][]string{nil, {"dev@acme.example"}} {
			if err := h.RequestReviewers(ctx, "api", pr.URL, none); err != nil {
				t.Errorf("RequestReviewers(%q) = %v", none, err)
			}
		}
		if got := requested(t, s, reviews); !slices.Equal(got, before) {
			t.Errorf("requested = %v, want %v as before", got, before)
		}
	})

	t.Run("PullRequest is not reviewed by its author's review, and is by a team member's approval", func(t *testing.T) {
		if isReviewed(t) {
			t.Fatal("reviewed before any review")
		}
		s.Call(t, "POST", reviews, map[string]any{"event": "COMMENT", "body": "A note from the author."}, nil)
		if isReviewed(t) {
			t.Error("reviewed after a review by the author only")
		}
		s.CallAs(t, "carol", "POST", reviews, map[string]any{"event": "APPROVED", "body": "Fine by payments."}, nil)
		if !isReviewed(t) {
			t.Error("not reviewed after carol's approval")
		}
	})

	t.Run("RequestReviewers asks again the team and the user who reviewed", func(t *testing.T) {
		s.CallAs(t, "bob", "POST", reviews, map[string]any{"event": "REQUEST_CHANGES", "body": "One more thing."}, nil)
		// Carol's approval answered for payments, and bob answered.
		if got := requested(t, s, reviews); len(got) != 0 {
			t.Fatalf("requested after the reviews = %v, want none", got)
		}
		if err := h.RequestReviewers(ctx, "api", pr.URL, []string{"@acme/payments", "@bob"}); err != nil {
			t.Fatal(err)
		}
		if got, want := requested(t, s, reviews), []string{"@bob", "team payments"}; !slices.Equal(got, want) {
			t.Errorf("requested again = %v, want %v", got, want)
		}
	})

	for _, handle := range []string{"@ghost", "@acme/nobody"} {
		t.Run("RequestReviewers of a handle Gitea does not know, "+handle+", is not found and names it", func(t *testing.T) {
			err := h.RequestReviewers(ctx, "api", pr.URL, []string{"@bob", handle})
			if got, want := tandem.ErrorCode(err), tandem.ENOTFOUND; got != want {
				t.Fatalf("code = %q, want %q (err %v)", got, want, err)
			}
			if msg := err.Error(); !strings.Contains(msg, handle) || strings.Contains(msg, "@bob") || !strings.Contains(msg, pr.URL) {
				t.Errorf("error %q, want it to name %s and %s, and not @bob", msg, handle, pr.URL)
			}
		})
	}
}

// requested returns who the reviews of a pull request (at the API path
// reviews) ask to review it now, sorted: "@user" for a user whose latest
// review is a request, "team name" for a team's request. Gitea keeps a
// user's request beside the reviews that answer it, and removes a team's
// when a member approves or asks for changes.
func requested(t *testing.T, s *giteatest.Server, reviews string) []string {
	t.Helper()
	type review struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		User  *struct {
			Login string `json:"login"`
		} `json:"user"`
		Team *struct {
			Name string `json:"name"`
		} `json:"team"`
	}
	var got []review
	s.Call(t, "GET", reviews+"?limit=50", nil, &got)
	slices.SortFunc(got, func(a, b review) int { return cmp.Compare(a.ID, b.ID) })
	latest := map[string]string{}
	for _, r := range got {
		switch {
		case r.Team != nil:
			latest["team "+r.Team.Name] = r.State
		case r.User != nil:
			latest["@"+r.User.Login] = r.State
		default:
			t.Fatalf("review %d has neither user nor team", r.ID)
		}
	}
	var who []string
	for k, state := range latest {
		if state == "REQUEST_REVIEW" {
			who = append(who, k)
		}
	}
	slices.Sort(who)
	return who
}

// TestRequestReviewersUnavailable: a server error or a rate limit, from
// Gitea or a proxy in front of it, is unavailable, to be tried again.
func TestRequestReviewersUnavailable(t *testing.T) {
	for _, status := range []int{http.StatusBadGateway, http.StatusTooManyRequests} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var got []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = append(got, r.Method+" "+r.URL.Path)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"message": "try later"}`)
			}))
			defer srv.Close()
			h, err := gitea.New(tandem.CodeHost{Name: "forge", URL: srv.URL, Org: "acme", Token: "env:TOKEN"}, env("t0ken"), t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			err = h.RequestReviewers(context.Background(), "api", srv.URL+"/acme/api/pulls/7", []string{"@acme/payments"})
			if code := tandem.ErrorCode(err); code != tandem.EUNAVAILABLE {
				t.Errorf("code = %q, want %q (err %v)", code, tandem.EUNAVAILABLE, err)
			}
			if want := []string{"POST /api/v1/repos/acme/api/pulls/7/requested_reviewers"}; !slices.Equal(got, want) {
				t.Errorf("requests = %q, want %q", got, want)
			}
		})
	}
}
