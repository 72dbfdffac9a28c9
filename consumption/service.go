package consumption

import (
	"context"
	"time"

	"github.com/tandem-dev/tandem"
)

// Store is what the consumption figures are read from: platforms and
// their codebases, the check results adoption and readiness are measured
// by, and what consumers asked of platforms and how they were helped.
type Store interface {
	FindPlatforms(ctx context.Context, name string) ([]tandem.Platform, error)
	FindCodebases(ctx context.Context, f tandem.CodebaseFilter) ([]tandem.Codebase, error)
	FindCheckResults(ctx context.Context, f tandem.CheckResultFilter) ([]tandem.CheckResult, error)
	FindCheckHistory(ctx context.Context, check string) ([]tandem.CheckResult, error)
	FindRequests(ctx context.Context, f tandem.RequestFilter) ([]tandem.Request, error)
	FindEngagements(ctx context.Context, f tandem.EngagementFilter) ([]tandem.Engagement, error)
	FindSessions(ctx context.Context, platform string) ([]tandem.Session, error)
	FindContributions(ctx context.Context, codebase string) ([]tandem.Contribution, error)
	FindAdoption(ctx context.Context, name string) ([]tandem.Adoption, error)
}

// Service loads what the analytics of this package compute over from a
// store, and computes them: adoption, a platform's figures, interactions
// between teams, readiness and trust ladders.
type Service struct {
	Store Store
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
