package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestServeLogsWhatOperatorsNeed runs serve, a scan, and a stop: at the
// default level the log says it serves and what the scan did, not the job
// library's routine reports, which --verbose shows.
func TestServeLogsWhatOperatorsNeed(t *testing.T) {
	t.Parallel()
	serveLog := func(t *testing.T, extra ...string) string {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var stdout, stderr syncBuffer
		args := append([]string{"serve", "--db", sqlstoretest.SQLite(t), "--addr", "127.0.0.1:0",
			"--mirrors", filepath.Join(t.TempDir(), "mirrors")}, append(commandFlags(t), extra...)...)
		getenv := func(k string) string {
			if k == "TANDEM_BOOTSTRAP_TOKEN" {
				return testAdminToken
			}
			return ""
		}
		done := make(chan int, 1)
		go func() { done <- run(ctx, args, getenv, &stdout, &stderr) }()
		re := regexp.MustCompile(`serving on (http://\S+)`)
		var url string
		for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if m := re.FindStringSubmatch(stdout.String()); m != nil {
				url = m[1]
			}
		}
		if url == "" {
			t.Fatalf("serve did not listen: %s", stderr.String())
		}
		if code, _, errOut := tandemCLI(t, url, "scan", "--wait"); code != 0 {
			t.Fatalf("scan: %s", errOut)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		}
		return stderr.String()
	}
	lines := func(log, fragment string) []string {
		var out []string
		for _, l := range strings.Split(log, "\n") {
			if strings.Contains(l, fragment) {
				out = append(out, l)
			}
		}
		return out
	}

	t.Run("AtInfo", func(t *testing.T) {
		log := serveLog(t)
		for _, want := range []string{"level=INFO msg=serving", `level=INFO msg="scan started"`, `level=INFO msg="scan finished"`} {
			if len(lines(log, want)) == 0 {
				t.Errorf("serve logged\n%s\nwant a line with %q", log, want)
			}
		}
		if got := lines(log, "component=jobs"); len(got) != 0 {
			t.Errorf("serve logged the job library's routine reports at info: %q", got)
		}
	})
	t.Run("WithVerbose", func(t *testing.T) {
		log := serveLog(t, "--verbose")
		if got := lines(log, `level=DEBUG msg="River client started"`); len(got) == 0 {
			t.Errorf("serve --verbose logged\n%s\nwant the job library's reports at debug", log)
		}
	})
}
