package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/consumption"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// loadCatalog has three platforms of one team: obslog, whose adoption is
// measured (payments-api imports it), chassis, which declares no adoption
// check, and quiet, which nobody has asked anything yet.
const loadCatalog = `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, members: [alice]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned, members: [dan]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: checkout}
spec: {type: stream-aligned, members: [cleo]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform, members: [carol]}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec:
  owner: observability
  support: white-glove
  adoption: {path: "**/*.go", contains: '"acme.dev/obslog"'}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: chassis}
spec: {owner: observability}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: quiet}
spec: {owner: observability}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: repos}
`

// TestPlatformLoadShowsOnlyWhatWasRecorded files, declines and finishes
// requests on a fresh server, as platform and stream-aligned teams do:
// `platform load` keeps declined requests apart from done ones, starts
// its months with the data (this month), counts the consuming teams there
// are, shows adoption only where it was measured, and warns of nothing.
func TestPlatformLoadShowsOnlyWhatWasRecorded(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			root := t.TempDir()
			gittest.Init(t, filepath.Join(root, "repos", "payments-api"), map[string]string{"main.go": "package main\n\nimport _ \"acme.dev/obslog\"\n"})
			gittest.Init(t, filepath.Join(root, "repos", "search"), map[string]string{"main.go": "package main\n"})
			writeFile(t, filepath.Join(root, "catalog.yaml"), loadCatalog)
			c := toursClient{t: t, url: startServer(t, engine.DSN)}
			c.ok("apply", "-f", filepath.Join(root, "catalog.yaml"))
			c.ok("scan", "--wait")

			// payments' request is handled white-glove and done; search's
			// is declined; checkout asks chassis and waits.
			c.ok("request", "create", "--from", "payments", "--platform", "obslog", "--title", "Help with sampling", "--by", "alice")
			c.ok("request", "create", "--from", "search", "--platform", "obslog", "--type", "change", "--title", "Per-endpoint sampling", "--by", "dan")
			c.ok("request", "create", "--from", "checkout", "--platform", "chassis", "--title", "A health endpoint", "--by", "cleo")
			c.ok("request", "update", "1", "--state", "accepted", "--pattern", "white-glove", "--by", "carol")
			c.ok("request", "update", "1", "--state", "done", "--by", "carol")
			c.ok("request", "update", "2", "--state", "declined", "--reason", "Out of scope.", "--by", "carol")
			month := time.Now().UTC().Format("2006-01")

			t.Run("lead times keep declined apart from done", func(t *testing.T) {
				l := platformLoad(t, c, "obslog")
				if lt := l.LeadTimes; lt.Count != 2 || lt.DoneCount != 1 || lt.DeclinedCount != 1 || lt.DoneText == "" || lt.DeclinedText == "" {
					t.Errorf("lead times = %+v, want 2 requests: 1 done and 1 declined, each with its median", lt)
				}
				if lt := platformLoad(t, c, "chassis").LeadTimes; lt.DoneCount != 0 || lt.DoneText != "" || lt.DeclinedCount != 0 || lt.DeclinedText != "" {
					t.Errorf("chassis lead times = %+v, want nothing done or declined, without text", lt)
				}
				out := c.ok("platform", "load", "obslog")
				if line := grepLines(out, "lead times:"); !strings.Contains(line, "(1) · declined ") || strings.Contains(line, "declined -") || !strings.HasSuffix(line, "(1)") {
					t.Errorf("platform load obslog, lead times: %q, want done (1) and declined (1) apart", line)
				}
			})

			t.Run("months start with the data and count the teams there are", func(t *testing.T) {
				l := platformLoad(t, c, "obslog")
				ms := l.Load.Months
				if len(ms) != 1 || ms[0].Month != month || l.Load.Since != month {
					t.Fatalf("months = %+v since %q, want only %s: nothing was recorded before", ms, l.Load.Since, month)
				}
				// One white-glove request (4h) for payments and search, who
				// both asked this month.
				if m := ms[0]; m.ConsumingTeams != 2 || m.HandsOnRequests != 1 || m.PerTeam != 2 || m.Adoption == nil || *m.Adoption != 1 {
					t.Errorf("obslog's month = %+v, want 2 consuming teams, 1 hands-on request, 2h per team, adoption 1", m)
				}
				if len(l.Warnings) != 0 || l.Load.Warning != "" {
					t.Errorf("warnings = %q, want none: one month of data cannot show a trend", l.Warnings)
				}
				if table := c.ok("platform", "load", "obslog"); !strings.Contains(table, month) || len(strings.Fields(grepLines(table, month))) != 6 || strings.Fields(grepLines(table, month))[5] != "1" {
					t.Errorf("platform load obslog:\n%s\nwant one row for %s with adoption 1", table, month)
				}
			})

			t.Run("adoption nobody measured is null, not 0", func(t *testing.T) {
				raw := c.ok("platform", "load", "chassis", "-o", "json")
				var l consumption.Figures
				if err := json.Unmarshal([]byte(raw), &l); err != nil {
					t.Fatal(err)
				}
				if ms := l.Load.Months; len(ms) != 1 || ms[0].Month != month || ms[0].ConsumingTeams != 1 || ms[0].Adoption != nil {
					t.Errorf("chassis months = %+v, want only %s, checkout consuming, adoption unmeasured", ms, month)
				}
				if !strings.Contains(strings.Join(strings.Fields(raw), ""), `"adoption":null`) {
					t.Errorf("chassis load JSON has no null adoption:\n%s", raw)
				}
				row := strings.Fields(grepLines(c.ok("platform", "load", "chassis"), month))
				if len(row) != 6 || row[4] != "0.0" || row[5] != "-" {
					t.Errorf("chassis row = %q, want no load and adoption -", row)
				}
			})

			t.Run("a platform without data has no months and no warning", func(t *testing.T) {
				raw := c.ok("platform", "load", "quiet", "-o", "json")
				if !strings.Contains(strings.Join(strings.Fields(raw), ""), `"months":[]`) {
					t.Errorf("quiet load JSON, want an empty list of months:\n%s", raw)
				}
				l := platformLoad(t, c, "quiet")
				if len(l.Load.Months) != 0 || l.Load.Since != "" || len(l.Warnings) != 0 {
					t.Errorf("quiet load = %+v, want no months, no since and no warning", l.Load)
				}
			})
		})
	}
}

// platformLoad returns `tandem platform load name -o json`.
func platformLoad(t *testing.T, c toursClient, name string) consumption.Figures {
	t.Helper()
	var l consumption.Figures
	getJSON(t, c.url, &l, "platform", "load", name, "-o", "json")
	return l
}
