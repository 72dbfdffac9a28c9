package proc_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/proc"
)

func TestRun(t *testing.T) {
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
			ok, output, err := proc.Run(context.Background(), dir, tt.argv, nil, time.Minute)
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
		if _, _, err := proc.Run(context.Background(), dir, []string{"./no-such-program"}, nil, time.Minute); err == nil {
			t.Error("Run succeeded")
		}
	})

	t.Run("an empty argv is an error", func(t *testing.T) {
		if _, _, err := proc.Run(context.Background(), dir, nil, nil, time.Minute); err == nil {
			t.Error("Run succeeded")
		}
	})

	t.Run("a command that hangs is killed at the timeout", func(t *testing.T) {
		start := time.Now()
		ok, _, err := proc.Run(context.Background(), dir, []string{"sleep", "30"}, nil, 200*time.Millisecond)
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
		ok, _, err := proc.Run(ctx, dir, []string{"sleep", "30"}, nil, time.Minute)
		if ok || err == nil || strings.Contains(err.Error(), "timed out") {
			t.Errorf("Run = %v, %v; want false and a cancellation error", ok, err)
		}
	})

	for _, tt := range []struct {
		name   string
		script string
		ok     bool
	}{
		{"a child of a command that hangs is killed with it", "sleep 30 & echo $! > child; wait", false},
		{"a child left behind by a command that exits is killed", "sleep 30 & echo $! > child; exit 0", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			ok, _, err := proc.Run(context.Background(), dir, []string{"sh", "-c", tt.script}, nil, 200*time.Millisecond)
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("Run returned after %v", elapsed)
			}
			if got, want := ok, tt.ok; got != want {
				t.Errorf("ok = %v, want %v (err %v)", got, want, err)
			}
			b, err := os.ReadFile(filepath.Join(dir, "child"))
			if err != nil {
				t.Fatal(err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			if !gone(pid, 3*time.Second) {
				t.Errorf("child %d still runs", pid)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		})
	}
}

func TestRunEnvironment(t *testing.T) {
	t.Setenv("TANDEM_TEST_SECRET", "s3cret")
	t.Setenv("HOME", "/home/for-test")
	dir := t.TempDir()
	// The home a command gets is a fresh folder, writable, under the
	// temporary folder, and its TMPDIR too.
	show := []string{"sh", "-c", `touch "$HOME/x" && test "$TMPDIR" = "$HOME" && case "$HOME" in /home/for-test) h=caller;; "$GIVEN_HOME") h=given;; *tandem-home-*) h=own;; esac; echo "secret=$TANDEM_TEST_SECRET given=$GIVEN home=$h"; test -n "$PATH"`}
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
			ok, output, err := proc.Run(context.Background(), dir, show, tt.env, time.Minute)
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

// gone reports whether process pid ends (or is a zombie) within wait.
func gone(pid int, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		// The state follows the command name in parentheses.
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && strings.HasPrefix(string(stat[i+1:]), " Z") {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
