package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea/giteatest"
)

// TestMain lets the test binary run as the tandem command, so that a test
// can start a server in a process of its own and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("TANDEM_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// startProcess starts "tandem serve" in a process of its own, with environ
// added to the environment, and returns its URL and the process.
func startProcess(t *testing.T, dsn, mirrors string, environ ...string) (string, *exec.Cmd) {
	t.Helper()
	return startProcessArgs(t, []string{"--db", dsn, "--mirrors", mirrors}, environ...)
}

// startProcessArgs starts "tandem serve" with args in a process of its
// own, as startProcess does.
func startProcessArgs(t *testing.T, args []string, environ ...string) (string, *exec.Cmd) {
	t.Helper()
	args = append(append([]string{"serve", "--addr", "127.0.0.1:0", "--scan-every", "0"}, args...), commandFlags(t)...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "TANDEM_TEST_MAIN=1", "TANDEM_BOOTSTRAP_TOKEN="+testAdminToken), environ...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	re := regexp.MustCompile(`serving on (http://\S+)`)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if m := re.FindStringSubmatch(lines.Text()); m != nil {
			go func() {
				for lines.Scan() {
				}
			}()
			return m[1], cmd
		}
	}
	t.Fatal("serve exited before listening")
	return "", nil
}

// TestKilledMidLaunch kills Tandem (SIGKILL) while a launch files 30
// tickets in Gitea, restarts it on the same database, and launches again:
// every ticket exists exactly once in Gitea and is linked in Tandem.
func TestKilledMidLaunch(t *testing.T) {
	t.Parallel()
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	g.CreateRepo(t, "acme", "backlog", map[string]string{"README.md": "Backlog\n"})
	const teams = 30
	var catalog strings.Builder
	for i := range teams {
		team := fmt.Sprintf("team%02d", i)
		g.CreateRepo(t, "acme", fmt.Sprintf("svc%02d", i), map[string]string{"CODEOWNERS": "* @acme/" + team + "\n", "main.go": logrusImport})
		catalog.WriteString("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: " + team + "}\nspec: {type: stream-aligned, tracker: {type: gitea, host: forge, repo: acme/backlog}}\n---\n")
	}
	catalog.WriteString(obslogCampaign(g.URL, false))
	dir := t.TempDir()
	file := filepath.Join(dir, "catalog.yaml")
	writeFile(t, file, catalog.String())
	dsn := "sqlite://" + filepath.Join(dir, "tandem.db")
	token := "FORGE_TOKEN=" + g.AdminToken

	url, server := startProcess(t, dsn, filepath.Join(dir, "mirrors"), token)
	applyAndScan(t, url, file)
	issues := func() []string {
		var got []struct {
			Body string `json:"body"`
		}
		var bodies []string
		for page := 1; ; page++ {
			g.Call(t, http.MethodGet, fmt.Sprintf("/repos/acme/backlog/issues?state=all&type=issues&limit=50&page=%d", page), nil, &got)
			if len(got) == 0 {
				return bodies
			}
			for _, is := range got {
				bodies = append(bodies, is.Body)
			}
		}
	}
	launched := make(chan struct{})
	go func() {
		defer close(launched)
		tandemCLI(t, url, "campaign", "launch", "logrus-to-obslog") // cut short by the kill
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for len(issues()) < 5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	server.Wait()
	<-launched
	before := len(issues())
	if before == 0 || before >= teams {
		t.Fatalf("%d issues filed when Tandem was killed; the test needs a launch cut short", before)
	}

	t.Logf("killed with %d of %d issues filed", before, teams)
	url, _ = startProcess(t, dsn, filepath.Join(dir, "mirrors"), token)
	converge(t, url, teams)
	if got := len(issues()); got != teams {
		t.Errorf("after the kill (%d filed) and a restart, Gitea holds %d issues, want %d", before, got, teams)
	}
	assertOnePerTeam(t, issues(), teams)

	// With its database lost, a new Tandem finds every ticket again by
	// its marker instead of filing it twice.
	fresh := "sqlite://" + filepath.Join(dir, "fresh.db")
	url, _ = startProcess(t, fresh, filepath.Join(dir, "mirrors"), token)
	applyAndScan(t, url, file)
	converge(t, url, teams)
	if got := len(issues()); got != teams {
		t.Errorf("after the database was lost, Gitea holds %d issues, want %d", got, teams)
	}
}

// converge launches the campaign until its tickets, one per team, are all
// linked to their issues, for at most three minutes.
func converge(t *testing.T, url string, teams int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		tandemCLI(t, url, "campaign", "launch", "logrus-to-obslog")
		var tickets []tandem.Ticket
		getJSON(t, url, &tickets, "get", "tickets", "-o", "json")
		linked := 0
		for _, tk := range tickets {
			if tk.RemoteID != "" {
				linked++
			}
		}
		if len(tickets) == teams && linked == teams {
			return
		}
	}
	t.Fatalf("the tickets of %d teams were not all linked within three minutes", teams)
}

