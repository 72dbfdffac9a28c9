package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/bench"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
	"github.com/tandem-dev/tandem/web"
)

// pagedTargets is how many targets the campaign of the paging tests has:
// five pages of 100, the last not full.
const pagedTargets = 450

// pagedCampaign serves, on each engine, a campaign "big" of pagedTargets
// targets (bench.SeedCampaign) and runs fn on it.
func pagedCampaign(t *testing.T, fn func(t *testing.T, srv http.Handler, db *sqlstore.DB)) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := bench.SeedCampaign(t.Context(), db, pagedTargets); err != nil {
				t.Fatal(err)
			}
			fn(t, web.NewServer(db, nil, &campaign.Service{Store: db}, slog.New(slog.DiscardHandler), prometheus.NewRegistry()), db)
		})
	}
}

// getPage answers a GET of path on srv.
func getPage(srv http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

var (
	targetRow = regexp.MustCompile(`<tr>\s*<td><a href="/codebases/([^"]+)">`)
	pagerLink = regexp.MustCompile(`<a href="([^"]+)"[^>]*>([^<]+)</a>`)
)

// campaignPage reads a campaign page of srv: the codebases of its
// targets, its pager's links by text, and the page.
func campaignPage(t *testing.T, srv http.Handler, path string) ([]string, map[string]string, string) {
	t.Helper()
	rec := getPage(srv, path)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", path, rec.Code, rec.Body)
	}
	body := rec.Body.String()
	var codebases []string
	for _, m := range targetRow.FindAllStringSubmatch(body, -1) {
		codebases = append(codebases, m[1])
	}
	_, nav, _ := strings.Cut(body, `<nav class="pager"`)
	nav, _, _ = strings.Cut(nav, "</nav>")
	links := map[string]string{}
	for _, m := range pagerLink.FindAllStringSubmatch(nav, -1) {
		links[html.UnescapeString(m[2])] = "/campaigns/big" + strings.TrimSuffix(html.UnescapeString(m[1]), "#targets")
	}
	return codebases, links, body
}

// walkPages follows the pager's link called next from path until there
// is none, and returns every target's codebase in the order of the
// pages, and the pages' bodies.
func walkPages(t *testing.T, srv http.Handler, path, next string) ([]string, []string) {
	t.Helper()
	var all, bodies []string
	for range 20 {
		codebases, links, body := campaignPage(t, srv, path)
		if len(codebases) > 100 {
			t.Fatalf("GET %s: %d targets on a page", path, len(codebases))
		}
		all = append(all, codebases...)
		bodies = append(bodies, body)
		if path = links[next]; path == "" {
			return all, bodies
		}
	}
	t.Fatalf("following %q from %s never ends", next, path)
	return nil, nil
}

// codebasesOf returns the codebases of the targets of campaign big that
// keep returns true for, in the store's order.
func codebasesOf(t *testing.T, db *sqlstore.DB, keep func(tandem.Target) bool) []string {
	t.Helper()
	targets, err := db.FindTargets(t.Context(), "big")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range targets {
		if keep(x) {
			out = append(out, x.Codebase)
		}
	}
	return out
}

// TestCampaignPagePager walks a campaign page's targets with Next from
// the first page and with Previous from the last, filtered or not: both
// list every matching target once, in order, and the ends say where they
// are.
func TestCampaignPagePager(t *testing.T) {
	pagedCampaign(t, func(t *testing.T, srv http.Handler, db *sqlstore.DB) {
		for _, f := range []struct{ query, state, team string }{
			{"", "", ""},
			{"?state=pending&team=", "pending", ""},
			{"?state=&team=team-007", "", "team-007"},
			{"?state=pending&team=team-007", "pending", "team-007"},
		} {
			want := codebasesOf(t, db, func(x tandem.Target) bool {
				return (f.state == "" || x.State == f.state) && (f.team == "" || x.Team == f.team)
			})
			forward, bodies := walkPages(t, srv, "/campaigns/big"+f.query, "Next →")
			if !slices.Equal(forward, want) {
				t.Errorf("%q with Next: %d targets %v…, want %d", f.query, len(forward), forward[:min(3, len(forward))], len(want))
			}
			first := fmt.Sprintf("%d targets match · 1–%d · page 1 of %d", len(want), min(100, len(want)), (len(want)+99)/100)
			if !strings.Contains(bodies[0], first) {
				t.Errorf("%q: the first page does not say %q", f.query, first)
			}
			_, links, _ := campaignPage(t, srv, "/campaigns/big"+f.query)
			if len(want) > 100 && (links["Last"] == "" || links["First"] != "" || links["← Previous"] != "") {
				t.Errorf("%q: first page's links %v, want Next and Last only", f.query, links)
			}
			for text, link := range links {
				if !strings.Contains(link, "state="+f.state+"&team="+f.team) {
					t.Errorf("%q: link %s %s drops the filter", f.query, text, link)
				}
			}
			if links["Last"] == "" {
				continue
			}
			backward, bodies := walkPages(t, srv, links["Last"], "← Previous")
			if !sameReversedPages(backward, want) {
				t.Errorf("%q with Previous from the last: %d targets, want the %d in pages from the end", f.query, len(backward), len(want))
			}
			last := fmt.Sprintf("%d targets match · %d–%d · page %d of %d", len(want), len(want)-99, len(want), (len(want)+99)/100, (len(want)+99)/100)
			if !strings.Contains(bodies[0], last) {
				t.Errorf("%q: the last page does not say %q", f.query, last)
			}
		}
	})
}

