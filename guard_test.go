package tandem_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tandem-dev/tandem"
)

// TestGuardOf checks which codebases a migration guards, and how.
func TestGuardOf(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	guarded := tandem.Migration{Name: "m", Guard: &tandem.GuardSpec{Mode: tandem.GuardBlock}}
	later := tandem.Migration{Name: "m", Guard: &tandem.GuardSpec{Mode: tandem.GuardWarn, Since: "2026-05-11"}}
	today := tandem.Migration{Name: "m", Guard: &tandem.GuardSpec{Mode: tandem.GuardWarn, Since: "2026-05-10"}}
	plain := tandem.Migration{Name: "m"}
	target := func(state string) *tandem.Target { return &tandem.Target{State: state} }
	finished := map[string]int{tandem.TargetDone: 3, tandem.TargetExempt: 1, tandem.TargetPending: 0}
	running := map[string]int{tandem.TargetDone: 3, tandem.TargetTicketed: 1}
	for _, tc := range []struct {
		name     string
		m        tandem.Migration
		counts   map[string]int
		target   *tandem.Target
		mode     string
		guarding bool
	}{
		{"guard: not a target", guarded, running, nil, tandem.GuardBlock, true},
		{"guard: open target", guarded, running, target(tandem.TargetTicketed), tandem.GuardBlock, true},
		{"guard: exempt", guarded, running, target(tandem.TargetExempt), "", false},
		{"guard: before since", later, running, nil, "", false},
		{"guard: on since", today, running, nil, tandem.GuardWarn, true},
		{"finished: done", plain, finished, target(tandem.TargetDone), tandem.GuardWarn, true},
		{"finished: exempt", plain, finished, target(tandem.TargetExempt), "", false},
		{"finished: not a target", plain, finished, nil, "", false},
		{"running: done", plain, running, target(tandem.TargetDone), "", false},
		{"no targets", plain, nil, nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mode, ok := tandem.GuardOf(tc.m, tc.counts, tc.target, now)
			if mode != tc.mode || ok != tc.guarding {
				t.Errorf("GuardOf = %q %v, want %q %v", mode, ok, tc.mode, tc.guarding)
			}
		})
	}
}

// TestGuardStatus checks the state, description and comment of each
// verdict.
func TestGuardStatus(t *testing.T) {
	ev := []tandem.Match{{Path: "a.go", Line: 3}, {Path: "b.go", Line: 1}, {Path: "c.go", Line: 2}, {Path: "d.go", Line: 9}}
	for _, tc := range []struct {
		mode     string
		evidence []tandem.Match
		state    string
		desc     string
	}{
		{tandem.GuardBlock, ev, tandem.StatusFailure, "adds what migration m removes: a.go:3, b.go:1, c.go:2, and 1 more"},
		{tandem.GuardWarn, ev[:1], tandem.StatusWarning, "warning: adds what migration m removes: a.go:3"},
		{tandem.GuardBlock, nil, tandem.StatusSuccess, "no new use of what migration m removes"},
	} {
		state := tandem.GuardState(tc.mode, tc.evidence)
		s := tandem.GuardStatus(tandem.GuardVerdict{Migration: "m", Mode: tc.mode, State: state, Evidence: tc.evidence}, "https://t/campaigns/m")
		if s.State != tc.state || s.Description != tc.desc || s.Context != "tandem/guard/m" || s.TargetURL != "https://t/campaigns/m" {
			t.Errorf("GuardStatus(%s, %v) = %+v, want %s %q", tc.mode, tc.evidence, s, tc.state, tc.desc)
		}
	}
	long := tandem.GuardStatus(tandem.GuardVerdict{Migration: strings.Repeat("é", 150), State: tandem.StatusSuccess}, "")
	if n := utf8.RuneCountInString(long.Description); n != 140 || !utf8.ValidString(long.Description) || !strings.HasSuffix(long.Description, "…") {
		t.Errorf("a long description has %d characters (%q), want 140, cut with …", n, long.Description)
	}
	m := tandem.Migration{Name: "logrus", Title: "Move off logrus"}
	body := tandem.GuardComment(m, tandem.GuardVerdict{Migration: "logrus", Mode: tandem.GuardBlock, Evidence: ev[:2]}, "https://t/campaigns/logrus")
	for _, want := range []string{"**Move off logrus**", "- `a.go:3`", "- `b.go:1`", "blocks", "https://t/campaigns/logrus", tandem.GuardMarker("logrus")} {
		if !strings.Contains(body, want) {
			t.Errorf("GuardComment lacks %q:\n%s", want, body)
		}
	}
}

// TestPullRequestEventGuarded checks which events the guard evaluates.
func TestPullRequestEventGuarded(t *testing.T) {
	for action, want := range map[string]bool{"opened": true, "reopened": true, "synchronize": true, "synchronized": true,
		"open": true, "update": true, "closed": false, "edited": false, "labeled": false} {
		e := tandem.PullRequestEvent{Repo: "api", Number: 1, Action: action, State: tandem.ChangeOpen, Head: "abc"}
		if got := e.Guarded(); got != want {
			t.Errorf("Guarded(%s) = %v, want %v", action, got, want)
		}
	}
	if (tandem.PullRequestEvent{Repo: "api", Number: 1, Action: "opened", State: tandem.ChangeMerged, Head: "abc"}).Guarded() {
		t.Error("a merged pull request is guarded")
	}
}

func TestGuardTargets(t *testing.T) {
	targets := []tandem.Target{
		{Migration: "a", Codebase: "mono", State: tandem.TargetExempt},
		{Migration: "a", Codebase: "mono", Part: "payments", State: tandem.TargetDone},
		{Migration: "b", Codebase: "mono", State: tandem.TargetDone},
		{Migration: "b", Codebase: "mono", Part: "search", State: tandem.TargetTicketed},
		{Migration: "b", Codebase: "mono", Part: "web", State: tandem.TargetExempt},
		{Migration: "c", Codebase: "mono", Part: "web", State: tandem.TargetExempt},
	}
	got := tandem.GuardTargets(targets)
	for migration, want := range map[string]string{"a": "mono:payments", "b": "mono:search", "c": "mono:web"} {
		if got[migration] == nil || got[migration].Address() != want {
			t.Errorf("migration %s is guarded by %v, want %s", migration, got[migration], want)
		}
	}
}
