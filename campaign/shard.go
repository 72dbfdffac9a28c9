package campaign

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/codeowners"
)

// shard is one owned part's share of a fix's change: its files, and the
// CODEOWNERS owners its rules name, who are asked to review it.
type shard struct {
	files     []string
	reviewers []string
}

// escalateShards escalates the ticketed targets of one codebase owned in
// parts (a monorepo): where its policy lets the platform team in, it runs
// the migration's fix once, splits what the fix changed by the owned part
// of each file, and opens one change request per target's part with only
// that part's files, on a branch of its own, asking the part's CODEOWNERS
// to review it. What the fix changed in files no team owns is reported,
// not proposed. Elsewhere each target gets its Tour of Duty. Run again,
// it opens nothing twice: a part's target with an open change request is
// not ticketed, and a cut-short run pushes to the branches it pushed to.
func (s *Service) escalateShards(ctx context.Context, e *escalation, name string, targets []tandem.Target) []Escalated {
	cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: name})
	if err != nil {
		return failedAll(targets, err)
	}
	c := cbs[0]
	if !LetsIn(c, e.platformTeam) || e.m.Fix == nil {
		var out []Escalated
		for _, t := range targets {
			out = append(out, s.proposeTour(ctx, e, t, c))
		}
		return out
	}
	if e.budget == 0 {
		return waitingAll(targets)
	}
	shards, err := s.splitFix(ctx, e, c, targets)
	if err != nil {
		return failedAll(targets, err)
	}
	var out []Escalated
	for _, t := range targets {
		sh, ok := shards[t.Part]
		delete(shards, t.Part)
		switch {
		case !ok:
			out = append(out, Escalated{Codebase: t.Address(), Action: "none", Detail: "the fix changes none of the files of this part"})
			continue
		case e.budget == 0:
			out = append(out, Escalated{Codebase: t.Address(), Action: "none", Detail: "waiting for the rollout limit"})
			continue
		}
		esc, err := s.openShard(ctx, e, t, c, sh)
		if err != nil {
			esc = escalationFailed(t, err)
		} else if e.budget > 0 {
			e.budget--
		}
		out = append(out, esc)
	}
	for _, part := range slices.Sorted(maps.Keys(shards)) {
		if part != tandem.PartUnowned && e.isTarget(c.Name, part) {
			continue // a part escalation was not asked for, or waits
		}
		out = append(out, Escalated{Codebase: tandem.TargetAddress(c.Name, part), Action: "none", Detail: leftOut(part, shards[part].files)})
	}
	return out
}

// isTarget reports whether the part of codebase is a target of the
// migration, in any state.
func (e *escalation) isTarget(codebase, part string) bool {
	return slices.ContainsFunc(e.targets, func(t tandem.Target) bool { return t.Codebase == codebase && t.Part == part })
}

// splitFix runs the migration's fix on c once, on a branch of the mirror
// that is never proposed, and returns what it changed by owned part
// (codeowners.Part).
func (s *Service) splitFix(ctx context.Context, e *escalation, c tandem.Codebase, targets []tandem.Target) (map[string]*shard, error) {
	m := e.m
	switch {
	case c.Location == "":
		return nil, errors.New("the codebase has not been scanned on this server: no repository to fix")
	case s.ChangedFiles == nil || s.Shard == nil:
		return nil, fmt.Errorf("%s is owned in parts, and this server cannot split a fix: escalate it by hand", c.Name)
	}
	timeout, err := fixTimeout(m.Fix)
	if err != nil {
		return nil, err
	}
	commit, err := s.Fix(ctx, FixRun{Repo: c.Location, Base: c.DefaultBranch, Branch: m.Fix.Branch + "-all", Run: m.Fix.Run,
		Message: fmt.Sprintf("%s: the whole fix of %s, split by owner", m.Title, c.Name), Timeout: timeout, Env: m.Fix.Env})
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	files, err := s.ChangedFiles(ctx, c.Location, c.DefaultBranch, commit)
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	teams, err := s.Store.FindTeams(ctx, "")
	if err != nil {
		return nil, err
	}
	owner := ""
	if c.Owner != nil {
		owner = *c.Owner
	}
	owners := codeowners.NewMatcher(c.Ownership)
	shards := map[string]*shard{}
	for _, f := range files {
		part, reviewers := owners.Part(owner, f, teams)
		sh := shards[part]
		if sh == nil {
			sh = &shard{}
			shards[part] = sh
		}
		sh.files = append(sh.files, f)
		for _, r := range reviewers {
			if !slices.ContainsFunc(sh.reviewers, func(x string) bool { return strings.EqualFold(x, r) }) {
				sh.reviewers = append(sh.reviewers, r)
			}
		}
	}
	e.fixCommit = commit
	return shards, nil
}

