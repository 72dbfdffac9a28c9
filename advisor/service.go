package advisor

import (
	"context"
	"time"

	"github.com/tandem-dev/tandem"
)

// Store is what the advisor reads of the catalog: the teams, codebases,
// checks and platforms a situation is looked up in, and the campaigns and
// requests its history is made of.
type Store interface {
	FindTeams(ctx context.Context, name string) ([]tandem.Team, error)
	FindCodebases(ctx context.Context, f tandem.CodebaseFilter) ([]tandem.Codebase, error)
	FindCheckResults(ctx context.Context, f tandem.CheckResultFilter) ([]tandem.CheckResult, error)
	FindPlatforms(ctx context.Context, name string) ([]tandem.Platform, error)
	FindMigrations(ctx context.Context, name string) ([]tandem.Migration, error)
	FindRequests(ctx context.Context, f tandem.RequestFilter) ([]tandem.Request, error)
}

// Service answers questions about cross-team work over a store: it
// gathers the situation and the organisation's history that Advise, which
// is pure, ranks patterns from.
type Service struct {
	Store Store
	// Rules is the rules table advice is made from (DefaultRules, or an
	// organisation's own).
	Rules Rules
	// Work returns a migration's tickets and change requests as the
	// campaign's analytics read them (campaign.Service.Work): the
	// history's evidence of the campaign patterns. Nil leaves campaigns
	// out of the history.
	Work func(ctx context.Context, migration string) ([]tandem.Work, error)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Advise answers q with advice from the rules and the organisation's
// history. It returns the errors of Situation and History.
func (s *Service) Advise(ctx context.Context, q Question) (Advice, error) {
	st, err := s.Situation(ctx, q)
	if err != nil {
		return Advice{}, err
	}
	h, err := s.History(ctx)
	if err != nil {
		return Advice{}, err
	}
	return Advise(s.Rules, st, h), nil
}
