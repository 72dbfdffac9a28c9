package campaign

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// Escalated is what escalation did to one straggler.
type Escalated struct {
	Codebase string `json:"codebase"`
	// Action is change-request, tour-proposed, none (already escalated,
	// or waiting for the rollout limit) or error.
	Action string `json:"action"`
	Detail string `json:"detail,omitempty"`
	URL    string `json:"url,omitempty"`
}

// Escalate does the platform team's part for each straggler of a migration
// (every ticketed target, or the one codebase named): where the codebase's
// policy lets the platform team in (open, or trusted with the platform's
// owner team or one of its members trusted), it runs the fix, pushes the
// branch and opens a change request; elsewhere it proposes a Tour of Duty.
// Escalating again changes nothing already done: a target has at most one
// open change request. A target whose last change request was merged (and
// a scan since still finds it needed) or closed by its owners gets a new
// one, on a new branch. With auto, only targets whose escalate.after has
// passed are escalated, and not those whose owners closed the last change
// request: only a person proposes the change again.
//
// One escalation of a migration runs at a time, among every process
// sharing the store: two at once (two servers, a hand escalation and a
// tick, a rescued tick and the next) would both find a target ticketed
// and both run its fix. Each reads the targets once it holds the lock, so
// the second finds the first's change requests.
func (s *Service) Escalate(ctx context.Context, name, codebase string, auto bool) ([]Escalated, error) {
	var out []Escalated
	err := s.Store.Exclusive(ctx, "escalate:"+name, func(ctx context.Context) error {
		var err error
		out, err = s.escalateAll(ctx, name, codebase, auto)
		return err
	})
	return out, err
}

// escalation is what escalating a migration's targets reads first, and
// the rollout budget it spends.
type escalation struct {
	m            tandem.Migration
	targets      []tandem.Target
	history      map[string][]tandem.ChangeRequest // by target address
	platformTeam tandem.Team                       // the platform's owners
	budget       int                               // -1: no limit
	now          time.Time
	// fixCommit is the commit of the fix last run on a codebase owned in
	// parts, which its shards are split from.
	fixCommit string
}

