package campaign

import (
	"context"
	"errors"
	"fmt"
)

// Tick does a campaign's scheduled work at now: exemptions that expired
// return to work, open tickets due a reminder are nudged, stragglers past
// escalate.after are escalated, pull requests not heard of for a while
// are read from their code hosts, and change requests nobody reviews are
// routed (RouteReviews). It returns how many tickets it nudged.
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
	// Change requests nobody reviewed take their next review routing
	// step, once the poll has recorded which are still open.
	routed, err := s.RouteReviews(ctx)
	if err != nil {
		errs = append(errs, fmt.Errorf("route reviews: %w", err))
	}
	if err := routedErrors(routed); err != nil {
		errs = append(errs, err)
	}
	// Whatever was recorded, by this tick or since the last, reaches the
	// teams' own trackers.
	if _, err := s.SyncTickets(ctx); err != nil {
		errs = append(errs, err)
	}
	return nudged, errors.Join(errs...)
}
