package campaign

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

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
		body := tandem.ReminderComment(m)
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
