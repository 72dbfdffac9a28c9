package tandem_test

import (
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/check"
)

func TestReadinessChecksCompile(t *testing.T) {
	for _, nc := range tandem.ReadinessChecks() {
		if _, err := check.Compile(nc.Check); err != nil {
			t.Errorf("%s: %v", nc.ID, err)
		}
	}
	if got := tandem.ActiveChecks([]tandem.Platform{{Name: "p"}}, nil); len(got) != 0 {
		t.Errorf("readiness checks are active with no platform codebase: %v", got)
	}
	if got := tandem.ActiveChecks([]tandem.Platform{{Name: "p", Codebases: []string{"lib"}}}, nil); len(got) != len(tandem.ReadinessItems) {
		t.Errorf("active checks = %d, want the %d readiness checks", len(got), len(tandem.ReadinessItems))
	}
}