// assertOnePerTeam checks that each team's marker is in exactly one body.
func assertOnePerTeam(t *testing.T, bodies []string, teams int) {
	t.Helper()
	for i := range teams {
		team := fmt.Sprintf("team%02d", i)
		n := 0
		for _, body := range bodies {
			if strings.Contains(body, tandem.TicketMarker("logrus-to-obslog", team, "")) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s has %d issues, want 1", team, n)
		}
	}
}

// TestKilledMidEscalation kills Tandem (SIGKILL) while it escalates ten
// stragglers as pull requests on Gitea, restarts it and escalates again:
// each codebase has exactly one pull request.
func TestKilledMidEscalation(t *testing.T) {
	t.Parallel()
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	const repos = 10
	var catalog strings.Builder
	for i := range repos {
		name := fmt.Sprintf("svc%02d", i)
		g.CreateRepo(t, "acme", name, map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})
		catalog.WriteString("apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: " + name + "}\nspec: {contributions: open}\n---\n")
	}
	catalog.WriteString(obslogCampaign(g.URL, true))
	catalog.WriteString("---\napiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: payments}\nspec: {type: stream-aligned}\n")
	dir := t.TempDir()
	file := filepath.Join(dir, "catalog.yaml")
	writeFile(t, file, catalog.String())
	dsn := "sqlite://" + filepath.Join(dir, "tandem.db")
	token := "FORGE_TOKEN=" + g.AdminToken
	url, server := startProcess(t, dsn, filepath.Join(dir, "mirrors"), token)
	applyAndScan(t, url, file)
	if code, _, errOut := tandemCLI(t, url, "campaign", "launch", "logrus-to-obslog"); code != 0 {
		t.Fatalf("launch exited %d: %s", code, errOut)
	}
	pulls := func() map[string]int {
		n := make(map[string]int)
		for i := range repos {
			var got []struct {
				Number int `json:"number"`
			}
			g.Call(t, http.MethodGet, fmt.Sprintf("/repos/acme/svc%02d/pulls?state=all", i), nil, &got)
			if len(got) > 0 {
				n[fmt.Sprintf("svc%02d", i)] = len(got)
			}
		}
		return n
	}
	escalated := make(chan struct{})
	go func() {
		defer close(escalated)
		tandemCLI(t, url, "campaign", "escalate", "logrus-to-obslog") // cut short by the kill
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for len(pulls()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	server.Wait()
	<-escalated
	before := len(pulls())
	if before == 0 || before >= repos {
		t.Fatalf("%d pull requests open when Tandem was killed; the test needs an escalation cut short", before)
	}
	t.Logf("killed with %d of %d pull requests open", before, repos)

	url, _ = startProcess(t, dsn, filepath.Join(dir, "mirrors"), token)
	for attempt := 0; attempt < 5 && len(pulls()) < repos; attempt++ {
		tandemCLI(t, url, "campaign", "escalate", "logrus-to-obslog")
	}
	got := pulls()
	for i := range repos {
		if name := fmt.Sprintf("svc%02d", i); got[name] != 1 {
			t.Errorf("%s has %d pull requests, want 1 (all: %v)", name, got[name], got)
		}
	}
}

// obslogCampaign is a catalog's tail: the Gitea code host forge at url
// whose token is FORGE_TOKEN, the observability platform team, its
// platform obslog and the campaign logrus-to-obslog, with the fix that
// escalation proposes when fix is set.
func obslogCampaign(url string, fix bool) string {
	extra := ""
	if fix {
		extra = logrusFix
	}
	return `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "` + url + `", org: acme, token: env:FORGE_TOKEN}
---
` + logrusMigration(extra)
}

// logrusMigration is the catalog of the tests' campaign: the observability
// team's obslog platform and its migration off logrus, whose spec goes on
// with extra lines.
func logrusMigration(extra string) string {
	return `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: observability}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  target: {path: "**/*.go", contains: '"github.com/sirupsen/logrus"'}
` + extra
}

// logrusFix is the fix of the tests' migration, as lines of its spec.
const logrusFix = `  fix:
    run: ["sh", "-c", "sed -i 's#github.com/sirupsen/logrus#acme.dev/obslog#' main.go"]
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog
`

// applyAndScan applies the catalog file and waits for a scan.
func applyAndScan(t *testing.T, url, file string) {
	t.Helper()
	for _, args := range [][]string{{"apply", "-f", file}, {"scan", "--wait"}} {
		if code, _, errOut := tandemCLI(t, url, args...); code != 0 {
			t.Fatalf("%v exited %d: %s", args, code, errOut)
		}
	}
}
