package tandem

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PullRequestEvent is what a code host's pull request event says about
// the pull request: where it is, what it is at, and what just happened.
type PullRequestEvent struct {
	// Repo is the repository's name on its code host (a FolderName).
	Repo   string `json:"repo"`
	Number int64  `json:"number"`
	// Head is the commit at the head of the pull request's branch; Base
	// the branch it asks to be merged into.
	Head string `json:"head"`
	Base string `json:"base"`
	// Action is what happened, as the host names it: opened, reopened,
	// synchronize(d), closed… for GitLab its action (open, reopen,
	// update…).
	Action string `json:"action"`
	URL    string `json:"url"`
	// State is ChangeOpen, ChangeMerged or ChangeClosed.
	State string `json:"state"`
}

// Guarded reports whether the event brings new code to evaluate: a pull
// request opened, reopened, or whose branch moved, and still open.
func (e PullRequestEvent) Guarded() bool {
	if e.State != ChangeOpen || e.Head == "" || e.Repo == "" || e.Number <= 0 {
		return false
	}
	switch e.Action {
	case "opened", "reopened", "synchronize", "synchronized", "open", "reopen", "update":
		return true
	}
	return false
}

// PullRequestGuarder evaluates the guard on pull requests, in the
// background.
type PullRequestGuarder interface {
	// GuardPullRequest has the guard evaluate the head of pull request e
	// of host's repository, once per head.
	GuardPullRequest(ctx context.Context, host string, e PullRequestEvent) error
}

// Guarding is a migration that guards a codebase, and in which mode
// (GuardWarn or GuardBlock).
type Guarding struct {
	Migration Migration
	Mode      string
}

// GuardOf returns how migration m guards a codebase, given counts (how
// many of m's targets are in each state, TargetStats.Counts) and target,
// the codebase's own target of m (nil when it is none), at now. A
// migration with a Guard guards every codebase from its Since day on,
// except a codebase whose target is exempt. A migration without one that
// is finished (it has targets and none is open) guards its done
// codebases in GuardWarn mode. ok is false when m does not guard the
// codebase.
func GuardOf(m Migration, counts map[string]int, target *Target, now time.Time) (mode string, ok bool) {
	if m.Guard != nil {
		if !m.Guard.InForce(now) {
			return "", false
		}
		if target != nil && target.State == TargetExempt {
			return "", false
		}
		return m.Guard.Mode, true
	}
	total, open := 0, 0
	for state, n := range counts {
		total += n
		if TargetOpen(state) {
			open += n
		}
	}
	if total == 0 || open > 0 || target == nil || target.State != TargetDone {
		return "", false
	}
	return GuardWarn, true
}

// GuardTargets returns, by migration, the target of a codebase that
// GuardOf weighs, among its targets (FindCodebaseTargets). A codebase
// owned in parts has one per part, and is guarded as its most needing
// part is: an open one, else a done one, else an exempt or gone one; so
// one exempt part does not leave the others unguarded.
func GuardTargets(targets []Target) map[string]*Target {
	rank := func(t Target) int {
		switch {
		case t.Open():
			return 2
		case t.State == TargetDone:
			return 1
		}
		return 0
	}
	by := map[string]*Target{}
	for i := range targets {
		if cur := by[targets[i].Migration]; cur == nil || rank(targets[i]) > rank(*cur) {
			by[targets[i].Migration] = &targets[i]
		}
	}
	return by
}

// Commit status states Tandem posts. A code host without a neutral state
// posts StatusWarning as its success with a description that starts
// "warning:".
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusWarning = "warning"
)

// GuardState returns the commit status of a guarded pull request: a
// failure (GuardBlock) or a warning (GuardWarn) when it adds new evidence
// of the migration's target, else a success.
func GuardState(mode string, evidence []Match) string {
	switch {
	case len(evidence) == 0:
		return StatusSuccess
	case mode == GuardBlock:
		return StatusFailure
	default:
		return StatusWarning
	}
}

// GuardVerdict is a guarding migration's verdict on a pull request's
// head: the new evidence of its target the pull request adds.
type GuardVerdict struct {
	Migration string  `json:"migration"`
	Mode      string  `json:"mode"`
	State     string  `json:"state"`
	Evidence  []Match `json:"evidence"`
}

// CommitStatus is a status on a commit, as code hosts show them beside a
// pull request's checks.
type CommitStatus struct {
	State       string // StatusSuccess, StatusFailure or StatusWarning
	Context     string // what the status is about, one per migration
	Description string
	TargetURL   string
}

