package campaign

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// FixRun is one run of a migration's fix in a fresh clone of a codebase.
type FixRun struct {
	Repo    string // the codebase's git directory
	Base    string // its default branch
	Branch  string
	Run     []string
	Message string
	Timeout time.Duration
	Env     []string // names of the server's environment variables it sees
}

// Service runs migration campaigns over a store: filing tickets, escalating
// stragglers, nudging and expiring exemptions. Every step can be run again:
// what was done is not done twice.
type Service struct {
	Store tandem.Store
	// Fix runs a fix, commits what it changed on the branch, pushes it to
	// the codebase and returns the commit.
	Fix func(ctx context.Context, r FixRun) (string, error)
	// Merge merges a change request's branch into the codebase's default
	// branch and returns the new head.
	Merge func(ctx context.Context, repo, base, branch, message string) (string, error)
	// Diff reads what `to` changes since it left `from` in a codebase's
	// repository, cut at maxBytes; nil shows no change's diff.
	Diff func(ctx context.Context, repo, from, to string, maxBytes int) (tandem.ChangeDiff, error)
	// BranchHead returns the commit a branch of a codebase's repository
	// points at, "" when there is no such branch.
	BranchHead func(ctx context.Context, repo, branch string) (string, error)
	// Proposers returns what opens pull requests on a code host other than
	// a local folder; nil makes none there.
	Proposers func(host tandem.CodeHost) (tandem.ChangeProposer, error)
	// Trackers returns the client of a team's own tracker; nil keeps every
	// ticket in the built-in tracker only.
	Trackers func(tandem.Tracker) (tandem.TicketTracker, error)
	// Notify posts to a team's chat; nil posts nothing.
	Notify func(ctx context.Context, c tandem.Chat, text string) error
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// DefaultFixTimeout bounds a fix without its own timeout.
const DefaultFixTimeout = 10 * time.Minute

// TourLength is the time box of a proposed Tour of Duty: long enough to be
// more than a disruption.
const TourLength = 6 * 7 * 24 * time.Hour

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Launched is what a launch did, or would do in a dry run.
type Launched struct {
	Tickets []PlannedTicket `json:"tickets"`
	// Unowned are targets with no owner to ticket.
	Unowned []string `json:"unowned"`
	// Waiting are targets left pending by the rollout limit.
	Waiting []string `json:"waiting"`
	// Errors are targets whose ticket could not be made (a template that
	// does not render), by codebase.
	Errors map[string]string `json:"errors"`
}

// PlannedTicket is one ticket a launch files or adds to.
type PlannedTicket struct {
	Team      string   `json:"team"`
	Codebase  string   `json:"codebase,omitempty"`
	Codebases []string `json:"codebases"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	// Action is create (a new ticket), comment (new codebases on an
	// existing ticket) or none (nothing new).
	Action string `json:"action"`
	ID     int64  `json:"id,omitempty"`
	URL    string `json:"url,omitempty"`
}

// group is the targets one ticket holds.
type group struct {
	team, codebase string
	targets        []tandem.Target
}

// Launch files one ticket per owning team (or per codebase) for the
// migration's pending targets, in each team's tracker, and lists the
// targets nobody owns; with dryRun it only says what it would do. Running
// it again files nothing new; targets found since are added to their
// team's ticket. ENOTFOUND for an unknown migration.
func (s *Service) Launch(ctx context.Context, name string, dryRun bool) (Launched, error) {
	out := Launched{Tickets: []PlannedTicket{}, Unowned: []string{}, Waiting: []string{}, Errors: map[string]string{}}
	ms, err := s.Store.FindMigrations(ctx, name)
	if err != nil {
		return out, err
	}
	m := ms[0]
	targets, err := s.Store.FindTargets(ctx, name)
	if err != nil {
		return out, err
	}
	existing, err := s.Store.FindTickets(ctx, tandem.TicketFilter{Migration: name})
	if err != nil {
		return out, err
	}
	tickets := map[[2]string]tandem.Ticket{}
	for _, t := range existing {
		tickets[[2]string{t.Team, t.Codebase}] = t
	}
	budget, err := s.budget(ctx, m)
	if err != nil {
		return out, err
	}

	groups := map[[2]string]*group{}
	var keys [][2]string
	for _, t := range targets {
		if t.State != tandem.TargetPending && t.State != tandem.TargetUnowned {
			continue
		}
		if t.Owner == nil {
			out.Unowned = append(out.Unowned, t.Codebase)
			continue
		}
		key := [2]string{*t.Owner, ""}
		if m.Ticket.Per == tandem.PerCodebase {
			key[1] = t.Codebase
		}
		if groups[key] == nil {
			groups[key] = &group{team: key[0], codebase: key[1]}
			keys = append(keys, key)
		}
		groups[key].targets = append(groups[key].targets, t)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })

	for _, key := range keys {
		g := groups[key]
		p, filing, err := s.plan(m, g)
		if err != nil {
			for _, t := range g.targets {
				out.Errors[t.Codebase] = err.Error()
				if !dryRun {
					_ = s.Store.SetTargetError(ctx, name, t.Codebase, err.Error())
				}
			}
			continue
		}
		if t, ok := tickets[key]; ok {
			p.Action, p.ID, p.URL = "comment", t.ID, t.URL
		} else if budget == 0 {
			out.Waiting = append(out.Waiting, p.Codebases...)
			continue
		} else {
			p.Action = "create"
			if budget > 0 {
				budget--
			}
		}
		if !dryRun {
			t, created, err := s.Store.FileTicket(ctx, filing)
			if err != nil {
				return out, fmt.Errorf("file ticket for %s: %w", g.team, err)
			}
			p.ID, p.URL = t.ID, t.URL
			if !created && p.Action == "create" {
				p.Action = "comment"
			}
		}
		out.Tickets = append(out.Tickets, p)
	}
	if !dryRun {
		// File in the teams' own trackers now; what fails is retried by
		// the next tick and shown on the ticket.
		_, _ = s.SyncTickets(ctx)
	}
	return out, nil
}

// plan renders the ticket of one group.
func (s *Service) plan(m tandem.Migration, g *group) (PlannedTicket, tandem.TicketFiling, error) {
	data := TicketData{Team: g.team, Migration: m, Deadline: m.Deadline, PastDeadline: PastDeadline(m.Deadline, s.now())}
	filing := tandem.TicketFiling{Migration: m.Name, Team: g.team, Codebase: g.codebase, Evidence: map[string][]tandem.Match{}}
	for _, t := range g.targets {
		data.Codebases = append(data.Codebases, CodebaseData{Name: t.Codebase, Evidence: t.Evidence})
		filing.Codebases = append(filing.Codebases, t.Codebase)
		filing.Evidence[t.Codebase] = t.Evidence
	}
	title, err := TicketTitle(m, data)
	if err != nil {
		return PlannedTicket{}, filing, err
	}
	body, err := TicketBody(m, data)
	if err != nil {
		return PlannedTicket{}, filing, err
	}
	filing.Title = title
	filing.Body = body + "\n\n" + tandem.TicketMarker(m.Name, g.team, g.codebase)
	return PlannedTicket{Team: g.team, Codebase: g.codebase, Codebases: filing.Codebases, Title: title, Body: filing.Body}, filing, nil
}

// budget returns how many tickets and change requests the migration may
// still create now (-1: no limit).
func (s *Service) budget(ctx context.Context, m tandem.Migration) (int, error) {
	if m.Rollout == nil {
		return -1, nil
	}
	per, err := tandem.ParseDuration(m.Rollout.Per)
	if err != nil {
		return 0, err
	}
	now := s.now()
	created, err := s.Store.CreatedSince(ctx, m.Name, now.Add(-per))
	if err != nil {
		return 0, err
	}
	return RolloutBudget(m.Rollout, created, now)
}

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

// escalateAll is Escalate's work, run while holding the migration's
// escalation lock.
func (s *Service) escalateAll(ctx context.Context, name, codebase string, auto bool) ([]Escalated, error) {
	ms, err := s.Store.FindMigrations(ctx, name)
	if err != nil {
		return nil, err
	}
	m := ms[0]
	targets, err := s.Store.FindTargets(ctx, name)
	if err != nil {
		return nil, err
	}
	crs, err := s.Store.FindChangeRequests(ctx, name, 0)
	if err != nil {
		return nil, err
	}
	history := map[string][]tandem.ChangeRequest{}
	for _, cr := range crs {
		history[cr.Codebase] = append(history[cr.Codebase], cr)
	}
	platforms, err := s.Store.FindPlatforms(ctx, m.Platform)
	if err != nil {
		return nil, err
	}
	owners, err := s.Store.FindTeams(ctx, platforms[0].Owner)
	if err != nil {
		return nil, err
	}
	platformTeam := owners[0]
	budget, err := s.budget(ctx, m)
	if err != nil {
		return nil, err
	}
	now := s.now()

	out := []Escalated{}
	found := false
	for _, t := range targets {
		if codebase != "" && t.Codebase != codebase {
			continue
		}
		found = true
		switch t.State {
		case tandem.TargetPROpen, tandem.TargetTourProposed:
			out = append(out, Escalated{Codebase: t.Codebase, Action: "none", Detail: "already escalated"})
			continue
		case tandem.TargetTicketed:
		default:
			if codebase != "" {
				return nil, tandem.Errorf(tandem.EINVALID, "%s is %s: only ticketed targets can be escalated", t.Codebase, t.State)
			}
			continue
		}
		if auto {
			if t.TicketedAt == nil {
				continue
			}
			due, err := EscalationDue(m.Escalate, m.Deadline, *t.TicketedAt, now)
			if err != nil || !due {
				continue
			}
		}
		prev := history[t.Codebase]
		if last := lastChange(t, prev); last != nil {
			switch last.State {
			case tandem.ChangeClosed:
				if auto {
					// The owners said no to it: a person decides to ask again.
					continue
				}
			case tandem.ChangeMerged:
				wait, err := s.awaitingScan(ctx, t.Codebase, *last)
				if err != nil {
					return nil, err
				}
				if wait != "" {
					out = append(out, Escalated{Codebase: t.Codebase, Action: "none", Detail: wait})
					continue
				}
			}
		}
		e := s.escalate(ctx, m, platformTeam, t, prev, &budget, now)
		if e.Action == "error" {
			if err := s.Store.SetTargetError(ctx, name, t.Codebase, e.Detail); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	if codebase != "" && !found {
		return nil, tandem.Errorf(tandem.ENOTFOUND, "codebase %q is not a target of migration %q", codebase, name)
	}
	return out, nil
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

// escalate escalates one ticketed target.
func (s *Service) escalate(ctx context.Context, m tandem.Migration, platformTeam tandem.Team, t tandem.Target, history []tandem.ChangeRequest, budget *int, now time.Time) Escalated {
	fail := func(err error) Escalated {
		return Escalated{Codebase: t.Codebase, Action: "error", Detail: err.Error()}
	}
	cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: t.Codebase})
	if err != nil {
		return fail(err)
	}
	c := cbs[0]
	if !LetsIn(c, platformTeam) || m.Fix == nil {
		purpose := fmt.Sprintf("Make the %q change in the codebases of %s closed to outside changes, with the team.", m.Title, t.Team)
		if m.Fix == nil && LetsIn(c, platformTeam) {
			purpose += " The migration declares no fix to run."
		}
		e, _, err := s.Store.ProposeTour(ctx, tandem.Engagement{
			Type: tandem.TourOfDuty, State: "proposed", HomeTeam: platformTeam.Name, HostTeam: t.Team, Purpose: purpose,
			Migration: m.Name, Codebases: []string{c.Name}, Starts: now.Format(time.DateOnly), Ends: now.Add(TourLength).Format(time.DateOnly),
		})
		if err != nil {
			return fail(err)
		}
		if e.State == tandem.EngagementWithdrawn {
			return Escalated{Codebase: c.Name, Action: "none", Detail: fmt.Sprintf("engagement %d, its Tour of Duty, was withdrawn: %s", e.ID, e.Reason)}
		}
		return Escalated{Codebase: c.Name, Action: "tour-proposed", Detail: fmt.Sprintf("engagement %d: %s joins %s until %s", e.ID, e.HomeTeam, e.HostTeam, e.Ends)}
	}
	if *budget == 0 {
		return Escalated{Codebase: c.Name, Action: "none", Detail: "waiting for the rollout limit"}
	}
	hosts, err := s.Store.FindCodeHosts(ctx, c.Host)
	if err != nil {
		return fail(err)
	}
	var proposer tandem.ChangeProposer
	if hosts[0].Type != tandem.HostLocal {
		if s.Proposers == nil {
			return fail(fmt.Errorf("no pull requests can be opened on %s code hosts here: escalate %s by hand", hosts[0].Type, c.Name))
		}
		if proposer, err = s.Proposers(hosts[0]); err != nil {
			return fail(err)
		}
	}
	data := TicketData{Team: t.Team, Migration: m, Deadline: m.Deadline, PastDeadline: PastDeadline(m.Deadline, now),
		Codebases: []CodebaseData{{Name: c.Name, Evidence: t.Evidence}}}
	title, err := Render("fix.title", m.Fix.Title, data)
	if err != nil {
		return fail(err)
	}
	body, err := FixBody(m, data)
	if err != nil {
		return fail(err)
	}
	timeout := DefaultFixTimeout
	if m.Fix.Timeout != "" {
		if timeout, err = tandem.ParseDuration(m.Fix.Timeout); err != nil {
			return fail(err)
		}
	}
	if c.Location == "" {
		return fail(errors.New("the codebase has not been scanned on this server: no repository to fix"))
	}
	branch := nextBranch(m.Fix.Branch, history)
	commit, err := s.Fix(ctx, FixRun{Repo: c.Location, Base: c.DefaultBranch, Branch: branch, Run: m.Fix.Run,
		Message: title + "\n\n" + body, Timeout: timeout, Env: m.Fix.Env})
	if err != nil {
		return fail(fmt.Errorf("fix: %w", err))
	}
	cr := tandem.ChangeRequest{Migration: m.Name, Codebase: c.Name, Branch: branch, Commit: commit, Title: title, Body: body}
	if proposer != nil {
		// The fix was committed in the codebase's mirror: push it and open
		// the pull request where the owners review.
		pr, err := proposer.Propose(ctx, c.Name, branch, c.DefaultBranch, title, body)
		if err != nil {
			return fail(fmt.Errorf("pull request: %w", err))
		}
		cr.URL = pr.URL
	}
	cr, _, err = s.Store.OpenChangeRequest(ctx, cr)
	if err != nil {
		return fail(err)
	}
	if *budget > 0 {
		*budget--
	}
	return Escalated{Codebase: c.Name, Action: "change-request", Detail: "branch " + cr.Branch + " at " + commit[:min(12, len(commit))], URL: cr.URL}
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

// Approved is what an approval did.
type Approved struct {
	ChangeRequest tandem.ChangeRequest `json:"change_request"`
	// Merged is the default branch's new head when Tandem merged the
	// change (the codebase opted in to autoMerge). The target is then
	// ticketed until a scan finds it done.
	Merged string `json:"merged,omitempty"`
}

// Approve records that the owning team approved a target's change request
// and, where the codebase opted in to autoMerge and its policy lets the
// platform team in, merges it into the default branch and records the
// merge: the change request merged, with the head it made, and the target
// back on its ticket. Whether the codebase still needs the change is the
// next scan's to say: done when the merge removed every use, still
// ticketed otherwise. Local code hosts run no checks, so the approval is
// the only gate there.
func (s *Service) Approve(ctx context.Context, name, codebase, by string) (Approved, error) {
	cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: codebase})
	if err != nil {
		return Approved{}, err
	}
	c := cbs[0]
	if err := s.mayApprove(ctx, c, by); err != nil {
		return Approved{}, err
	}
	cr, err := s.Store.ApproveChangeRequest(ctx, name, codebase, by)
	if err != nil {
		return Approved{}, err
	}
	out := Approved{ChangeRequest: cr}
	if !c.AutoMerge || c.Contributions == tandem.Closed || cr.Branch == "" || s.Merge == nil {
		return out, nil
	}
	head, err := s.Merge(ctx, c.Location, c.DefaultBranch, cr.Branch, fmt.Sprintf("Merge %s (approved by %s)\n\n%s", cr.Branch, by, cr.Title))
	if err != nil {
		msg := "auto-merge: " + err.Error()
		if serr := s.Store.SetTargetError(ctx, name, codebase, msg); serr != nil {
			return out, serr
		}
		return out, tandem.Errorf(tandem.EUNAVAILABLE, "%s", msg)
	}
	if out.ChangeRequest, err = s.Store.MergeChangeRequest(ctx, cr.ID, head, s.now()); err != nil {
		return out, err
	}
	out.Merged = head
	return out, nil
}

// maxDiffBytes bounds the list of files and the patch of a change's diff,
// each.
const maxDiffBytes = 256 << 10

// ChangeDiff returns what a change request changes, read from the
// codebase's repository or mirror on this server, where the fix was
// committed: the branch against the default branch while it is open, the
// fix's own commit once merged. When it cannot be read here it returns
// why instead, and git's error when git failed.
func (s *Service) ChangeDiff(ctx context.Context, c tandem.Codebase, cr tandem.ChangeRequest) (d tandem.ChangeDiff, why string, err error) {
	from, to := "", ""
	switch {
	case s.Diff == nil || s.BranchHead == nil:
		return d, "this server reads no diffs", nil
	case c.Location == "":
		return d, "the codebase has not been scanned on this server", nil
	case cr.State == tandem.ChangeMerged && cr.Commit != "":
		from, to = cr.Commit+"^", cr.Commit
	case cr.Branch == "" || c.DefaultBranch == "":
		return d, "the change names no branch", nil
	default:
		if tip, err := s.BranchHead(ctx, c.Location, cr.Branch); err != nil || tip == "" {
			return d, "branch " + cr.Branch + " is not in this server's copy of " + c.Name, nil
		}
		from, to = "refs/heads/"+c.DefaultBranch, "refs/heads/"+cr.Branch
	}
	if d, err = s.Diff(ctx, c.Location, from, to, maxDiffBytes); err != nil {
		return d, "git could not read it", err
	}
	return d, "", nil
}

// mayApprove returns EFORBIDDEN unless by is a person of the team that
// owns c: an approval is its owners' consent to a change of their code.
func (s *Service) mayApprove(ctx context.Context, c tandem.Codebase, by string) error {
	if c.Owner == nil {
		return tandem.Errorf(tandem.EFORBIDDEN, "approve: %s has no owner, so no one may approve changes to it", c.Name)
	}
	people, err := s.Store.FindPeople(ctx, by)
	if err != nil && tandem.ErrorCode(err) != tandem.ENOTFOUND {
		return err
	}
	if len(people) == 0 || !slices.Contains(people[0].Teams, *c.Owner) {
		return tandem.Errorf(tandem.EFORBIDDEN, "approve: %s is not in %s, the team that owns %s: only its members approve changes to it (name one with --by)", by, *c.Owner, c.Name)
	}
	return nil
}

// Exempt excuses a target until an expiry, with a reason, recorded with who
// granted it. EINVALID without a reason or with an expiry in the past.
func (s *Service) Exempt(ctx context.Context, name, codebase, reason string, until time.Time, by string) (tandem.Target, error) {
	now := s.now()
	switch {
	case strings.TrimSpace(reason) == "":
		return tandem.Target{}, tandem.Errorf(tandem.EINVALID, "an exemption needs a reason")
	case !until.After(now):
		return tandem.Target{}, tandem.Errorf(tandem.EINVALID, "an exemption needs an expiry in the future, not %s", until.Format(time.DateOnly))
	case by == "":
		by = "unknown"
	}
	return s.Store.Exempt(ctx, name, codebase, tandem.Exemption{Reason: reason, Expires: until.UTC(), By: by, At: now})
}

// Tick does a campaign's scheduled work at now: exemptions that expired
// return to work, open tickets due a reminder are nudged, stragglers past
// escalate.after are escalated, and pull requests not heard of for a while
// are read from their code hosts. It returns how many tickets it nudged.
func (s *Service) Tick(ctx context.Context) (int, error) {
	now := s.now()
	if _, err := s.Store.ExpireExemptions(ctx, now); err != nil {
		return 0, err
	}
	ms, err := s.Store.FindMigrations(ctx, "")
	if err != nil {
		return 0, err
	}
	nudged := 0
	var errs []error

	for _, m := range ms {
		if m.Nudge != nil {
			n, err := s.nudge(ctx, m, now)
			nudged += n
			if err != nil {
				errs = append(errs, fmt.Errorf("nudge %s: %w", m.Name, err))
			}
		}
		if m.Escalate != nil {
			if _, err := s.Escalate(ctx, m.Name, "", true); err != nil {
				errs = append(errs, fmt.Errorf("escalate %s: %w", m.Name, err))
			}
		}
	}
	// Pull requests whose webhook was missed are read from their hosts.
	if _, err := s.CheckPullRequests(ctx); err != nil {
		errs = append(errs, err)
	}
	// Whatever was recorded, by this tick or since the last, reaches the
	// teams' own trackers.
	if _, err := s.SyncTickets(ctx); err != nil {
		errs = append(errs, err)
	}
	return nudged, errors.Join(errs...)
}

// nudge comments a reminder on every open ticket of m that is due one.
func (s *Service) nudge(ctx context.Context, m tandem.Migration, now time.Time) (int, error) {
	tickets, err := s.Store.FindTickets(ctx, tandem.TicketFilter{Migration: m.Name, State: tandem.TicketOpen})
	if err != nil {
		return 0, err
	}
	last, err := s.Store.LastNudges(ctx, m.Name)
	if err != nil {
		return 0, err
	}
	every, err := tandem.ParseDuration(m.Nudge.Every)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	var pulls map[int64][]tandem.Target // read once, at the first nudge
	for _, t := range tickets {
		var lastNudge *time.Time
		if at, ok := last[t.ID]; ok {
			lastNudge = &at
		}
		due, err := NudgeDue(*m.Nudge, m.Deadline, t.CreatedAt, lastNudge, now)
		if err != nil {
			return n, err
		}
		if !due {
			continue
		}
		body := fmt.Sprintf("Reminder: %s.", m.Title)
		if m.Deadline != "" {
			body += " The deadline is " + m.Deadline + "."
		}
		ok, err := s.Store.NudgeTicket(ctx, t.ID, body, now.Add(-every/2), now)
		if err != nil {
			return n, err
		}
		if !ok {
			continue
		}
		n++
		if err := s.notify(ctx, t, body); err != nil {
			// The nudge stands on the ticket; the chat is best effort.
			errs = append(errs, fmt.Errorf("chat of team %s: %w", t.Team, err))
		}
		if pulls == nil {
			if pulls, err = s.openPullRequests(ctx, m.Name); err != nil {
				return n, err
			}
		}
		if err := s.nudgePullRequests(ctx, pulls[t.ID], t.ID, body, now); err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// openPullRequests returns a migration's targets with an open pull
// request on a code host, by ticket; none when no pull request can be
// commented here.
func (s *Service) openPullRequests(ctx context.Context, migration string) (map[int64][]tandem.Target, error) {
	byTicket := map[int64][]tandem.Target{}
	if s.Proposers == nil {
		return byTicket, nil
	}
	targets, err := s.Store.FindTargets(ctx, migration)
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		if pr := t.PullRequest; t.Ticket != nil && pr != nil && pr.State == tandem.ChangeOpen && !strings.HasPrefix(pr.URL, "/") {
			byTicket[t.Ticket.ID] = append(byTicket[t.Ticket.ID], t)
		}
	}
	return byTicket, nil
}

// nudgePullRequests repeats a ticket's nudge on the open pull requests of
// its targets, where their reviewers look: once a day per ticket, found
// again by its marker.
func (s *Service) nudgePullRequests(ctx context.Context, targets []tandem.Target, ticketID int64, body string, now time.Time) error {
	marker := fmt.Sprintf("<!-- tandem:nudge=%d;day=%s -->", ticketID, now.Format(time.DateOnly))
	var errs []error
	for _, t := range targets {
		pr := t.PullRequest
		p, err := s.proposerOf(ctx, t.Codebase)
		if err == nil {
			err = p.CommentPullRequest(ctx, t.Codebase, pr.URL, body+"\n\n"+marker, marker)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("pull request %s: %w", pr.URL, err))
		}
	}
	return errors.Join(errs...)
}

// notify posts a nudge to the ticket's team chat, if it names one.
func (s *Service) notify(ctx context.Context, t tandem.Ticket, body string) error {
	if s.Notify == nil {
		return nil
	}
	teams, err := s.Store.FindTeams(ctx, t.Team)
	if err != nil || teams[0].Chat == nil {
		return err
	}
	return s.Notify(ctx, *teams[0].Chat, fmt.Sprintf("[%s] %s %s", t.Team, body, t.URL))
}
