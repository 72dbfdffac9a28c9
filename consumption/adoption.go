package consumption

import (
	"context"
	"time"

	"github.com/tandem-dev/tandem"
)

// Adoption returns the adoption of the platform called name, or of every
// platform when name is "". It returns ENOTFOUND for a platform not in the
// catalog.
func (s *Service) Adoption(ctx context.Context, name string) ([]tandem.Adoption, error) {
	platforms, err := s.Store.FindPlatforms(ctx, name)
	if err != nil {
		return nil, err
	}
	codebases, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		return nil, err
	}
	return s.AdoptionOf(ctx, platforms, codebases)
}

// AdoptionOf returns the adoption of platforms among codebases (those
// their hosts list), in the order of platforms, for a caller that has both
// already; the gone ones count only in the trend, until they left.
func (s *Service) AdoptionOf(ctx context.Context, platforms []tandem.Platform, codebases []tandem.Codebase) ([]tandem.Adoption, error) {
	owners := make(map[string]*string, len(codebases))
	for _, c := range codebases {
		owners[c.Name] = c.Owner
	}
	gone, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Gone: true})
	if err != nil {
		return nil, err
	}
	goneAt := make(map[string]time.Time, len(gone))
	for _, c := range gone {
		if c.GoneAt != nil {
			goneAt[c.Name] = *c.GoneAt
		}
	}
	adoptions := make([]tandem.Adoption, 0, len(platforms))
	for _, p := range platforms {
		id := tandem.CheckID("platform", p.Name, tandem.RoleAdoption)
		results, err := s.Store.FindCheckResults(ctx, tandem.CheckResultFilter{Check: id})
		if err != nil {
			return nil, err
		}
		history, err := s.Store.FindCheckHistory(ctx, id)
		if err != nil {
			return nil, err
		}
		adoptions = append(adoptions, tandem.ComputeAdoption(p.Name, results, history, owners, goneAt))
	}
	return adoptions, nil
}
