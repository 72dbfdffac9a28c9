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

// Review routing follows the change requests Tandem pushed that nobody
// reviews. A migration's review: says after how long and with which
// steps; a migration without one routes only its shards (the change
// requests of one owning team's part of a codebase, which CODEOWNERS
// reviewers are asked to review), by DefaultReview. Each period of
// review.after without a review, from the change request's opening or
// its last step, it takes the next of the steps:
//
//   - rerequest: its reviewers are asked again on its code host (a
//     built-in change request has no host to ask: the ticket's comment
//     asks them);
//   - nudge: the owning team's ticket is nudged, naming the change
//     request and its reviewers, and the team's chat told;
//   - tour: a Tour of Duty is proposed for its target, to review and
//     merge it with the team.
//
// After the last step nothing more happens.

// DefaultReview is the review routing of a migration without review:,
// for its shards only: every step, a week apart.
var DefaultReview = tandem.ReviewSpec{After: "7d", Steps: []string{tandem.ReviewRerequest, tandem.ReviewNudge, tandem.ReviewTour}}

// Routed is what review routing did to one change request.
type Routed struct {
	Migration string `json:"migration"`
	Target    string `json:"target"` // its target's address: codebase or codebase:part
	URL       string `json:"url"`
	// Action is the step taken (rerequest, nudge, tour), none (another
	// server took it first) or error: the step failed and is tried again
	// at the next tick.
	Action string `json:"action"`
	Detail string `json:"detail,omitempty"`
	// Error is what failed: the step's action, or, after a nudge taken,
	// the notice to the team's chat (which is not sent again).
	Error string `json:"error,omitempty"`
}

// RouteReviews takes the next review routing step of every open change
// request Tandem pushed whose owners left it unreviewed for its
// migration's review.after (see DefaultReview for a migration without
// one). A change request approved in Tandem, or reviewed on its code
// host, is left alone, as is one whose target is not pr-open (exempt,
// say). A step is recorded only once its action succeeded; one that
// fails is reported (action error) and tried again at the next tick.
//
// One routing runs at a time among the processes sharing the store, and
// each step is recorded by compare-and-set (SetReviewStep): no step is
// taken twice.
func (s *Service) RouteReviews(ctx context.Context) ([]Routed, error) {
	var out []Routed
	err := s.Store.Exclusive(ctx, "route-reviews", func(ctx context.Context) error {
		var err error
		out, err = s.routeReviews(ctx)
		return err
	})
	return out, err
}

// routeReviews is RouteReviews' work, run while holding its lock.
func (s *Service) routeReviews(ctx context.Context) ([]Routed, error) {
	ms, err := s.Store.FindMigrations(ctx, "")
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []Routed{}
	for _, m := range ms {
		r := &routing{m: m, spec: DefaultReview, shardsOnly: m.Review == nil, now: now}
		if m.Review != nil {
			r.spec = *m.Review
			if len(r.spec.Steps) == 0 {
				r.spec.Steps = DefaultReview.Steps
			}
		}
		if r.after, err = tandem.ParseDuration(r.spec.After); err != nil {
			return out, fmt.Errorf("migration %s: review.after: %w", m.Name, err)
		}
		crs, err := s.Store.FindChangeRequests(ctx, m.Name, 0)
		if err != nil {
			return out, err
		}
		for _, cr := range crs {
			step := r.next(cr)
			if step == "" {
				continue
			}
			routed, ok, err := s.route(ctx, r, cr, step)
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, routed)
			}
		}
	}
	return out, nil
}

// routing is what routing a migration's reviews reads, once, when a
// change request first needs it.
type routing struct {
	m          tandem.Migration
	spec       tandem.ReviewSpec
	after      time.Duration
	shardsOnly bool
	now        time.Time

	targets      map[string]tandem.Target // by address; nil until read
	platformTeam string                   // the platform's owners; "" until read
}

// next returns the step a change request is due, "" for none: it is not
// one Tandem pushed and still open, the migration does not route it, it
// was approved, it took the last step, or its period has not passed.
func (r *routing) next(cr tandem.ChangeRequest) string {
	if cr.State != tandem.ChangeOpen || cr.Branch == "" || cr.ApprovedAt != nil || cr.ReviewStep == tandem.ReviewReviewed || r.shardsOnly && cr.Part == "" {
		return ""
	}
	i := slices.Index(r.spec.Steps, cr.ReviewStep) // -1 before the first step
	if i+1 >= len(r.spec.Steps) {
		return ""
	}
	since := cr.CreatedAt
	if cr.ReviewStepAt != nil {
		since = *cr.ReviewStepAt
	}
	if r.now.Before(since.Add(r.after)) {
		return ""
	}
	return r.spec.Steps[i+1]
}

