package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/bench"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestBenchMeasuresTheWholePath runs `tandem bench` on two tiny fleets,
// through serve processes of this test binary (which runs as tandem with
// TANDEM_TEST_MAIN=1) on SQLite and, where its server answers,
// PostgreSQL: every figure of the report is there, and the run succeeds
// only when the server's answer agrees with the fleet.
func TestBenchMeasuresTheWholePath(t *testing.T) {
	t.Setenv("TANDEM_TEST_MAIN", "1") // for the processes bench starts
	args := []string{"bench", "--repos", "6,12", "--files", "2", "--touch", "2", "--dir", t.TempDir()}
	engines := []string{"SQLite"}
	for _, e := range sqlstoretest.Engines(t) {
		if e.Name == "postgres" {
			args = append(args, "--postgres", e.DSN)
			engines = append(engines, "PostgreSQL")
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), args, adminEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("bench exited %d: %s", code, stderr.String())
	}
	out := stdout.String()
	time := `\d[\d.]*(ns|µs|ms|s|m\d[\d.]*s)`
	want := []string{`fleet: 6 repositories`, `fleet: 12 repositories`, `\| tandem cold scan \| ` + time + ` \|`}
	for _, engine := range engines {
		want = append(want,
			`\| serve on `+engine+`: cold scan --wait \| `+time+` \| ([\d.]+x ripgrep, )?[\d.]+x in process`,
			`\| serve on `+engine+`: scan --wait, nothing changed \| `+time+` \| [\d.]+% of cold`,
			`\| serve on `+engine+`: scan --wait after 1 new commits \(1%\) \| `+time+` \| [\d.]+% of cold`,
			`; serve on `+engine+` [1-9]\d* MB`,
			`\| 12 \| serve on `+engine+` \| `+time+` \| `+time+` \| `+time+` \| `+time+` \| [1-9]\d* MB`)
	}
	if len(engines) == 2 {
		want = append(want, `cold scan --wait \| `+time+` \| .*, [\d.]+x SQLite \|`, `\(api [1-9]\d* MB \+ worker [1-9]\d* MB\)`)
	}
	for _, re := range want {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("report has no line matching %s:\n%s", re, out)
		}
	}
}

// TestBenchFailsOnAWrongAnswer runs the whole path over a fleet whose
// expected answer is wrong: the run fails, naming the repository.
func TestBenchFailsOnAWrongAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, err := bench.Generate(ctx, t.TempDir(), bench.FleetOptions{Repos: 3, Files: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.Holding["svc-0001"] = true // it imports a near miss
	var log bytes.Buffer
	_, err = bench.RunServer(ctx, f, bench.ServerOptions{Binary: os.Args[0], Env: []string{"TANDEM_TEST_MAIN=1"}, Log: &log})
	if err == nil || !strings.Contains(err.Error(), "cold scan --wait missed svc-0001") {
		t.Errorf("RunServer = %v, want the cold scan to have missed svc-0001\n%s", err, log.String())
	}
}
