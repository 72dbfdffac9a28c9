package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// faultyProxy stands in front of a code host's API and misbehaves on a
// share of calls: every 5th is answered 429 with Retry-After without
// reaching the host, and every 3rd write reaches the host but its answer
// is lost behind a 500, the worst case for a client that retries.
type faultyProxy struct {
	next            http.Handler
	mu              sync.Mutex
	calls, writes   int
	limited, failed int
}

func (p *faultyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		p.next.ServeHTTP(w, r) // git over HTTP passes untouched
		return
	}
	p.mu.Lock()
	p.calls++
	limit := p.calls%5 == 0
	lose := false
	if !limit && r.Method != http.MethodGet {
		p.writes++
		lose = p.writes%3 == 0
	}
	if limit {
		p.limited++
	}
	if lose {
		p.failed++
	}
	p.mu.Unlock()
	switch {
	case limit:
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"message": "rate limited"}`, http.StatusTooManyRequests)
	case lose:
		rec := httptest.NewRecorder()
		p.next.ServeHTTP(rec, r)
		http.Error(w, `{"message": "internal error"}`, http.StatusInternalServerError)
	default:
		p.next.ServeHTTP(w, r)
	}
}

// TestFaultyCodeHost launches a campaign of eight tickets, then escalates
// its eight stragglers, through a proxy that rate-limits and loses
// answers: relaunching and escalating again converge, and Gitea holds
// each ticket and each pull request exactly once.
func TestFaultyCodeHost(t *testing.T) {
	t.Parallel()
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	g.CreateRepo(t, "acme", "backlog", map[string]string{"README.md": "Backlog\n"})
	const teams = 8
	var catalog strings.Builder
	for i := range teams {
		team := fmt.Sprintf("team%d", i)
		g.CreateRepo(t, "acme", "svc"+fmt.Sprint(i), map[string]string{"CODEOWNERS": "* @acme/" + team + "\n", "main.go": logrusImport})
		catalog.WriteString("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: " + team + "}\nspec: {type: stream-aligned, tracker: {type: gitea, host: forge, repo: acme/backlog}}\n---\n")
		catalog.WriteString("apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: svc" + fmt.Sprint(i) + "}\nspec: {contributions: open}\n---\n")
	}
	target, err := url.Parse(g.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &faultyProxy{next: httputil.NewSingleHostReverseProxy(target)}
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)

	catalog.WriteString(obslogCampaign(ps.URL, true))
	file := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, file, catalog.String())
	url := startServerEnv(t, sqlstoretest.SQLite(t), map[string]string{"FORGE_TOKEN": g.AdminToken})
	applyAndScan(t, url, file)

	converge(t, url, teams)
	var issues []struct {
		Number int    `json:"number"`
		Body   string `json:"body"`
	}
	g.Call(t, http.MethodGet, "/repos/acme/backlog/issues?state=all&type=issues&limit=50", nil, &issues)
	seen := make(map[string]int)
	for _, is := range issues {
		for i := range teams {
			if strings.Contains(is.Body, tandem.TicketMarker("logrus-to-obslog", fmt.Sprintf("team%d", i), "")) {
				seen[fmt.Sprint(i)]++
			}
		}
	}
	if len(issues) != teams || len(seen) != teams {
		t.Errorf("Gitea holds %d issues for %d teams, want exactly one per team: %v", len(issues), len(seen), seen)
	}

	// Escalating through the same proxy opens one pull request per
	// straggler, however many answers were lost on the way.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var c tandem.Campaign
	for ctx.Err() == nil {
		tandemCLI(t, url, "campaign", "escalate", "logrus-to-obslog")
		getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
		if strings.Count(targetStates(c), "=pr-open") == teams {
			break
		}
	}
	if got := strings.Count(targetStates(c), "=pr-open"); got != teams {
		t.Fatalf("%d of %d targets have a pull request after three minutes: %s", got, teams, targetStates(c))
	}
	for i := range teams {
		var pulls []struct {
			Number int `json:"number"`
		}
		g.Call(t, http.MethodGet, fmt.Sprintf("/repos/acme/svc%d/pulls?state=all", i), nil, &pulls)
		if len(pulls) != 1 {
			t.Errorf("svc%d has %d pull requests, want exactly one", i, len(pulls))
		}
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if proxy.limited == 0 || proxy.failed == 0 {
		t.Errorf("the proxy rate-limited %d calls and lost %d answers; the test needs both", proxy.limited, proxy.failed)
	}
}
