package campaign

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-dev/tandem"
)

// PullPollEvery is how often the poll reads an open pull request's state
// from its code host, catching what webhooks missed. Reading each one
// every minute would spend a large fleet's API budget on polling.
const PullPollEvery = 10 * time.Minute

// PullRequestState records the state a code host reports for the pull
// request at url, as a webhook delivers it. A merge records the pull
// request's head, read from its code host (webhooks do not all carry it),
// also when a scan of the default branch found the merge first: unknown
// when it cannot be read, the merge recorded all the same. It reports
// whether the state changed; ENOTFOUND when the pull request is not one
// of Tandem's.
func (s *Service) PullRequestState(ctx context.Context, url, state string) (tandem.ChangeRequest, bool, error) {
	cr, changed, err := s.Store.SetChangeRequestState(ctx, url, tandem.ChangeState(state), "", s.now())
	if err != nil || cr.State != tandem.ChangeMerged || cr.MergedHead != "" || s.Proposers == nil {
		return cr, changed, err
	}
	pr, err := s.readPullRequest(ctx, cr)
	if err != nil || pr.Head == "" {
		return cr, changed, nil // the merge stands, its head unknown
	}
	cr, err = s.Store.SetMergedHead(ctx, cr.ID, pr.Head)
	return cr, changed, err
}

// CheckPullRequests reads from their code hosts the state of the open pull
// requests not read for PullPollEvery and records it. A pull request that
// cannot be read is tried again at the next period, not at every tick. It
// returns how many changed state.
func (s *Service) CheckPullRequests(ctx context.Context) (int, error) {
	if s.Proposers == nil {
		return 0, nil
	}
	now := s.now()
	crs, err := s.Store.ChangeRequestsToCheck(ctx, now.Add(-PullPollEvery))
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, cr := range crs {
		pr, err := s.readPullRequest(ctx, cr)
		state := tandem.ChangeState(pr.State)
		if err != nil {
			errs = append(errs, fmt.Errorf("pull request %s: %w", cr.URL, err))
			state = cr.State // record the attempt
		}
		_, changed, err := s.Store.SetChangeRequestState(ctx, cr.URL, state, pr.Head, now)
		if err != nil {
			return n, err
		}
		if changed {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// proposerOf returns what opens and follows pull requests on a codebase's
// code host; an error for a local code host, which has none.
func (s *Service) proposerOf(ctx context.Context, codebase string) (tandem.ChangeProposer, error) {
	cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: codebase})
	if err != nil {
		return nil, err
	}
	p, err := s.proposerOn(ctx, cbs[0])
	if err == nil && p == nil {
		return nil, fmt.Errorf("%s is on local code host %s, which has no pull requests", codebase, cbs[0].Host)
	}
	return p, err
}

// readPullRequest asks the code host of cr's codebase for its state and
// head.
func (s *Service) readPullRequest(ctx context.Context, cr tandem.ChangeRequest) (tandem.ExternalTicket, error) {
	p, err := s.proposerOf(ctx, cr.Codebase)
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	return p.PullRequest(ctx, cr.Codebase, cr.URL)
}
