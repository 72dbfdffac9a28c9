package tandem_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
)

func TestComputeAdoption(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	payments, search := "payments", "search"
	results := []tandem.CheckResult{
		{Codebase: "api", Holds: true},
		{Codebase: "ledger", Holds: true},
		{Codebase: "web", Holds: false},
		{Codebase: "orphan", Holds: true},
		{Codebase: "indexer", Holds: true},
	}
	owners := map[string]*string{"api": &payments, "ledger": &payments, "web": &search, "indexer": &search}
	history := []tandem.CheckResult{
		{Codebase: "api", Holds: true, CheckedAt: day(1)},
		{Codebase: "web", Holds: true, CheckedAt: day(1)},
		{Codebase: "ledger", Holds: true, CheckedAt: day(3)},
		{Codebase: "web", Holds: false, CheckedAt: day(3)},
		{Codebase: "orphan", Holds: true, CheckedAt: day(3)},
		{Codebase: "indexer", Holds: true, CheckedAt: day(4)},
	}
	a := tandem.ComputeAdoption("obslog", results, history, owners)

	if got, want := a.Codebases, []string{"api", "indexer", "ledger", "orphan"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Codebases = %v, want %v", got, want)
	}
	if got, want := a.Teams, []string{"payments", "search"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Teams = %v, want %v", got, want)
	}
	if got, want := a.Unowned, 1; got != want {
		t.Errorf("Unowned = %d, want %d", got, want)
	}
	want := []tandem.TrendPoint{{Day: "2026-11-01", Count: 2}, {Day: "2026-11-03", Count: 3}, {Day: "2026-11-04", Count: 4}}
	if !reflect.DeepEqual(a.Trend, want) {
		t.Errorf("Trend = %v, want %v", a.Trend, want)
	}
}

func TestNextTargetState(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		current                string
		targetHolds, doneHolds bool
		want                   string
	}{
		{"a codebase that never needed the change is no target", "", false, false, ""},
		{"a codebase found needing the change is pending", "", true, false, tandem.TargetPending},
		{"a pending target whose code no longer matches is done", tandem.TargetPending, false, false, tandem.TargetDone},
		{"a pending target whose done check holds is done", tandem.TargetPending, true, true, tandem.TargetDone},
		{"a done target that regressed is pending again", tandem.TargetDone, true, false, tandem.TargetPending},
		{"a codebase already done on first sight is no target", "", true, true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tandem.NextTargetState(tt.current, tt.targetHolds, tt.doneHolds); got != tt.want {
				t.Errorf("NextTargetState(%q, %v, %v) = %q, want %q", tt.current, tt.targetHolds, tt.doneHolds, got, tt.want)
			}
		})
	}
}