// sameReversedPages reports whether got is want cut in pages of 100 from
// its end, the last page first.
func sameReversedPages(got, want []string) bool {
	var pages [][]string
	for end := len(want); end > 0; end -= 100 {
		pages = append(pages, want[max(0, end-100):end])
	}
	return slices.Equal(got, slices.Concat(pages...))
}

// TestCampaignPageRefusals answers 422 naming the parameter for keys that
// cannot be codebases or pages, and 404 for a page past the last; the
// page numbers of old links reach the first and the last page.
func TestCampaignPageRefusals(t *testing.T) {
	pagedCampaign(t, func(t *testing.T, srv http.Handler, _ *sqlstore.DB) {
		for _, tc := range []struct {
			query string
			code  int
			says  string
		}{
			{"after=%00", http.StatusUnprocessableEntity, "after:"},
			{"before=" + strings.Repeat("x", 1025), http.StatusUnprocessableEntity, "before:"},
			{"last=maybe", http.StatusUnprocessableEntity, "last:"},
			{"after=svc-00001&before=svc-00200", http.StatusUnprocessableEntity, "before:"},
			{"page=0", http.StatusUnprocessableEntity, "page:"},
			{"page=9223372036854775807", http.StatusUnprocessableEntity, "page:"},
			{"page=3", http.StatusUnprocessableEntity, "page:"},
			{"page=6", http.StatusNotFound, "page 6 not found"},
			{"page=1", http.StatusOK, "page 1 of 5"},
			{"page=5", http.StatusOK, "351–450 · page 5 of 5"},
			{"state=ticketed&team=team-007&page=2", http.StatusNotFound, "page 2 not found"},
			{"after=zzz", http.StatusOK, "450 targets match"},
		} {
			rec := getPage(srv, "/campaigns/big?"+tc.query)
			if body, _ := io.ReadAll(rec.Body); rec.Code != tc.code || !strings.Contains(string(body), tc.says) {
				t.Errorf("?%.60s: %d, want %d saying %q: %.300s", tc.query, rec.Code, tc.code, tc.says, body)
			}
		}
	})
}

// TestCampaignTargetsAPI reads a campaign's targets a page at a time
// through the Link headers, filtered or not, and its status without
// them: the counts, teams and burndown of every target.
func TestCampaignTargetsAPI(t *testing.T) {
	pagedCampaign(t, func(t *testing.T, srv http.Handler, db *sqlstore.DB) {
		for _, q := range []string{"", "state=pending", "team=team-007", "state=ticketed&team=team-007"} {
			var got []string
			path := "/api/v1/campaigns/big/targets?limit=70&" + q
			for pages := 0; path != ""; pages++ {
				rec := getPage(srv, path)
				var page []tandem.Target
				if err := json.Unmarshal(rec.Body.Bytes(), &page); rec.Code != http.StatusOK || err != nil || len(page) > 70 || pages > 10 {
					t.Fatalf("GET %s: %d %v, %d targets on page %d", path, rec.Code, err, len(page), pages)
				}
				for _, x := range page {
					got = append(got, x.Codebase)
				}
				path = nextLink(rec.Header().Get("Link"))
			}
			vals := mustQuery(t, q)
			want := codebasesOf(t, db, func(x tandem.Target) bool {
				return (vals.state == "" || x.State == vals.state) && (vals.team == "" || x.Team == vals.team)
			})
			if !slices.Equal(got, want) {
				t.Errorf("?%s: %d targets, want %d", q, len(got), len(want))
			}
		}
		for path, code := range map[string]int{
			"/api/v1/campaigns/big/targets?after=bm90LWEtY3Vyc29y": http.StatusUnprocessableEntity,
			"/api/v1/campaigns/big/targets?limit=0":                http.StatusUnprocessableEntity,
			"/api/v1/campaigns/ghost/targets":                      http.StatusNotFound,
		} {
			if rec := getPage(srv, path); rec.Code != code {
				t.Errorf("GET %s: %d, want %d", path, rec.Code, code)
			}
		}
		checkStatus(t, srv)
	})
}