// maxStatusDescription is the longest description GitHub takes (140
// characters); the others take more.
const maxStatusDescription = 140

// GuardStatus returns the commit status of verdict v, which links to
// campaignURL.
func GuardStatus(v GuardVerdict, campaignURL string) CommitStatus {
	s := CommitStatus{State: v.State, Context: "tandem/guard/" + v.Migration, TargetURL: campaignURL}
	switch v.State {
	case StatusSuccess:
		s.Description = "no new use of what migration " + v.Migration + " removes"
	default:
		s.Description = fmt.Sprintf("adds what migration %s removes: %s", v.Migration, evidenceList(v.Evidence, 3))
		if v.State == StatusWarning {
			s.Description = "warning: " + s.Description
		}
	}
	if r := []rune(s.Description); len(r) > maxStatusDescription {
		s.Description = string(r[:maxStatusDescription-1]) + "…"
	}
	return s
}

// evidenceList returns the first n matches of ms, and how many more.
func evidenceList(ms []Match, n int) string {
	parts := make([]string, 0, n+1)
	for i, m := range ms {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(ms)-n))
			break
		}
		parts = append(parts, m.String())
	}
	return strings.Join(parts, ", ")
}

// GuardMarker is the hidden marker of the guard's comment on a pull
// request about a migration: one comment per pull request and migration.
func GuardMarker(migration string) string {
	return "<!-- tandem:guard:" + migration + " -->"
}

// GuardComment returns the comment on a pull request that adds new
// evidence of migration m's target: each place, and the campaign's page.
func GuardComment(m Migration, v GuardVerdict, campaignURL string) string {
	name := m.Title
	if name == "" {
		name = m.Name
	}
	var b strings.Builder
	fmt.Fprintf(&b, "This pull request brings back what the migration **%s** removes:\n\n", name)
	for _, e := range v.Evidence {
		fmt.Fprintf(&b, "- `%s`\n", e)
	}
	if v.Mode == GuardBlock {
		b.WriteString("\nThe migration blocks such changes")
	} else {
		b.WriteString("\nThe migration warns of such changes")
	}
	fmt.Fprintf(&b, "; see the campaign: %s\n\n%s\n", campaignURL, GuardMarker(m.Name))
	return b.String()
}

// PullRequestGuard is what the guard needs of a code host: a pull
// request's commits in the codebase's mirror, and commit statuses.
type PullRequestGuard interface {
	// FetchPullRequest fetches the head of pull request e and its base
	// branch into the mirror of e's repository and returns the mirror's
	// folder and the merge base of e.Head and the base branch.
	FetchPullRequest(ctx context.Context, e PullRequestEvent) (dir, mergeBase string, err error)
	// PostStatus sets status s on the commit sha of the codebase's
	// repository, replacing the one of the same context.
	PostStatus(ctx context.Context, codebase, sha string, s CommitStatus) error
	// CommentPullRequest adds body to the pull request at url unless a
	// comment carrying marker is there already.
	CommentPullRequest(ctx context.Context, codebase, url, body, marker string) error
}

// GuardReport is a guarding migration's verdict on one head of a pull
// request, and what was posted of it.
type GuardReport struct {
	Host      string  `json:"host"`
	Repo      string  `json:"repo"`
	Number    int64   `json:"number"`
	URL       string  `json:"url"`
	Head      string  `json:"head"`
	Migration string  `json:"migration"`
	Mode      string  `json:"mode"`
	State     string  `json:"state"`
	Evidence  []Match `json:"evidence"`
	// PostedAt is when the commit status was posted; CommentedAt when
	// the comment with the evidence was (nil: none).
	PostedAt    time.Time  `json:"posted_at"`
	CommentedAt *time.Time `json:"commented_at,omitempty"`
}

// GuardReportFilter selects guard reports; zero fields match all.
type GuardReportFilter struct {
	Host      string
	Repo      string
	Number    int64
	Head      string
	Migration string
	Limit     int // 0: all
}

// GuardStore keeps the guard's reports, so that a retried job or a
// redelivered webhook posts nothing twice and pages show the last
// verdicts.
type GuardStore interface {
	// SaveGuardReport records r, replacing the report of the same host,
	// repository, number, head and migration.
	SaveGuardReport(ctx context.Context, r GuardReport) error
	// FindGuardReports returns the reports f selects, newest first.
	FindGuardReports(ctx context.Context, f GuardReportFilter) ([]GuardReport, error)
}
