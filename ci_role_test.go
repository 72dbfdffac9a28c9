package tandem_test

import (
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestMayPushResults(t *testing.T) {
	for _, tt := range []struct {
		token    tandem.Token
		codebase string
		may      bool
	}{
		{tandem.Token{Role: tandem.RoleAdmin}, "api", true},
		{tandem.Token{Role: tandem.RoleCI, Codebase: "api"}, "api", true},
		{tandem.Token{Role: tandem.RoleCI, Codebase: "api"}, "billing", false},
		{tandem.Token{Role: tandem.RoleCI, Codebase: "api"}, "API", false},
		{tandem.Token{Role: tandem.RoleCI}, "", false},
		{tandem.Token{Role: tandem.RoleViewer, Codebase: "api"}, "api", false},
		{tandem.Token{Role: tandem.RoleTeamMember}, "api", false},
		{tandem.Token{Role: tandem.RolePlatformOwner}, "api", false},
	} {
		if got := tt.token.MayPushResults(tt.codebase); got != tt.may {
			t.Errorf("%s token of %q pushing for %q = %v, want %v", tt.token.Role, tt.token.Codebase, tt.codebase, got, tt.may)
		}
	}
	if !tandem.ValidRole(tandem.RoleCI) {
		t.Error("ci is not a valid role")
	}
}

func TestScannedChecks(t *testing.T) {
	checks := tandem.ActiveChecks([]tandem.Platform{{Name: "p", Adoption: &tandem.Check{Path: "go.mod", Source: tandem.SourceCI}}},
		[]tandem.Migration{{Name: "m", Target: tandem.Check{Path: "*.go"}, Done: &tandem.Check{Command: []string{"make"}, Source: tandem.SourceCI}}})
	scanned := tandem.ScannedChecks(checks)
	if len(checks) != 3 || len(scanned) != 1 || scanned[0].ID != "migration/m/target" {
		t.Errorf("ScannedChecks of %d checks = %+v, want migration/m/target alone", len(checks), scanned)
	}
}
