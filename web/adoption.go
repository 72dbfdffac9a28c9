package web

import (
	"context"
	"net/http"
	"time"

	"github.com/tandem-dev/tandem"
)

func (s *Server) handleMigrations(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.Migration, error) { return s.store.FindMigrations(r.Context(), name) })
}

func (s *Server) handleAdoption(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.Adoption, error) { return s.adoption(r.Context(), name) })
}

// adoption returns the adoption of the platform called name, or of every
// platform when name is "".
func (s *Server) adoption(ctx context.Context, name string) ([]tandem.Adoption, error) {
	platforms, err := s.store.FindPlatforms(ctx, name)
	if err != nil {
		return nil, err
	}
	codebases, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		return nil, err
	}
	return s.adoptionOf(ctx, platforms, codebases)
}

// adoptionOf returns the adoption of platforms among codebases (those
// their hosts list), for a caller that has both already; the gone ones
// count only in the trend, until they left.
func (s *Server) adoptionOf(ctx context.Context, platforms []tandem.Platform, codebases []tandem.Codebase) ([]tandem.Adoption, error) {
	owners := make(map[string]*string, len(codebases))
	for _, c := range codebases {
		owners[c.Name] = c.Owner
	}
	gone, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Gone: true})
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
		results, err := s.store.FindCheckResults(ctx, tandem.CheckResultFilter{Check: id})
		if err != nil {
			return nil, err
		}
		history, err := s.store.FindCheckHistory(ctx, id)
		if err != nil {
			return nil, err
		}
		adoptions = append(adoptions, tandem.ComputeAdoption(p.Name, results, history, owners, goneAt))
	}
	return adoptions, nil
}
