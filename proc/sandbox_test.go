package proc_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/proc"
	"github.com/tandem-dev/tandem/proc/proctest"
)

// callerEnv names the folder a caller of Run started by
// TestSandboxHidesTheCaller runs its command in.
const callerEnv = "TANDEM_PROC_TEST_CALLER"

// TestSandboxHidesTheCaller runs a caller of Run in a process of its own
// (this test binary again) with a secret in its environment and on its
// command line, where a server has its tokens and database URL, and a
// file holding the secret outside the command's folder, where a server
// has its database. The sandboxed command reads its parent's and its
// first process's environment and command line, every process it can see
// in /proc and the file: the secret is in none of them.
func TestSandboxHidesTheCaller(t *testing.T) {
	if dir := os.Getenv(callerEnv); dir != "" {
		runCaller(t, dir)
		return
	}
	proctest.RequireSandbox(t)
	secret := "tandem-test-secret-" + strconv.Itoa(os.Getpid())
	t.Setenv("TANDEM_TEST_SECRET", secret)
	outside := filepath.Join(t.TempDir(), "tandem.db")
	if err := os.WriteFile(outside, []byte(secret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The secret is on the caller's command line as an alternative of a
	// -test.run pattern that matches no other test.
	cmd := exec.Command(os.Args[0], "-test.run=^(TestSandboxHidesTheCaller|"+secret+")$")
	cmd.Env = append(os.Environ(), callerEnv+"="+dir, "TANDEM_TEST_OUTSIDE="+outside)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("caller: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "leak"))
	if err != nil {
		t.Fatalf("the command left nothing to read: %v", err)
	}
	seen := string(b)
	if !strings.Contains(seen, "ppid=") || !strings.Contains(seen, "cmdline") {
		t.Fatalf("the command did not read /proc:\n%s", seen)
	}
	if strings.Contains(seen, secret) {
		t.Errorf("the command found the caller's secret in what it read:\n%s", seen)
	}
}

// runCaller is the caller of TestSandboxHidesTheCaller: it runs a command
// that writes all it can read of its caller to dir/leak.
func runCaller(t *testing.T, dir string) {
	script := `{
		echo "ppid=$PPID"
		cat /proc/$PPID/environ /proc/$PPID/cmdline /proc/1/environ /proc/1/cmdline
		ls /proc
		for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do echo "$f:"; cat "$f"; echo; done
		cat "$1"
		env
	} > leak 2>&1`
	argv := []string{"sh", "-c", script, "sh", os.Getenv("TANDEM_TEST_OUTSIDE")}
	if _, output, err := (proc.Runner{}).Run(context.Background(), dir, argv, nil, time.Minute); err != nil {
		t.Fatalf("Run: %v\n%s", err, output)
	}
}

func TestSandbox(t *testing.T) {
	r := proctest.RequireSandbox(t)
	ctx := context.Background()
	run := func(t *testing.T, dir, script string) (bool, string) {
		t.Helper()
		ok, output, err := r.Run(ctx, dir, []string{"sh", "-c", script}, nil, time.Minute)
		if err != nil {
			t.Fatalf("Run: %v\n%s", err, output)
		}
		return ok, output
	}

	t.Run("a command cannot read files outside its folder", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(other, []byte("content of another folder\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{other, filepath.Dir(other), filepath.Join(wd, "proc.go"), "/etc/hostname", "/root"} {
			ok, output, err := r.Run(ctx, t.TempDir(), []string{"sh", "-c", `cat "$1" || ls "$1"`, "sh", path}, nil, time.Minute)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if ok || strings.Contains(output, "content of another folder") || strings.Contains(output, "package proc") {
				t.Errorf("the command read %s: %v, %q", path, ok, output)
			}
		}
	})

	t.Run("a command writes in its folder and the caller sees it", func(t *testing.T) {
		dir := t.TempDir()
		if ok, output := run(t, dir, `echo written > out && mkdir -p sub && echo deep > sub/file && test -w "$HOME"`); !ok {
			t.Fatalf("the command could not write: %s", output)
		}
		for file, want := range map[string]string{"out": "written\n", "sub/file": "deep\n"} {
			if b, err := os.ReadFile(filepath.Join(dir, file)); err != nil || string(b) != want {
				t.Errorf("%s = %q, %v; want %q", file, b, err, want)
			}
		}
	})

	t.Run("the system's folders are read-only", func(t *testing.T) {
		if ok, output := run(t, t.TempDir(), `touch /usr/tandem-test || touch /etc/passwd || touch /bin/tandem-test`); ok {
			t.Errorf("the command wrote a system folder: %s", output)
		}
		if ok, output := run(t, t.TempDir(), `sh -c 'echo ok' && test -r /etc/passwd && test -d /etc/ssl`); !ok {
			t.Errorf("the command cannot use the system's programs: %s", output)
		}
	})

	for _, tt := range []struct {
		name    string
		end     string
		timeout time.Duration
		ok      bool
	}{
		{"no process outlives a command that exits", "exit 0", time.Minute, true},
		{"no process outlives a command that times out", "sleep 30", 500 * time.Millisecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// setsid leaves the command's session and process group; the
			// double fork leaves a process whose parent is gone.
			detached, orphan := proctest.Marker(), proctest.Marker()
			script := "setsid sleep " + detached + " & sh -c 'sleep " + orphan + " &'; sleep 0.2; " + tt.end
			ok, output, err := r.Run(ctx, t.TempDir(), []string{"sh", "-c", script}, nil, tt.timeout)
			if ok != tt.ok || (err != nil) == tt.ok {
				t.Errorf("Run = %v, %v (%s)", ok, err, output)
			}
			for _, marker := range []string{detached, orphan} {
				if pids := proctest.Survivors(t, marker); len(pids) > 0 {
					t.Errorf("sleep %s still runs after Run returned: %v", marker, pids)
				}
			}
		})
	}
}

// TestNoSandbox runs commands where no sandbox can be made: each is
// refused with an error that says how to fix it, unless the Runner is
// unsandboxed.
func TestNoSandbox(t *testing.T) {
	ctx := context.Background()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	// A bwrap that fails as one does on a kernel without user namespaces.
	failing := t.TempDir()
	script := "#!" + sh + "\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(failing, "bwrap"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		path string
		want string
	}{
		{"without bwrap, commands are refused", t.TempDir(), "bwrap is not installed"},
		{"where bwrap cannot create namespaces, commands are refused", failing, "No permissions to create new namespace"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", tt.path)
			argv := []string{sh, "-c", "echo ran > ran"}
			dir := t.TempDir()
			_, _, err := proc.Runner{}.Run(ctx, dir, argv, nil, time.Minute)
			if !errors.Is(err, proc.ErrNoSandbox) {
				t.Fatalf("Run = %v, want ErrNoSandbox", err)
			}
			for _, want := range []string{tt.want, "install bubblewrap", "--unsandboxed-commands"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if err := (proc.Runner{}).Check(ctx); !errors.Is(err, proc.ErrNoSandbox) {
				t.Errorf("Check = %v, want ErrNoSandbox", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
				t.Error("a refused command ran")
			}

			ok, _, err := proc.Runner{Unsandboxed: true}.Run(ctx, dir, argv, nil, time.Minute)
			if !ok || err != nil {
				t.Fatalf("unsandboxed Run = %v, %v", ok, err)
			}
			if err := (proc.Runner{Unsandboxed: true}).Check(ctx); err != nil {
				t.Errorf("unsandboxed Check = %v", err)
			}
		})
	}
}
