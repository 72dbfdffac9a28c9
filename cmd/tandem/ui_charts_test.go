package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	_ "modernc.org/sqlite"

	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestUICharts looks at the charts of the demo in a browser on its first
// day and after a week of history: the history is made by real scans,
// launches, exemptions and fixes, then moved back in time in the database
// the server serves.
func TestUICharts(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dsn := sqlstoretest.SQLite(t)
	demoDir := filepath.Join(t.TempDir(), "demo")
	url := startServer(t, dsn, "--demo="+demoDir)
	cli := func(args ...string) {
		t.Helper()
		if code, out, errOut := tandemCLI(t, url, args...); code != 0 {
			t.Fatalf("tandem %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	shots := artifacts(t)
	shoot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, "charts-"+name+".png"), png, 0o644)
		})
	}
	open := func(t *testing.T, path, shot string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url+path), chromedp.WaitVisible("h1"), shoot(shot)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	texts := func(t *testing.T, sel string) []string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+jsString(sel)+`)].map(e => e.textContent.trim())`))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return got
	}
	count := func(t *testing.T, sel string) int { t.Helper(); return len(texts(t, sel)) }
	hasAll := func(t *testing.T, what string, got []string, want ...string) {
		t.Helper()
		all := strings.Join(got, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s lacks %q: %q", what, w, got)
			}
		}
	}
	const burndown = `svg[aria-label^="Open targets of logrus-to-obslog"]`

	// Day one: the fleet is scanned, the campaign launched and one target
	// exempted, all within minutes.
	cli("scan", "--wait")
	cli("campaign", "launch", "logrus-to-obslog")
	cli("campaign", "exempt", "logrus-to-obslog", "--codebase", "search-indexer", "--reason", "rewritten next quarter", "--until", "2099-01-31", "--by", "dan")

	t.Run("DayOneTheBurndownHasItsIdealLineAndAPointPerChange", func(t *testing.T) {
		open(t, "/campaigns/logrus-to-obslog", "campaign-day-one")
		if got := count(t, burndown+" path.ideal"); got != 1 {
			t.Errorf("ideal lines = %d, want 1", got)
		}
		// The scan found payments-api (1 open), then search-indexer (2),
		// then search-indexer was exempted (1): three changes on one day.
		if got := count(t, burndown+" circle.point"); got != 3 {
			t.Errorf("points = %d, want 3, one per change: %q", got, texts(t, burndown+" circle.point title"))
		}
		hasAll(t, "the burndown's legend", texts(t, burndown+" .legend text"), "open targets", "ideal: launch to none at the deadline", "deadline 2027-03-31")
		hasAll(t, "the burndown's description", texts(t, burndown+" desc"), "open targets: from 1 on", "to 1 on", "(3 changes)", "ideal: launch to none at the deadline: from 2 on", "deadline: 2027-03-31")
		hasAll(t, "the progress bar's legend", texts(t, `svg[aria-label^="logrus-to-obslog progress"] .legend text`), "exempt 1", "ticketed 1")
	})

	t.Run("DayOneTheAdoptionTrendIsALabelledValue", func(t *testing.T) {
		open(t, "/", "home-day-one")
		hasAll(t, "the home page's adoption", texts(t, `svg[aria-label="Codebases adopting obslog"] .legend`), "2 codebases today")
		if got := count(t, `svg[aria-label="Codebases adopting obslog"] circle`); got != 0 {
			t.Errorf("the adoption trend of one day draws %d lone dots", got)
		}
		hasAll(t, "the home page's progress bar legend", texts(t, `svg[aria-label^="logrus-to-obslog progress"] .legend text`), "exempt 1", "ticketed 1")
	})

	// A week of history: the targets were found seven days ago, the
	// campaign launched six days ago, search-indexer exempted four days
	// ago and payments-api fixed two days ago; obslog was adopted by
	// search-api seven days ago and by payments-ledger three days ago.
	repo := filepath.Join(demoDir, "repos", "payments-api")
	if err := os.WriteFile(filepath.Join(repo, "main.go"), []byte("package main\n\nimport log \"acme.dev/obslog\"\n\nfunc main() { log.Info(\"payments\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gittest.Run(t, repo, "commit", "--quiet", "-am", "Log with obslog")
	cli("scan", "--wait")
	now := time.Now().UTC()
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"UPDATE targets SET found_at = $1 WHERE migration = 'logrus-to-obslog'", []any{ago(7)}},
		{"UPDATE targets SET ticketed_at = $1 WHERE migration = 'logrus-to-obslog' AND ticketed_at IS NOT NULL", []any{ago(6)}},
		{"UPDATE tickets SET created_at = $1 WHERE migration = 'logrus-to-obslog'", []any{ago(6)}},
		{"UPDATE targets SET exemption = json_set(exemption, '$.at', $1) WHERE codebase = 'search-indexer'", []any{ago(4).Format(time.RFC3339Nano)}},
		{"UPDATE targets SET done_at = $1 WHERE codebase = 'payments-api' AND state = 'done'", []any{ago(2)}},
		{"UPDATE check_history SET changed_at = $1 WHERE codebase = 'search-api'", []any{ago(7)}},
		{"UPDATE check_history SET changed_at = $1 WHERE codebase = 'payments-ledger'", []any{ago(3)}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}

	t.Run("AfterAWeekTheBurndownStepsAtEachChange", func(t *testing.T) {
		open(t, "/campaigns/logrus-to-obslog", "campaign-week")
		if got := count(t, burndown+" path.ideal"); got != 1 {
			t.Errorf("ideal lines = %d, want 1", got)
		}
		// Found (2), exempted (1), fixed (0).
		hasAll(t, "the burndown's points", texts(t, burndown+" circle.point title"),
			"open targets: 2 at "+ago(7).Format("Jan 2"), "open targets: 1 at "+ago(4).Format("Jan 2"), "open targets: 0 at "+ago(2).Format("Jan 2"))
		if got := count(t, burndown+" circle.point"); got != 3 {
			t.Errorf("points = %d, want 3", got)
		}
		hasAll(t, "the burndown's description", texts(t, burndown+" desc"), "ideal: launch to none at the deadline: from 2 on "+ago(6).Format(time.DateOnly))
		hasAll(t, "the burndown's axis", texts(t, burndown+" .axis-dates text"), ago(7).Format("Jan 2"))
		hasAll(t, "the progress bar's legend", texts(t, `svg[aria-label^="logrus-to-obslog progress"] .legend text`), "done 1", "exempt 1")
	})

	t.Run("AfterAWeekTheAdoptionTrendIsALineWithDates", func(t *testing.T) {
		open(t, "/", "home-week")
		const trend = `svg[aria-label="Codebases adopting obslog"]`
		if got := count(t, trend+" path.series"); got != 1 {
			t.Errorf("adoption lines = %d, want 1", got)
		}
		hasAll(t, "the home page's adoption trend", texts(t, trend+" text"), ago(7).Format("Jan 2"), "adopting codebases")
	})

	t.Run("ThePlatformPageDrawsNoMonthsBeforeItsData", func(t *testing.T) {
		open(t, "/platforms/obslog", "platform-week")
		hasAll(t, "the adoption trend", texts(t, `svg[aria-label="Codebases adopting obslog"] .legend text`), "adopting codebases")
		const load = `svg[aria-label^="Hands-on load"]`
		first := time.Date(ago(7).Year(), ago(7).Month(), 1, 0, 0, 0, 0, time.UTC)
		if dates := texts(t, load+" .axis-dates text"); len(dates) == 0 || dates[0] != first.Format("Jan 2") {
			t.Errorf("the hands-on load chart's dates = %q, want them to start at %s, its first month with data", dates, first.Format("Jan 2"))
		}
		hasAll(t, "the hands-on load chart's legend", texts(t, load+" .legend text"), "hands-on hours per consuming team", "adopting codebases")
		if desc := strings.Join(texts(t, load+" desc"), ""); strings.Contains(desc, first.AddDate(0, -1, 0).Format(time.DateOnly)) {
			t.Errorf("the hands-on load chart describes a month before its data: %q", desc)
		}
	})

	t.Run("TheTeamPageShowsItsProgressWithALegend", func(t *testing.T) {
		open(t, "/teams/search", "team-week")
		hasAll(t, "the team's progress bar", texts(t, `svg[aria-label^="search in logrus-to-obslog"] .legend text`), "exempt 1")
		if got := count(t, `svg[aria-label^="search in logrus-to-obslog"] desc`); got != 1 {
			t.Errorf("descriptions = %d, want 1", got)
		}
	})
}

// jsString quotes s for JavaScript source.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
