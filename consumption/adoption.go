package consumption

import (
	"context"

	"github.com/tandem-dev/tandem"
)

// Adoption returns the adoption of the platform called name, or of every
// platform when name is "", sorted by name: the codebases their hosts
// list where its adoption check holds, their teams, and its trend, which
// the gone codebases leave on the day they left. The store computes it
// (tandem.SummaryStore), as tandem.ComputeAdoption defines it, without
// reading every codebase. It returns ENOTFOUND for a platform not in the
// catalog.
func (s *Service) Adoption(ctx context.Context, name string) ([]tandem.Adoption, error) {
	return s.Store.FindAdoption(ctx, name)
}