// openShard commits a part's share of the fix on the target's next branch,
// at most fix.maxFiles files of it, and opens its change request, asking
// the part's reviewers to review it.
func (s *Service) openShard(ctx context.Context, e *escalation, t tandem.Target, c tandem.Codebase, sh *shard) (Escalated, error) {
	m := e.m
	proposer, err := s.proposerOn(ctx, c)
	if err != nil {
		return Escalated{}, err
	}
	files, more := sh.files, 0
	if m.Fix.MaxFiles > 0 && len(files) > m.Fix.MaxFiles {
		files, more = files[:m.Fix.MaxFiles], len(files)-m.Fix.MaxFiles
	}
	title, body, err := fixMessage(m, t, c, e.now)
	if err != nil {
		return Escalated{}, err
	}
	body += shardNote(t, files, more, sh.reviewers)
	branch := nextBranch(shardBranch(m.Fix.Branch, t.Part), e.history[t.Address()])
	commit, err := s.Shard(ctx, ShardRun{Repo: c.Location, Base: c.DefaultBranch, From: e.fixCommit, Paths: files, Branch: branch,
		Message: title + "\n\n" + body})
	if err != nil {
		return Escalated{}, err
	}
	cr, err := s.propose(ctx, proposer, c, tandem.ChangeRequest{Migration: m.Name, Codebase: c.Name, Part: t.Part, Files: files,
		Reviewers: sh.reviewers, Branch: branch, Commit: commit, Title: title, Body: body})
	if err != nil {
		return Escalated{}, err
	}
	out := Escalated{Codebase: t.Address(), Action: "change-request", URL: cr.URL,
		Detail: fmt.Sprintf("branch %s at %s, %d files", cr.Branch, commit[:min(12, len(commit))], len(files))}
	if proposer != nil && len(sh.reviewers) > 0 {
		// Recorded first: a failed request is the review routing's to
		// repeat, and the change request is not opened twice.
		if err := proposer.RequestReviewers(ctx, c.Name, cr.URL, sh.reviewers); err != nil {
			out.Detail += "; reviewers not requested: " + err.Error()
		}
	}
	return out, nil
}

// shardBranch is the branch of a part's change requests: the fix's branch
// for the codebase as a whole, suffixed with the team for a team's part.
func shardBranch(base, part string) string {
	if part == "" {
		return base
	}
	return base + "-" + part
}

// shardNote is what a shard's body adds to the fix's: whose files it
// changes and who is asked to review it.
func shardNote(t tandem.Target, files []string, more int, reviewers []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n\nThis change is the part of the fix in the files %s owns:\n", ownerName(t))
	for _, f := range files {
		fmt.Fprintf(&b, "\n- %s", f)
	}
	if more > 0 {
		fmt.Fprintf(&b, "\n\n%d more files follow in the next change request, once this one is merged.", more)
	}
	if len(reviewers) > 0 {
		fmt.Fprintf(&b, "\n\nReviewers, from CODEOWNERS: %s.", strings.Join(reviewers, ", "))
	}
	return b.String()
}

// ownerName names the team that owns a target's part.
func ownerName(t tandem.Target) string {
	if t.Owner != nil {
		return *t.Owner
	}
	return "nobody"
}

// leftOut says why a fix's change to a part's files was not proposed.
func leftOut(part string, files []string) string {
	list := strings.Join(files, ", ")
	switch part {
	case tandem.PartUnowned:
		return "the fix changes files no known team owns; not proposed: " + list
	case "":
		return "the fix changes files of the codebase's owner, where the target does not hold; not proposed: " + list
	}
	return fmt.Sprintf("the fix changes files of %s, where the target does not hold; not proposed: %s", part, list)
}

// failedAll is the escalation of targets that all failed with err.
func failedAll(targets []tandem.Target, err error) []Escalated {
	out := make([]Escalated, len(targets))
	for i, t := range targets {
		out[i] = escalationFailed(t, err)
	}
	return out
}

// waitingAll is the escalation of targets that all wait for the rollout
// limit.
func waitingAll(targets []tandem.Target) []Escalated {
	out := make([]Escalated, len(targets))
	for i, t := range targets {
		out[i] = Escalated{Codebase: t.Address(), Action: "none", Detail: "waiting for the rollout limit"}
	}
	return out
}
