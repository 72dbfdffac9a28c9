package proc_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/proc"
	"github.com/tandem-dev/tandem/proc/proctest"
)

// runners returns the Runners the tests of what Run guarantees in both
// modes run with: unsandboxed, and the sandbox where one can be made.
func runners(t *testing.T) map[string]proc.Runner {
	rs := map[string]proc.Runner{"Unsandboxed": {Unsandboxed: true}}
	if r := proctest.Runner(t); !r.Unsandboxed {
		rs["Sandboxed"] = r
	}
	return rs
}

func TestRun(t *testing.T) {
	for name, r := range runners(t) {
		t.Run(name, func(t *testing.T) { testRun(t, r) })
	}
}

func testRun(t *testing.T, r proc.Runner) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "marker"), []byte("here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		argv   []string
		ok     bool
		output string
	}{
		{"a command that exits 0 holds", []string{"sh", "-c", "echo yes"}, true, "yes\n"},
		{"a command that exits non-zero does not hold", []string{"sh", "-c", "echo no >&2; exit 3"}, false, "no\n"},
		{"a command runs in the given folder", []string{"cat", "marker"}, true, "here\n"},
		{"output is capped at MaxOutput", []string{"sh", "-c", "head -c 200000 /dev/zero"}, true, strings.Repeat("\x00", proc.MaxOutput)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, output, err := r.Run(context.Background(), dir, tt.argv, nil, time.Minute)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got, want := ok, tt.ok; got != want {
				t.Errorf("ok = %v, want %v", got, want)
			}
			if got, want := output, tt.output; got != want {
				t.Errorf("output = %q (%d bytes), want %q", got[:min(len(got), 40)], len(got), want[:min(len(want), 40)])
			}
		})
	}

	t.Run("a command that cannot start is an error", func(t *testing.T) {
		if _, _, err := r.Run(context.Background(), dir, []string{"./no-such-program"}, nil, time.Minute); err == nil {
			t.Error("Run succeeded")
		}
	})

	t.Run("an empty argv is an error", func(t *testing.T) {
		if _, _, err := r.Run(context.Background(), dir, nil, nil, time.Minute); err == nil {
			t.Error("Run succeeded")
		}
	})

	t.Run("a command that hangs is killed at the timeout", func(t *testing.T) {
		start := time.Now()
		ok, _, err := r.Run(context.Background(), dir, []string{"sleep", "30"}, nil, 200*time.Millisecond)
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("Run returned after %v, want about 200ms", elapsed)
		}
		if ok || err == nil || !strings.Contains(err.Error(), "timed out after 200ms") {
			t.Errorf("Run = %v, %v; want false and a timeout error", ok, err)
		}
	})

	t.Run("a command whose context ends is killed", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		ok, _, err := r.Run(ctx, dir, []string{"sleep", "30"}, nil, time.Minute)
		if ok || err == nil || strings.Contains(err.Error(), "timed out") {
			t.Errorf("Run = %v, %v; want false and a cancellation error", ok, err)
		}
	})

	for _, tt := range []struct {
		name   string
		script string
		ok     bool
	}{
		{"a child of a command that hangs is killed with it", "sleep MARKER & wait", false},
		{"a child left behind by a command that exits is killed", "sleep MARKER & exit 0", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			marker := proctest.Marker()
			start := time.Now()
			ok, _, err := r.Run(context.Background(), dir, []string{"sh", "-c", strings.ReplaceAll(tt.script, "MARKER", marker)}, nil, 200*time.Millisecond)
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("Run returned after %v", elapsed)
			}
			if got, want := ok, tt.ok; got != want {
				t.Errorf("ok = %v, want %v (err %v)", got, want, err)
			}
			// Killed is not enough: a zombie nobody reaps would do. The
			// unsandboxed child is a zombie until init reaps it.
			if pids := proctest.Survivors(t, marker); len(pids) > 0 && !gone(pids, 3*time.Second) {
				t.Errorf("child %v still runs", pids)
			}
		})
	}
}

func TestRunEnvironment(t *testing.T) {
	for name, r := range runners(t) {
		t.Run(name, func(t *testing.T) { testRunEnvironment(t, r) })
	}
}

func testRunEnvironment(t *testing.T, r proc.Runner) {
	t.Setenv("TANDEM_TEST_SECRET", "s3cret")
	t.Setenv("HOME", "/home/for-test")
	dir := t.TempDir()
	// The home a command gets is a fresh folder, writable, and its TMPDIR
	// too.
	show := []string{"sh", "-c", `touch "$HOME/x" && test "$TMPDIR" = "$HOME" && case "$HOME" in /home/for-test) h=caller;; "$GIVEN_HOME") h=given;; *) h=own;; esac; echo "secret=$TANDEM_TEST_SECRET given=$GIVEN home=$h"; test -n "$PATH"`}
	tests := []struct {
		name   string
		env    []string
		output string
	}{
		{"a nil environment hides the caller's variables and home", nil, "secret= given= home=own\n"},
		{"a given environment hides the caller's other variables", []string{"GIVEN=yes"}, "secret= given=yes home=own\n"},
		{"a given HOME and TMPDIR are kept", []string{"HOME=" + dir, "TMPDIR=" + dir, "GIVEN_HOME=" + dir}, "secret= given= home=given\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, output, err := r.Run(context.Background(), dir, show, tt.env, time.Minute)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !ok {
				t.Errorf("Run did not see PATH: %q", output)
			}
			if got, want := output, tt.output; got != want {
				t.Errorf("output = %q, want %q", got, want)
			}
		})
	}
}

// gone reports whether processes pids all end (or are zombies) within
// wait.
func gone(pids []int, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for {
		left := slices.DeleteFunc(slices.Clone(pids), proctest.Ended)
		if len(left) == 0 {
			return true
		}
		if !time.Now().Before(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
