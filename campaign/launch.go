package campaign

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-dev/tandem"
)

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

// key is what finds the group's ticket among the migration's.
func (g *group) key() [2]string { return [2]string{g.team, g.codebase} }

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
	tickets, err := s.ticketsByGroup(ctx, name)
	if err != nil {
		return out, err
	}
	budget, err := s.budget(ctx, m)
	if err != nil {
		return out, err
	}

	groups, unowned := groupPending(m, targets)
	out.Unowned = append(out.Unowned, unowned...)
	for _, g := range groups {
		p, filing, err := s.plan(m, g)
		if err != nil {
			s.planFailed(ctx, name, g, err, dryRun, out.Errors)
			continue
		}
		if t, ok := tickets[g.key()]; ok {
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
			if err := s.fileTicket(ctx, filing, &p); err != nil {
				return out, err
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

// ticketsByGroup returns a migration's tickets by the key of the group
// each holds.
func (s *Service) ticketsByGroup(ctx context.Context, migration string) (map[[2]string]tandem.Ticket, error) {
	existing, err := s.Store.FindTickets(ctx, tandem.TicketFilter{Migration: migration})
	if err != nil {
		return nil, err
	}
	tickets := map[[2]string]tandem.Ticket{}
	for _, t := range existing {
		tickets[[2]string{t.Team, t.Codebase}] = t
	}
	return tickets, nil
}

// groupPending groups the targets a launch tickets (pending or unowned)
// by owning team, and by codebase too when the migration files a ticket
// per codebase, ordered by team and codebase. It returns apart the
// codebases of those with no owner.
func groupPending(m tandem.Migration, targets []tandem.Target) (groups []*group, unowned []string) {
	byKey := map[[2]string]*group{}
	for _, t := range targets {
		if t.State != tandem.TargetPending && t.State != tandem.TargetUnowned {
			continue
		}
		if t.Owner == nil {
			unowned = append(unowned, t.Address())
			continue
		}
		key := [2]string{*t.Owner, ""}
		if m.Ticket.Per == tandem.PerCodebase {
			key[1] = t.Codebase
		}
		if byKey[key] == nil {
			byKey[key] = &group{team: key[0], codebase: key[1]}
			groups = append(groups, byKey[key])
		}
		byKey[key].targets = append(byKey[key].targets, t)
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return strings.Compare(a.team+"\x00"+a.codebase, b.team+"\x00"+b.codebase)
	})
	return groups, unowned
}

// planFailed records, by codebase, why a group's ticket could not be
// made, and unless dryRun leaves it on the group's targets.
func (s *Service) planFailed(ctx context.Context, migration string, g *group, err error, dryRun bool, errs map[string]string) {
	for _, t := range g.targets {
		errs[t.Address()] = err.Error()
		if !dryRun {
			_ = s.Store.SetTargetError(ctx, migration, t.Codebase, t.Part, err.Error())
		}
	}
}

// fileTicket files a planned ticket in the store and completes p with
// its ID and URL. A ticket the store had already made is commented, not
// created.
func (s *Service) fileTicket(ctx context.Context, filing tandem.TicketFiling, p *PlannedTicket) error {
	t, created, err := s.Store.FileTicket(ctx, filing)
	if err != nil {
		return fmt.Errorf("file ticket for %s: %w", filing.Team, err)
	}
	p.ID, p.URL = t.ID, t.URL
	if !created && p.Action == "create" {
		p.Action = "comment"
	}
	return nil
}

// plan renders the ticket of one group.
func (s *Service) plan(m tandem.Migration, g *group) (PlannedTicket, tandem.TicketFiling, error) {
	data := TicketData{Team: g.team, Migration: m, Deadline: m.Deadline, PastDeadline: PastDeadline(m.Deadline, s.now())}
	filing := tandem.TicketFiling{Migration: m.Name, Team: g.team, Codebase: g.codebase, Evidence: map[string][]tandem.Match{}}
	for _, t := range g.targets {
		data.Codebases = append(data.Codebases, codebaseData(t))
		filing.Codebases = append(filing.Codebases, t.Address())
		filing.Evidence[t.Address()] = t.Evidence
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