// checkStatus reads campaign big's status: no targets, and counts,
// teams and burndown that each add up to every target.
func checkStatus(t *testing.T, srv http.Handler) {
	t.Helper()
	rec := getPage(srv, "/api/v1/campaigns/big")
	var raw map[string]json.RawMessage
	var st web.CampaignStatus
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil || json.Unmarshal(rec.Body.Bytes(), &st) != nil {
		t.Fatalf("status: %d %v %.300s", rec.Code, err, rec.Body)
	}
	if _, ok := raw["targets"]; ok {
		t.Errorf("the status lists targets")
	}
	sum := func(m map[string]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	teams := 0
	for _, p := range st.Teams {
		teams += p.Total
	}
	if sum(st.Counts) != pagedTargets || teams != pagedTargets || len(st.Teams) != 201 || st.Teams[0].Team != campaign.Unowned {
		t.Errorf("status counts %d targets, teams %d in %d teams (first %q), want %d in 200 teams and the unowned",
			sum(st.Counts), teams, len(st.Teams), st.Teams[0].Team, pagedTargets)
	}
	if len(st.Burndown) == 0 || st.Burndown[len(st.Burndown)-1].Open != open(st.Counts) {
		t.Errorf("burndown %v, want it to end at the %d open", st.Burndown, open(st.Counts))
	}
}

// open returns how many of counts are open (exempt ones included: the
// burndown counts them as never open).
func open(counts map[string]int) (n int) {
	for state, c := range counts {
		if tandem.TargetOpen(state) {
			n += c
		}
	}
	return n
}

// filterQuery is the state and team of a query.
type filterQuery struct{ state, team string }

// mustQuery returns the state and team of query q.
func mustQuery(t *testing.T, q string) filterQuery {
	t.Helper()
	u, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "/?"+q, nil)
	if err != nil {
		t.Fatal(err)
	}
	return filterQuery{state: u.URL.Query().Get("state"), team: u.URL.Query().Get("team")}
}

// nextLink returns the URL of a Link header's rel="next", or "".
func nextLink(link string) string {
	ref, params, ok := strings.Cut(link, ";")
	if !ok || !strings.Contains(params, `rel="next"`) {
		return ""
	}
	return strings.Trim(strings.TrimSpace(ref), "<>")
}

// TestCodebasesAPIPages reads the codebase list a page at a time, as the
// API's clients do through its Link headers, filtered by owner or not:
// every codebase once, in order; a cursor of another list is refused.
func TestCodebasesAPIPages(t *testing.T) {
	pagedCampaign(t, func(t *testing.T, srv http.Handler, db *sqlstore.DB) {
		for _, tc := range []struct {
			filter tandem.CodebaseFilter
			query  url.Values
			limit  int
		}{
			{tandem.CodebaseFilter{Declared: true}, url.Values{}, 7},
			{tandem.CodebaseFilter{Owner: "team-007", Declared: true}, url.Values{"owner": {"team-007"}}, 1},
		} {
			cs, err := db.FindCodebases(t.Context(), tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, c := range cs {
				want = append(want, c.Name)
			}
			ts := httptest.NewServer(srv)
			var all []tandem.Codebase
			err = (&web.Client{URL: ts.URL}).Get(t.Context(), "codebases", "", tc.query, &all)
			ts.Close()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range all {
				got = append(got, c.Name)
			}
			if len(want) < 2 || !slices.Equal(got, want) {
				t.Errorf("%v: the client read %d codebases, want the %d of the store", tc.query, len(got), len(want))
			}
			tc.query.Set("limit", fmt.Sprint(tc.limit))
			first := getPage(srv, "/api/v1/codebases?"+tc.query.Encode())
			var page []tandem.Codebase
			if err := json.Unmarshal(first.Body.Bytes(), &page); err != nil || len(page) != tc.limit || !strings.Contains(first.Header().Get("Link"), `rel="next"`) {
				t.Errorf("%v: first page: %d codebases, %v, Link %q", tc.query, len(page), err, first.Header().Get("Link"))
			}
		}
		if rec := getPage(srv, "/api/v1/codebases?after=bjo3"); rec.Code != http.StatusUnprocessableEntity { // "n:7"
			t.Errorf("an offset cursor: %d, want 422", rec.Code)
		}
	})
}
