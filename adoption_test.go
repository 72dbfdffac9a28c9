package tandem_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
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
	a := tandem.ComputeAdoption("obslog", results, history, owners, nil)

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

func TestComputeAdoptionLeavesGoneCodebasesOut(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	payments, search := "payments", "search"
	results := []tandem.CheckResult{
		{Codebase: "api", Holds: true},
		{Codebase: "ledger", Holds: true},
		{Codebase: "indexer", Holds: true},
	}
	owners := map[string]*string{"api": &payments, "ledger": &payments, "indexer": &search}
	history := []tandem.CheckResult{
		{Codebase: "api", Holds: true, CheckedAt: day(1)},
		{Codebase: "indexer", Holds: true, CheckedAt: day(1)},
		{Codebase: "ledger", Holds: true, CheckedAt: day(3)},
	}
	a := tandem.ComputeAdoption("obslog", results, history, owners, map[string]time.Time{"indexer": day(2)})

	if got, want := a.Codebases, []string{"api", "ledger"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Codebases = %v, want %v: indexer is gone", got, want)
	}
	if got, want := a.Teams, []string{"payments"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Teams = %v, want %v: search adopted only with its gone codebase", got, want)
	}
	want := []tandem.TrendPoint{{Day: "2026-11-01", Count: 2}, {Day: "2026-11-02", Count: 1}, {Day: "2026-11-03", Count: 2}}
	if !reflect.DeepEqual(a.Trend, want) {
		t.Errorf("Trend = %v, want %v: indexer counts until the day it left", a.Trend, want)
	}
}

// TestComputeAdoptionTrendReplaysHistory compares the trend of random
// histories with the one quadraticTrend recounts after every event.
func TestComputeAdoptionTrendReplaysHistory(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		history, gone := randomHistory(rng)
		got := tandem.ComputeAdoption("obslog", nil, history, nil, gone).Trend
		if want := quadraticTrend(history, gone); !reflect.DeepEqual(got, want) {
			t.Fatalf("history %d: %v gone %v:\nTrend = %v\nwant    %v", i, history, gone, got, want)
		}
	}
}

// randomHistory returns a history of up to 40 changes of 6 codebases over
// 5 days, several at the same instant, oldest first, and up to 3 of the
// codebases gone at one of those times or another.
func randomHistory(rng *rand.Rand) ([]tandem.CheckResult, map[string]time.Time) {
	start := time.Date(2026, 11, 1, 22, 0, 0, 0, time.UTC)
	at := func() time.Time { return start.Add(time.Duration(rng.IntN(5*8)) * 3 * time.Hour) }
	history := make([]tandem.CheckResult, rng.IntN(40))
	for i := range history {
		history[i] = tandem.CheckResult{Codebase: fmt.Sprint("c", rng.IntN(6)), Holds: rng.IntN(3) > 0, CheckedAt: at()}
	}
	slices.SortStableFunc(history, func(x, y tandem.CheckResult) int { return x.CheckedAt.Compare(y.CheckedAt) })
	gone := map[string]time.Time{}
	for range rng.IntN(4) {
		gone[fmt.Sprint("c", rng.IntN(6))] = at()
	}
	return history, gone
}

// quadraticTrend is the trend as ComputeAdoption once computed it,
// counting every adopting codebase again after each event.
func quadraticTrend(history []tandem.CheckResult, gone map[string]time.Time) []tandem.TrendPoint {
	trend := []tandem.TrendPoint{}
	events := slices.Clone(history)
	for c, at := range gone {
		events = append(events, tandem.CheckResult{Codebase: c, Holds: false, CheckedAt: at})
	}
	slices.SortStableFunc(events, func(x, y tandem.CheckResult) int { return x.CheckedAt.Compare(y.CheckedAt) })
	adopting := map[string]bool{}
	for _, h := range events {
		day := h.CheckedAt.UTC().Format(time.DateOnly)
		adopting[h.Codebase] = h.Holds
		count := 0
		for _, holds := range adopting {
			if holds {
				count++
			}
		}
		if n := len(trend); n > 0 && trend[n-1].Day == day {
			trend[n-1].Count = count
		} else {
			trend = append(trend, tandem.TrendPoint{Day: day, Count: count})
		}
	}
	return trend
}

func TestNextTargetState(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		current                string
		ticketed               bool
		targetHolds, doneHolds bool
		want                   string
	}{
		{"a codebase that never needed the change is no target", "", false, false, false, ""},
		{"a codebase found needing the change is pending", "", false, true, false, tandem.TargetPending},
		{"a codebase already done on first sight is no target", "", false, true, true, ""},
		{"a pending target whose code no longer matches is done", tandem.TargetPending, false, false, false, tandem.TargetDone},
		{"a ticketed target whose done check holds is done", tandem.TargetTicketed, true, true, true, tandem.TargetDone},
		{"a change request merged makes its target done", tandem.TargetPROpen, true, false, false, tandem.TargetDone},
		{"an exempt target migrated anyway is done", tandem.TargetExempt, true, false, false, tandem.TargetDone},
		{"a ticketed target still needing the change stays ticketed", tandem.TargetTicketed, true, true, false, tandem.TargetTicketed},
		{"an unowned target stays unowned", tandem.TargetUnowned, false, true, false, tandem.TargetUnowned},
		{"a done target that regressed goes back to its ticket", tandem.TargetDone, true, true, false, tandem.TargetTicketed},
		{"a done target never ticketed that regressed is pending", tandem.TargetDone, false, true, false, tandem.TargetPending},
		{"a done target stays done", tandem.TargetDone, true, false, false, tandem.TargetDone},
		{"a gone target whose codebase is back needing the change goes back to its ticket", tandem.TargetGone, true, true, false, tandem.TargetTicketed},
		{"a gone target never ticketed whose codebase is back needing the change is pending", tandem.TargetGone, false, true, false, tandem.TargetPending},
		{"a gone target whose codebase is back migrated is done", tandem.TargetGone, true, false, false, tandem.TargetDone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tandem.NextTargetState(tt.current, tt.ticketed, tt.targetHolds, tt.doneHolds); got != tt.want {
				t.Errorf("NextTargetState(%q, %v, %v, %v) = %q, want %q", tt.current, tt.ticketed, tt.targetHolds, tt.doneHolds, got, tt.want)
			}
		})
	}
}

func TestDurationText(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "under a minute"},
		{59 * time.Second, "under a minute"},
		{12 * time.Minute, "12m"},
		{5 * time.Hour, "5h"},
		{5*time.Hour + 30*time.Minute, "5h 30m"},
		{26*time.Hour + 59*time.Minute, "1d 2h"},
		{48 * time.Hour, "2d"},
	} {
		t.Run(tt.d.String()+" reads as "+tt.want, func(t *testing.T) {
			if got := tandem.DurationText(tt.d); got != tt.want {
				t.Errorf("DurationText(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "90m": 90 * time.Minute, "1.5d": 36 * time.Hour} {
		if got, err := tandem.ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "-1d", "d", "3x"} {
		if _, err := tandem.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded, want an error", bad)
		}
	}
}