// escalateAll is Escalate's work, run while holding the migration's
// escalation lock.
func (s *Service) escalateAll(ctx context.Context, name, codebase string, auto bool) ([]Escalated, error) {
	e, err := s.readEscalation(ctx, name)
	if err != nil {
		return nil, err
	}
	out := []Escalated{}
	found := false
	inParts := codebasesInParts(e.targets)
	parts := map[string][]tandem.Target{} // ticketed targets of codebases owned in parts
	for _, t := range e.targets {
		if codebase != "" && t.Codebase != codebase && t.Address() != codebase {
			continue
		}
		found = true
		switch t.State {
		case tandem.TargetPROpen, tandem.TargetTourProposed:
			out = append(out, Escalated{Codebase: t.Address(), Action: "none", Detail: "already escalated"})
			continue
		case tandem.TargetTicketed:
		default:
			if codebase != "" && t.Address() == codebase {
				return nil, tandem.Errorf(tandem.EINVALID, "%s is %s: only ticketed targets can be escalated", t.Address(), t.State)
			}
			continue
		}
		if auto && !e.due(t) {
			continue
		}
		prev := e.history[t.Address()]
		held, why, err := s.heldBack(ctx, t, prev, auto)
		if err != nil {
			return nil, err
		}
		if why != "" {
			out = append(out, Escalated{Codebase: t.Address(), Action: "none", Detail: why})
		}
		if held {
			continue
		}
		if inParts[t.Codebase] {
			parts[t.Codebase] = append(parts[t.Codebase], t)
			continue
		}
		out = append(out, s.escalate(ctx, e, t, prev))
	}
	for _, c := range slices.Sorted(maps.Keys(parts)) {
		out = append(out, s.escalateShards(ctx, e, c, parts[c])...)
	}
	if codebase != "" && !found {
		return nil, tandem.Errorf(tandem.ENOTFOUND, "%q is not a target of migration %q", codebase, name)
	}
	for _, esc := range out {
		if esc.Action == "error" {
			c, part := tandem.ParseTargetAddress(esc.Codebase)
			if err := s.Store.SetTargetError(ctx, name, c, part, esc.Detail); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// codebasesInParts returns the codebases some of whose targets are owned
// parts: their fixes are split by owner (escalateShards).
func codebasesInParts(targets []tandem.Target) map[string]bool {
	in := map[string]bool{}
	for _, t := range targets {
		if t.Part != "" {
			in[t.Codebase] = true
		}
	}
	return in
}

// readEscalation reads the migration, its targets, the change requests
// of each and the team that owns its platform.
func (s *Service) readEscalation(ctx context.Context, name string) (*escalation, error) {
	ms, err := s.Store.FindMigrations(ctx, name)
	if err != nil {
		return nil, err
	}
	e := &escalation{m: ms[0], history: map[string][]tandem.ChangeRequest{}}
	if e.targets, err = s.Store.FindTargets(ctx, name); err != nil {
		return nil, err
	}
	crs, err := s.Store.FindChangeRequests(ctx, name, 0)
	if err != nil {
		return nil, err
	}
	for _, cr := range crs {
		address := tandem.TargetAddress(cr.Codebase, cr.Part)
		e.history[address] = append(e.history[address], cr)
	}
	platforms, err := s.Store.FindPlatforms(ctx, e.m.Platform)
	if err != nil {
		return nil, err
	}
	owners, err := s.Store.FindTeams(ctx, platforms[0].Owner)
	if err != nil {
		return nil, err
	}
	e.platformTeam = owners[0]
	if e.budget, err = s.budget(ctx, e.m); err != nil {
		return nil, err
	}
	e.now = s.now()
	return e, nil
}

// due reports whether a ticketed target's escalate.after has passed; a
// target with no ticketing time, or a migration whose escalate.after
// does not parse, is not due.
func (e *escalation) due(t tandem.Target) bool {
	if t.TicketedAt == nil {
		return false
	}
	due, err := EscalationDue(e.m.Escalate, e.m.Deadline, *t.TicketedAt, e.now)
	return err == nil && due
}

// heldBack says whether a ticketed target's last change request holds a
// new one back: closed by its owners when escalating automatically (a
// person decides to ask again), or merged with no scan since to say
// whether the codebase still needs the change. why, when not "", says
// what is awaited.
func (s *Service) heldBack(ctx context.Context, t tandem.Target, history []tandem.ChangeRequest, auto bool) (held bool, why string, err error) {
	last := lastChange(t, history)
	if last == nil {
		return false, "", nil
	}
	switch last.State {
	case tandem.ChangeClosed:
		// The owners said no to it: a person decides to ask again.
		return auto, "", nil
	case tandem.ChangeMerged:
		why, err := s.awaitingScan(ctx, t.Codebase, *last)
		return why != "", why, err
	}
	return false, "", nil
}

// lastChange returns the change request a target follows, from its
// history; nil when it has none.
func lastChange(t tandem.Target, history []tandem.ChangeRequest) *tandem.ChangeRequest {
	if t.PullRequest == nil {
		return nil
	}
	for i := range history {
		if history[i].ID == t.PullRequest.ID {
			return &history[i]
		}
	}
	return nil
}

// awaitingScan says why a target whose last change request was merged is
// not escalated yet: no scan of its codebase since the merge has said
// whether the codebase still needs the change. It returns "" once one has.
func (s *Service) awaitingScan(ctx context.Context, codebase string, last tandem.ChangeRequest) (string, error) {
	cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: codebase})
	if err != nil {
		return "", err
	}
	if len(cbs) > 0 && cbs[0].ScannedAt != nil && last.MergedAt != nil && cbs[0].ScannedAt.After(*last.MergedAt) {
		return "", nil
	}
	return fmt.Sprintf("%s was merged: the next scan tells whether %s still needs the change", last.URL, codebase), nil
}

// nextBranch returns the branch of a target's next change request: the
// fix's branch for the first, then the branch suffixed -2, -3 and so on.
// An earlier change request's branch may still be on the code host and in
// the mirror, and a pull request from it is that change request, merged
// or closed. The same history names the same branch, so an escalation
// cut short and run again pushes to the branch it pushed to before.
func nextBranch(base string, history []tandem.ChangeRequest) string {
	used := map[string]bool{}
	for _, cr := range history {
		used[cr.Branch] = true
	}
	branch := base
	for n := 2; used[branch]; n++ {
		branch = fmt.Sprintf("%s-%d", base, n)
	}
	return branch
}

// escalate escalates one ticketed target: a change request where the
// codebase lets the platform team in and the migration has a fix, a Tour
// of Duty elsewhere. What fails is an Escalated with action error.
func (s *Service) escalate(ctx context.Context, e *escalation, t tandem.Target, history []tandem.ChangeRequest) Escalated {
	cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: t.Codebase})
	if err != nil {
		return escalationFailed(t, err)
	}
	c := cbs[0]
	if !LetsIn(c, e.platformTeam) || e.m.Fix == nil {
		return s.proposeTour(ctx, e, t, c)
	}
	if e.budget == 0 {
		return Escalated{Codebase: c.Name, Action: "none", Detail: "waiting for the rollout limit"}
	}
	out, err := s.openChange(ctx, e, t, c, history)
	if err != nil {
		return escalationFailed(t, err)
	}
	if e.budget > 0 {
		e.budget--
	}
	return out
}

