package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/bench"
	"github.com/tandem-dev/tandem/ci"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// checkCatalog is a catalog over a generated fleet whose checks cover
// every form: path, contains, matches, all, any, not, a command the scan
// runs and one of source ci; migration logrus is guarded with block,
// syslog with warn.
func checkCatalog(repos string) string {
	return `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: fleet}
spec: {type: local, path: ` + repos + `}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec:
  owner: observability
  adoption: {path: "**/*.go", contains: '"acme.dev/obslog"'}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus}
spec:
  platform: obslog
  title: Replace logrus
  target: {path: "**/*.go", contains: '` + bench.Needle + `'}
  done: {not: {path: "cmd/*.go", matches: 'sirupsen/logrus"$'}}
  guard: {mode: block}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: syslog}
spec:
  platform: obslog
  title: Drop the syslog hook
  target:
    any:
    - {path: "cmd/*.go", matches: 'logrus/hooks/[a-z]+'}
    - {path: "testdata/*.go"}
  guard: {mode: warn}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: deploy}
spec:
  platform: obslog
  title: Values beside the README
  target:
    all:
    - {path: README.md, contains: Logging}
    - {command: [sh, -c, "test -f deploy/values.yaml"]}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: built}
spec:
  platform: obslog
  title: Builds clean
  target: {command: [sh, -c, "test -f built"], source: ci}
`
}

// checkReport runs tandem check in dir with env and returns its exit
// code, report and stderr.
func checkReport(t *testing.T, env func(string) string, args ...string) (int, ci.Report, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append(append([]string{"check", "-o", "json"}, args...), commandFlags(t)...), env, &stdout, &stderr)
	var r ci.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("tandem check %v = %d: %v\n%s\n%s", args, code, err, stdout.String(), stderr.String())
	}
	return code, r, stderr.String()
}

// codebaseResults returns the current results of a codebase as
// `tandem get codebase NAME -o json` shows them, by check.
func codebaseResults(t *testing.T, url, name string) map[string]tandem.CheckResult {
	t.Helper()
	var views []struct {
		Results []tandem.CheckResult `json:"results"`
	}
	getJSON(t, url, &views, "get", "codebase", name, "-o", "json")
	if len(views) != 1 {
		t.Fatalf("get codebase %s: %d codebases", name, len(views))
	}
	byCheck := map[string]tandem.CheckResult{}
	for _, r := range views[0].Results {
		byCheck[r.Check] = r
	}
	return byCheck
}

// TestCheckAgreesWithScan is the decider: in a checkout of every
// repository of a generated fleet the server scanned, tandem check gives
// the verdicts, evidence, errors, commit and digests of the server's
// scan, check by check; the guards decide its exit status.
func TestCheckAgreesWithScan(t *testing.T) {
	fleet, err := bench.Generate(t.Context(), t.TempDir(), bench.FleetOptions{Repos: 12, Files: 3})
	if err != nil {
		t.Fatal(err)
	}
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, checkCatalog(filepath.Join(fleet.Dir, "repos")))
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { checkAgreesWithScan(t, fleet, catalog, startServer(t, e.DSN)) })
	}
}

func checkAgreesWithScan(t *testing.T, fleet *bench.Fleet, catalog, url string) {
	if code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	if code, _, errOut := tandemCLI(t, url, "scan", "--wait"); code != 0 {
		t.Fatalf("scan: %s", errOut)
	}
	serverEnv := func(k string) string {
		if k == "TANDEM_SERVER" {
			return url
		}
		return adminEnv(k)
	}
	compared, blocked := 0, 0
	for _, bare := range fleet.Repos {
		name := strings.TrimSuffix(filepath.Base(bare), ".git")
		dir := filepath.Join(t.TempDir(), name)
		gittest.Run(t, "", "clone", "--quiet", bare, dir)
		code, report, stderr := checkReport(t, serverEnv, "--dir", dir)
		if report.Codebase != name || report.Commit != gittest.Run(t, dir, "rev-parse", "HEAD") {
			t.Errorf("%s: report of %s at %s", name, report.Codebase, report.Commit)
		}
		server := codebaseResults(t, url, name)
		for _, r := range report.Results {
			if r.Source == tandem.SourceCI {
				if _, ok := server[r.Check]; ok {
					t.Errorf("%s: the server's scan evaluated %s, of source ci", name, r.Check)
				}
				continue
			}
			s, ok := server[r.Check]
			if !ok {
				t.Errorf("%s: %s has no result on the server", name, r.Check)
				continue
			}
			if r.Holds != s.Holds || !reflect.DeepEqual(r.Evidence, s.Evidence) || r.Error != s.Error || r.Commit != s.Commit || r.Digest != s.Digest {
				t.Errorf("%s: %s: check %+v, scan %+v", name, r.Check, r, s)
			}
			compared++
		}
		if len(server) != len(report.Results)-1 {
			t.Errorf("%s: %d results on the server, %d checked", name, len(server), len(report.Results))
		}
		wantBlocked := fleet.Holding[name]
		if wantBlocked {
			blocked++
		}
		if got := code != 0; got != wantBlocked || wantBlocked != strings.Contains(stderr, "error: migration logrus: its target holds") {
			t.Errorf("%s: exit %d, stderr %q; want blocked %v", name, code, stderr, wantBlocked)
		}
		if warned := strings.Contains(stderr, "warning: migration syslog"); warned != slicesContain(report.Guards, "syslog") {
			t.Errorf("%s: stderr %q, guards %+v", name, stderr, report.Guards)
		}
	}
	if compared < 4*len(fleet.Repos) || blocked == 0 || blocked == len(fleet.Repos) {
		t.Errorf("compared %d results, %d blocked of %d repositories: the fleet tests too little", compared, blocked, len(fleet.Repos))
	}
	t.Logf("%d results of %d repositories agree; %d blocked", compared, len(fleet.Repos), blocked)
}

