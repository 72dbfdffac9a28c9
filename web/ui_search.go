package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/tandem-dev/tandem"
)

// searchData is what a search found, by kind.
type searchData struct {
	Query     string
	Teams     []string
	Codebases []string
	Platforms []string
	Campaigns []string
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	d, err := s.search(r.Context(), strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q"))))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "search", "Search", d)
}

// search finds the teams, codebases, platforms and campaigns a lowercase
// query names part of.
func (s *Server) search(ctx context.Context, q string) (searchData, error) {
	d := searchData{Query: q}
	teams, err := s.store.FindTeams(ctx, "")
	if err != nil {
		return d, err
	}
	d.Teams = matching(q, teams, func(t tandem.Team) []string { return append([]string{t.Name}, t.Aliases...) })
	codebases, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		return d, err
	}
	d.Codebases = matching(q, codebases, func(c tandem.Codebase) []string { return []string{c.Name} })
	platforms, err := s.store.FindPlatforms(ctx, "")
	if err != nil {
		return d, err
	}
	d.Platforms = matching(q, platforms, func(p tandem.Platform) []string { return []string{p.Name} })
	ms, err := s.store.FindMigrations(ctx, "")
	if err != nil {
		return d, err
	}
	d.Campaigns = matching(q, ms, func(m tandem.Migration) []string { return []string{m.Name, m.Title} })
	return d, nil
}

// matching returns the names of the items one of whose words (its name,
// first, and others) contains q, whatever their case; none when q is "".
func matching[T any](q string, items []T, words func(T) []string) []string {
	var names []string
	for _, it := range items {
		ws := words(it)
		if q != "" && slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(strings.ToLower(w), q) }) {
			names = append(names, ws[0])
		}
	}
	return names
}