// escalationFailed is the escalation of a target that failed with err.
func escalationFailed(t tandem.Target, err error) Escalated {
	return Escalated{Codebase: t.Address(), Action: "error", Detail: err.Error()}
}

// proposeTour proposes a Tour of Duty of the platform team in the team
// that owns c, to make the change with them.
func (s *Service) proposeTour(ctx context.Context, e *escalation, t tandem.Target, c tandem.Codebase) Escalated {
	m := e.m
	purpose := fmt.Sprintf("Make the %q change in the codebases of %s closed to outside changes, with the team.", m.Title, t.Team)
	if m.Fix == nil && LetsIn(c, e.platformTeam) {
		purpose += " The migration declares no fix to run."
	}
	detail, proposed, err := s.tourFor(ctx, m.Name, e.platformTeam.Name, t, purpose, e.now)
	switch {
	case err != nil:
		return escalationFailed(t, err)
	case !proposed:
		return Escalated{Codebase: t.Address(), Action: "none", Detail: detail}
	}
	return Escalated{Codebase: t.Address(), Action: "tour-proposed", Detail: detail}
}

// tourFor proposes a Tour of Duty of the team home in target t's team,
// for t, with purpose, starting now, and says what it proposed; proposed
// is false when a Tour of Duty for t was withdrawn by hand, which is not
// proposed again, and detail says so.
func (s *Service) tourFor(ctx context.Context, migration, home string, t tandem.Target, purpose string, now time.Time) (detail string, proposed bool, err error) {
	en, _, err := s.Store.ProposeTour(ctx, tandem.Engagement{
		Type: tandem.TourOfDuty, State: tandem.EngagementProposed, HomeTeam: home, HostTeam: t.Team, Purpose: purpose,
		Migration: migration, Codebases: []string{t.Address()}, Starts: now.Format(time.DateOnly), Ends: now.Add(TourLength).Format(time.DateOnly),
	})
	switch {
	case err != nil:
		return "", false, err
	case en.State == tandem.EngagementWithdrawn:
		return fmt.Sprintf("engagement %d, its Tour of Duty, was withdrawn: %s", en.ID, en.Reason), false, nil
	}
	return fmt.Sprintf("engagement %d: %s joins %s until %s", en.ID, en.HomeTeam, en.HostTeam, en.Ends), true, nil
}