func slicesContain(guards []ci.Tripped, migration string) bool {
	for _, g := range guards {
		if g.Migration == migration {
			return true
		}
	}
	return false
}

// TestCheckPush: a ci token, with the catalog's files, pushes the result
// of the check of source ci; it shows in get codebase -o json with its
// commit and source. A push from a commit the server has not scanned
// stays history, and the token reads nothing.
func TestCheckPush(t *testing.T) {
	fleet, err := bench.Generate(t.Context(), t.TempDir(), bench.FleetOptions{Repos: 2, Files: 1})
	if err != nil {
		t.Fatal(err)
	}
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, checkCatalog(filepath.Join(fleet.Dir, "repos")))
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { checkPush(t, fleet, catalog, startServer(t, e.DSN)) })
	}
}

func checkPush(t *testing.T, fleet *bench.Fleet, catalog, url string) {
	for _, args := range [][]string{{"apply", "-f", catalog}, {"scan", "--wait"}} {
		if code, _, errOut := tandemCLI(t, url, args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	name := "svc-0001" // holds no guarded target: check exits 0
	var tok struct {
		Secret string `json:"secret"`
	}
	getJSON(t, url, &tok, "token", "create", "--person", "ci-bot", "--role", "ci", "--codebase", name, "-o", "json")
	ciEnv := func(k string) string {
		switch k {
		case "TANDEM_TOKEN":
			return tok.Secret
		case "TANDEM_SERVER":
			return url
		}
		return ""
	}
	dir := filepath.Join(t.TempDir(), "work")
	gittest.Run(t, "", "clone", "--quiet", fleet.Repos[1], dir)
	head := gittest.Run(t, dir, "rev-parse", "HEAD")
	writeFile(t, filepath.Join(dir, "built"), "")

	// Without -f, the ci token cannot read the catalog.
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"check", "--dir", dir, "--push"}, ciEnv, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "may only push results") {
		t.Errorf("check --push with a ci token and no -f = %d %s, want refused", code, stderr.String())
	}
	code, report, errOut := checkReport(t, ciEnv, "--dir", dir, "-f", catalog, "--push")
	if code != 0 || report.Codebase != name {
		t.Fatalf("check --push = %d, %+v: %s", code, report, errOut)
	}
	built := tandem.CheckID("migration", "built", tandem.RoleTarget)
	got := codebaseResults(t, url, name)[built]
	if !got.Holds || got.Commit != head || got.Source != tandem.SourceCI {
		t.Errorf("pushed result = %+v, want it holding at %s from ci", got, head)
	}

	// A commit the server has not scanned: history only.
	if err := os.Remove(filepath.Join(dir, "built")); err != nil {
		t.Fatal(err)
	}
	gittest.Commit(t, dir, map[string]string{"NOTES.md": "later\n"})
	code, report, errOut = checkReport(t, ciEnv, "--dir", dir, "-f", catalog, "--push")
	if code != 0 || report.Commit == head || !strings.Contains(errOut, "history only") {
		t.Errorf("push of a later commit = %d at %s: %s; want a warning of history only", code, report.Commit, errOut)
	}
	if got := codebaseResults(t, url, name)[built]; !got.Holds || got.Commit != head {
		t.Errorf("after the later push = %+v, want %s's result still current", got, head)
	}
	var views []struct {
		Pushed []tandem.CheckResult `json:"pushed"`
	}
	getJSON(t, url, &views, "get", "codebase", name, "-o", "json")
	if p := views[0].Pushed; len(p) != 2 || p[0].Commit != report.Commit || p[0].Holds || p[1].Commit != head || !p[1].Holds {
		t.Errorf("pushed = %+v, want the later commit's then %s's", p, head)
	}
	if !strings.Contains(httpGet(t, url+"/codebases/"+name), "from CI at <code>"+head[:12]+"</code>") {
		t.Errorf("the codebase page does not show the result from CI at %s", head[:12])
	}
}
