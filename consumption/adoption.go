package consumption

import (
	"context"
	"time"

	"github.com/tandem-dev/tandem"
)

// Adoption returns the adoption of the platform called name, or of every
// platform when name is "", sorted by name: the codebases their hosts
// list where its adoption check holds, their teams, and its trend, which
// the gone codebases leave on the day they left. A store that computes
// adoption itself (tandem.SummaryStore, as sqlstore does) answers without
// reading every codebase; another is read whole (adoptionRead). It
// returns ENOTFOUND for a platform not in the catalog.
func (s *Service) Adoption(ctx context.Context, name string) ([]tandem.Adoption, error) {
	if db, ok := s.Store.(tandem.SummaryStore); ok {
		return db.FindAdoption(ctx, name)
	}
	return s.adoptionRead(ctx, name)
}

// adoptionRead returns what Adoption does by reading every codebase, and
// each platform's check results and history, and computing over them
// (tandem.ComputeAdoption).
func (s *Service) adoptionRead(ctx context.Context, name string) ([]tandem.Adoption, error) {
	platforms, err := s.Store.FindPlatforms(ctx, name)
	if err != nil {
		return nil, err
	}
	codebases, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		return nil, err
	}
	owners := make(map[string]*string, len(codebases))
	for _, c := range codebases {
		owners[c.Name] = c.Owner
	}
	gone, err := s.goneAt(ctx)
	if err != nil {
		return nil, err
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
		adoptions = append(adoptions, tandem.ComputeAdoption(p.Name, results, history, owners, gone))
	}
	return adoptions, nil
}

// goneAt returns when each codebase gone from its host left it.
func (s *Service) goneAt(ctx context.Context) (map[string]time.Time, error) {
	gone, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Gone: true})
	if err != nil {
		return nil, err
	}
	at := make(map[string]time.Time, len(gone))
	for _, c := range gone {
		if c.GoneAt != nil {
			at[c.Name] = *c.GoneAt
		}
	}
	return at, nil
}