// openChange runs the migration's fix on c, pushes the commit on the
// target's next branch and opens a change request for it: a pull request
// where the code host has them, a record of Tandem's own on a local one.
func (s *Service) openChange(ctx context.Context, e *escalation, t tandem.Target, c tandem.Codebase, history []tandem.ChangeRequest) (Escalated, error) {
	m := e.m
	proposer, err := s.proposerOn(ctx, c)
	if err != nil {
		return Escalated{}, err
	}
	title, body, err := fixMessage(m, t, c, e.now)
	if err != nil {
		return Escalated{}, err
	}
	timeout, err := fixTimeout(m.Fix)
	if err != nil {
		return Escalated{}, err
	}
	if c.Location == "" {
		return Escalated{}, errors.New("the codebase has not been scanned on this server: no repository to fix")
	}
	branch := nextBranch(m.Fix.Branch, history)
	commit, err := s.Fix(ctx, FixRun{Repo: c.Location, Base: c.DefaultBranch, Branch: branch, Run: m.Fix.Run,
		Message: title + "\n\n" + body, Timeout: timeout, Env: m.Fix.Env})
	if err != nil {
		return Escalated{}, fmt.Errorf("fix: %w", err)
	}
	cr, err := s.propose(ctx, proposer, c, tandem.ChangeRequest{Migration: m.Name, Codebase: c.Name, Branch: branch, Commit: commit, Title: title, Body: body})
	if err != nil {
		return Escalated{}, err
	}
	return Escalated{Codebase: c.Name, Action: "change-request", Detail: "branch " + cr.Branch + " at " + commit[:min(12, len(commit))], URL: cr.URL}, nil
}

// propose opens cr, committed on its branch in c's mirror: it pushes the
// branch and opens the pull request where the owners review (proposer
// nil: a local code host, the change request is Tandem's own), then
// records it.
func (s *Service) propose(ctx context.Context, proposer tandem.ChangeProposer, c tandem.Codebase, cr tandem.ChangeRequest) (tandem.ChangeRequest, error) {
	if proposer != nil {
		pr, err := proposer.Propose(ctx, c.Name, cr.Branch, c.DefaultBranch, cr.Title, cr.Body)
		if err != nil {
			return cr, fmt.Errorf("pull request: %w", err)
		}
		cr.URL = pr.URL
	}
	cr, _, err := s.Store.OpenChangeRequest(ctx, cr)
	return cr, err
}

// proposerOn returns what opens pull requests on c's code host; nil on a
// local code host, which has none.
func (s *Service) proposerOn(ctx context.Context, c tandem.Codebase) (tandem.ChangeProposer, error) {
	hosts, err := s.Store.FindCodeHosts(ctx, c.Host)
	if err != nil {
		return nil, err
	}
	if hosts[0].Type == tandem.HostLocal {
		return nil, nil
	}
	if s.Proposers == nil {
		return nil, fmt.Errorf("no pull requests can be opened on %s code hosts here: escalate %s by hand", hosts[0].Type, c.Name)
	}
	return s.Proposers(hosts[0])
}

// fixMessage renders the title and body of a target's fix, its commit
// message and change request.
func fixMessage(m tandem.Migration, t tandem.Target, c tandem.Codebase, now time.Time) (title, body string, err error) {
	data := TicketData{Team: t.Team, Migration: m, Deadline: m.Deadline, PastDeadline: PastDeadline(m.Deadline, now),
		Codebases: []CodebaseData{{Name: c.Name, Evidence: t.Evidence}}}
	if title, err = Render("fix.title", m.Fix.Title, data); err != nil {
		return "", "", err
	}
	if body, err = FixBody(m, data); err != nil {
		return "", "", err
	}
	return title, body, nil
}

// fixTimeout returns how long a fix may run: its own timeout, or
// DefaultFixTimeout.
func fixTimeout(f *tandem.FixSpec) (time.Duration, error) {
	if f.Timeout == "" {
		return DefaultFixTimeout, nil
	}
	return tandem.ParseDuration(f.Timeout)
}

// LetsIn reports whether a codebase's contribution policy lets the
// platform team send it changes: open to everyone, or trusted with the
// team or one of its members listed.
func LetsIn(c tandem.Codebase, platformTeam tandem.Team) bool {
	switch c.Contributions {
	case tandem.Open:
		return true
	case tandem.Trusted:
		for _, who := range c.Trusted {
			if who == platformTeam.Name || slices.Contains(platformTeam.Members, who) {
				return true
			}
		}
	}
	return false
}
