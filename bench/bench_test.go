package bench_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/bench"
)

func TestGenerateAndRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, err := bench.Generate(ctx, dir, bench.FleetOptions{Repos: 9, Files: 4})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(f.Holding), 3; got != want {
		t.Fatalf("repositories holding the needle = %d, want %d", got, want)
	}
	var log bytes.Buffer
	rep, err := bench.Run(ctx, f, 3, &log)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	if rep.Cold <= 0 || rep.Rescan <= 0 || rep.ColdRead == 0 {
		t.Errorf("report = %+v, want measured times and bytes", rep)
	}
	// The rescan reads only the three changed files, never the fleet again.
	if rep.RescanRead == 0 || rep.RescanRead >= rep.ColdRead/3 {
		t.Errorf("rescan read %d bytes of %d cold", rep.RescanRead, rep.ColdRead)
	}
	var out bytes.Buffer
	rep.Print(&out)
	if !strings.Contains(out.String(), "tandem rescan after 3 new commits") {
		t.Errorf("report:\n%s", out.String())
	}

	t.Run("EachTouchChangesOtherRepositories", func(t *testing.T) {
		// Run touched svc-0000, svc-0003 and svc-0006.
		names, err := f.Touch(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(names, " "), "svc-0001 svc-0004 svc-0007"; got != want {
			t.Errorf("second Touch changed %s, want %s", got, want)
		}
	})

	t.Run("AFleetIsReusedOnlyWhileUnchanged", func(t *testing.T) {
		again, err := bench.Generate(ctx, dir, bench.FleetOptions{Repos: 9, Files: 4})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(again.Holding), 3; got != want {
			t.Errorf("regenerated fleet holds %d, want %d: the touched fleet was reused", got, want)
		}
	})
}
