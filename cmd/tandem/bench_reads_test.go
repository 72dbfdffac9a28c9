package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestBenchReadsLoadsEveryRoute runs `tandem bench reads` briefly, through
// serve processes of this test binary (which runs as tandem with
// TANDEM_TEST_MAIN=1) on SQLite and, where its server answers,
// PostgreSQL: every route of both fleets is in the table, loaded, without
// errors, the large fleet's campaign page down to its last page.
func TestBenchReadsLoadsEveryRoute(t *testing.T) {
	t.Setenv("TANDEM_TEST_MAIN", "1") // for the processes bench starts
	args := []string{"bench", "reads", "--duration", "1s", "--connections", "4", "--targets", "300", "--dir", t.TempDir()}
	engines := []string{"SQLite"}
	for _, e := range sqlstoretest.Engines(t) {
		if e.Name == "postgres" {
			args = append(args, "--postgres", e.DSN)
			engines = append(engines, "PostgreSQL")
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), args, adminEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("bench reads exited %d: %s", code, stderr.String())
	}
	out := stdout.String()
	const lastPage = "the campaign page's last page"
	routes := map[string][]string{
		"demo": {"/", "/campaigns/logrus-to-obslog", "/teams/payments", "/platforms/obslog", "/codebases",
			"/api/v1/adoption", "/api/v1/campaigns/logrus-to-obslog", "/api/v1/teams/payments",
			"/api/v1/platforms/obslog", "/api/v1/codebases"},
		"large 300": {"/", "/api/v1/codebases", "/campaigns/big", "/campaigns/big?state=ticketed&team=team-007",
			lastPage, "/api/v1/campaigns/big"},
	}
	latency := `\d+(\.\d+)? ms`
	for _, engine := range engines {
		for fleet, paths := range routes {
			for _, path := range paths {
				route := regexp.QuoteMeta(path)
				if path == lastPage {
					// Where the page's Last link leads, or, 300 targets
					// at 100 a page, the third numbered page.
					route = `/campaigns/big\?(\S*last=true\S*|page=3)`
				}
				re := `(?m)^\| ` + engine + ` \| ` + fleet + ` \| ` + route + ` \| [1-9]\d* \| ` +
					latency + ` \| ` + latency + ` \| 0 \| \d+\.\d KB \| ≥ \d+ req/s, p99 < 50ms \| (met|missed) \| [1-9]\d* MB \|$`
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("no row of %s, %s fleet, %s loaded without errors:\n%s", engine, fleet, path, out)
				}
			}
		}
	}
	t.Logf("bench reads printed:\n%s", out)
	if n := strings.Count(out, "\n| "+engines[0]+" | "); n != 16 {
		t.Errorf("%d rows of %s, want 16:\n%s", n, engines[0], out)
	}
	if !regexp.MustCompile(`peak memory \(RSS\) of serve under load: SQLite, demo [1-9]\d* MB; SQLite, large 300 [1-9]\d* MB`).MatchString(out) {
		t.Errorf("no peak memory of each serve:\n%s", out)
	}
}

// TestBenchReadsRefusesAnUnknownFleet fails before serving anything.
func TestBenchReadsRefusesAnUnknownFleet(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"bench", "reads", "--fleet", "demo,huge", "--dir", t.TempDir()}, adminEnv, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), `fleet "huge"`) {
		t.Errorf("bench reads --fleet demo,huge exited %d: %s", code, stderr.String())
	}
}
