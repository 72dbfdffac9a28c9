package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

// runLocal runs a command that needs no server and returns its exit code,
// stdout and stderr.
func runLocal(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, noEnv, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestBackupAndRestore backs up a served SQLite database, restores the
// backup into a fresh file once the server has stopped, and serves that:
// its teams are the ones applied.
func TestBackupAndRestore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "tandem.db")
	backup := filepath.Join(dir, "backup.db")
	catalog := filepath.Join(dir, "teams.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, members: [alice, ahmed], aliases: ["@acme/payments"]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform, members: [olga]}
`)

	var teams string
	t.Run("WhileServing", func(t *testing.T) {
		url := startServer(t, dsn) // stops when this subtest ends
		if code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog); code != 0 {
			t.Fatalf("apply exited %d: %s", code, errOut)
		}
		code, out, errOut := tandemCLI(t, url, "get", "teams", "-o", "json")
		if code != 0 {
			t.Fatalf("get teams exited %d: %s", code, errOut)
		}
		teams = out

		code, out, errOut = runLocal(t, "backup", "--db", dsn, backup)
		if code != 0 {
			t.Fatalf("backup exited %d: %s", code, errOut)
		}
		if want := regexp.MustCompile(`^wrote ` + regexp.QuoteMeta(backup) + ` \([0-9.]+ KB\), backup of ` + regexp.QuoteMeta(dsn) + "\n$"); !want.MatchString(out) {
			t.Errorf("backup printed %q, want %s", out, want)
		}
		code, _, errOut = runLocal(t, "backup", "--db", dsn, backup)
		if code != 1 || !strings.Contains(errOut, "error: backup: "+backup+" already exists") {
			t.Errorf("a second backup to the same file: exit %d, %q; want it refused", code, errOut)
		}
		code, _, errOut = runLocal(t, "restore", "--db", dsn, "--force", backup)
		if code != 1 || !strings.Contains(errOut, "is in use: stop the server") {
			t.Errorf("restore over the served database: exit %d, %q; want it refused", code, errOut)
		}
		if code, out, _ := tandemCLI(t, url, "get", "teams", "-o", "json"); code != 0 || out != teams {
			t.Errorf("after the refused restore, the server has teams %s, want %s", out, teams)
		}
	})

	restored := filepath.Join(t.TempDir(), "restored.db")
	code, out, errOut := runLocal(t, "restore", "--db", restored, backup)
	if code != 0 {
		t.Fatalf("restore exited %d: %s", code, errOut)
	}
	if want := "wrote " + restored + " ("; !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "), restored from "+backup+"\n") {
		t.Errorf("restore printed %q", out)
	}
	code, _, errOut = runLocal(t, "restore", "--db", restored, backup)
	if code != 1 || !strings.Contains(errOut, restored+" already exists: force the restore") {
		t.Errorf("a restore over an existing database without --force: exit %d, %q; want it refused", code, errOut)
	}

	url := startServer(t, restored)
	code, out, errOut = tandemCLI(t, url, "get", "teams", "-o", "json")
	if code != 0 {
		t.Fatalf("get teams from the restored database exited %d: %s", code, errOut)
	}
	if out != teams {
		t.Errorf("restored teams:\n%s\nwant:\n%s", out, teams)
	}
	var got []tandem.Team
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 {
		t.Errorf("restored teams = %s (%v), want payments and observability", out, err)
	}
}

func TestBackupOfAMissingDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "missing.db")
	code, _, errOut := runLocal(t, "backup", "--db", dsn, filepath.Join(dir, "backup.db"))
	if code != 1 || !strings.Contains(errOut, dsn+": no such file") {
		t.Errorf("backup of a missing database: exit %d, %q; want it refused", code, errOut)
	}
	code, _, errOut = runLocal(t, "restore", "--db", filepath.Join(dir, "tandem.db"), filepath.Join(dir, "backup.db"))
	if code != 1 || !strings.Contains(errOut, "backup.db: no such file") {
		t.Errorf("restore of a missing backup: exit %d, %q; want it refused", code, errOut)
	}
	if _, err := os.Stat(dsn); err == nil {
		t.Errorf("backup created the missing database %s", dsn)
	}
	if code, out, _ := runLocal(t, "restore", "--help"); code != 0 || !strings.Contains(out, "Stop the server first") {
		t.Errorf("restore --help: exit %d, %q; want it to say the server must be stopped", code, out)
	}
}
