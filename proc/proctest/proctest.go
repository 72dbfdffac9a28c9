// Package proctest gives tests the proc.Runner a server would use: the
// sandbox, where this machine can make one.
package proctest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/tandem-dev/tandem/proc"
)

// RequireEnv names the variable that, set to 1, makes a missing sandbox
// fail the tests instead of skipping or working around it, as in CI.
const RequireEnv = "TANDEM_REQUIRE_SANDBOX"

// check is whether a sandbox can be made here, asked once per test binary.
var check = sync.OnceValue(func() error { return proc.Runner{}.Check(context.Background()) })

// Runner returns the sandboxing Runner when a sandbox can be made here.
// Otherwise it fails the test when TANDEM_REQUIRE_SANDBOX=1, and returns
// an unsandboxed Runner, saying so in the test's log, so that tests of
// what commands answer still run on a machine without bubblewrap.
func Runner(t testing.TB) proc.Runner {
	t.Helper()
	if err := check(); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1: %v", RequireEnv, err)
		}
		t.Logf("running commands unsandboxed: %v", err)
		return proc.Runner{Unsandboxed: true}
	}
	return proc.Runner{}
}

// RequireSandbox returns the sandboxing Runner for a test of the sandbox
// itself. It skips the test when no sandbox can be made here, or fails it
// when TANDEM_REQUIRE_SANDBOX=1.
func RequireSandbox(t testing.TB) proc.Runner {
	t.Helper()
	if err := check(); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1: %v", RequireEnv, err)
		}
		t.Skipf("no sandbox here (set %s=1 to fail instead): %v", RequireEnv, err)
	}
	return proc.Runner{}
}

// markers counts the markers Marker made.
var markers atomic.Int64

// Marker returns a number of seconds, a little over 300, that no other
// process on the machine has among its arguments: a command that starts
// "sleep MARKER" leaves a process that Survivors finds again.
func Marker() string {
	return fmt.Sprintf("300.%d%03d1", os.Getpid(), markers.Add(1))
}

// Survivors returns the processes on the machine, zombies aside, that
// have marker among their arguments, and kills them when the test ends.
func Survivors(t testing.TB, marker string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !slices.Contains(strings.Split(string(cmdline), "\x00"), marker) || Ended(pid) {
			continue
		}
		pids = append(pids, pid)
	}
	t.Cleanup(func() {
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return pids
}

// Ended reports whether process pid has ended: it is gone, or a zombie
// its parent has not reaped yet.
func Ended(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the command name in parentheses.
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && strings.HasPrefix(string(stat[i+1:]), " Z")
}
