// Package proctest gives tests the proc.Runner a server would use: the
// sandbox, where this machine can make one.
package proctest

import (
	"context"
	"os"
	"sync"
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