// route takes step for cr, when its target still waits for it and its
// code host does not say it was reviewed; it returns false when it left
// cr alone. Only the store's failures are errors; a step's own is in
// Routed.
func (s *Service) route(ctx context.Context, r *routing, cr tandem.ChangeRequest, step string) (Routed, bool, error) {
	address := tandem.TargetAddress(cr.Codebase, cr.Part)
	out := Routed{Migration: r.m.Name, Target: address, URL: cr.URL, Action: step}
	failed := func(err error) (Routed, bool, error) {
		out.Action, out.Error = "error", err.Error()
		return out, true, nil
	}
	if r.targets == nil {
		targets, err := s.Store.FindTargets(ctx, r.m.Name)
		if err != nil {
			return out, false, err
		}
		r.targets = map[string]tandem.Target{}
		for _, t := range targets {
			r.targets[t.Address()] = t
		}
	}
	t, ok := r.targets[address]
	if !ok || t.State != tandem.TargetPROpen {
		return out, false, nil
	}
	var proposer tandem.ChangeProposer
	if !builtIn(cr) {
		var err error
		if proposer, err = s.proposerOf(ctx, cr.Codebase); err != nil {
			return failed(err)
		}
		pr, err := proposer.PullRequest(ctx, cr.Codebase, cr.URL)
		if err != nil {
			return failed(fmt.Errorf("read the pull request: %w", err))
		}
		if pr.Reviewed {
			// Routing is over: recorded, so that the host is not read
			// again at every tick.
			_, _, err := s.Store.SetReviewStep(ctx, cr.ID, cr.ReviewStep, tandem.ReviewReviewed, r.now)
			return out, false, err
		}
		if tandem.ChangeState(pr.State) != tandem.ChangeOpen {
			return out, false, nil // merged or closed: the poll records it
		}
	}
	switch step {
	case tandem.ReviewRerequest:
		if proposer != nil && len(cr.Reviewers) > 0 {
			if err := proposer.RequestReviewers(ctx, cr.Codebase, cr.URL, cr.Reviewers); err != nil {
				return failed(fmt.Errorf("request reviewers: %w", err))
			}
			out.Detail = "asked " + strings.Join(cr.Reviewers, ", ")
		} else {
			out.Detail = "asked on the ticket"
		}
	case tandem.ReviewTour:
		detail, err := s.proposeReviewTour(ctx, r, t)
		if err != nil {
			return failed(fmt.Errorf("propose a Tour of Duty: %w", err))
		}
		out.Detail = detail
	}
	_, taken, err := s.Store.SetReviewStep(ctx, cr.ID, cr.ReviewStep, step, r.now)
	if err != nil {
		return out, false, err
	}
	if !taken {
		out.Action, out.Detail = "none", "the change request moved on meanwhile"
		return out, true, nil
	}
	if step == tandem.ReviewNudge {
		out.Detail = "nudged the ticket"
		if t.Ticket != nil {
			ticket := tandem.Ticket{ID: t.Ticket.ID, Team: t.Team, URL: t.Ticket.URL}
			if err := s.notify(ctx, ticket, tandem.ReviewNudgeComment(cr, r.now)); err != nil {
				// The nudge stands on the ticket; the chat is best effort.
				out.Error = fmt.Sprintf("chat of team %s: %v", t.Team, err)
			}
		}
	}
	return out, true, nil
}

// proposeReviewTour proposes a Tour of Duty of the platform team in the
// team of target t, to review and merge its change request with them, as
// escalation proposes one for a codebase closed to outside changes. It
// returns what was proposed, or why nothing was: a Tour of Duty for the
// target withdrawn by hand is not proposed again.
func (s *Service) proposeReviewTour(ctx context.Context, r *routing, t tandem.Target) (string, error) {
	if r.platformTeam == "" {
		platforms, err := s.Store.FindPlatforms(ctx, r.m.Platform)
		if err != nil {
			return "", err
		}
		r.platformTeam = platforms[0].Owner
	}
	purpose := fmt.Sprintf("Review and merge the %q change to %s with %s: its change request waits for their review.", r.m.Title, t.Address(), t.Team)
	detail, _, err := s.tourFor(ctx, r.m.Name, r.platformTeam, t, purpose, r.now)
	return detail, err
}

// builtIn reports whether cr is a built-in change request, on a local
// code host, whose url is a path of Tandem's own.
func builtIn(cr tandem.ChangeRequest) bool { return strings.HasPrefix(cr.URL, "/") }

// routedErrors returns the failures routing reports, for the tick.
func routedErrors(routed []Routed) error {
	var errs []error
	for _, r := range routed {
		if r.Error != "" {
			errs = append(errs, fmt.Errorf("review routing of %s (%s): %s", r.URL, r.Target, r.Error))
		}
	}
	return errors.Join(errs...)
}
