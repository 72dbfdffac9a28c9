package web

import (
	"net/http"
	"strconv"

	"github.com/tandem-dev/tandem"
)

// codebasesData is the codebase list: the codebases scans found, and the
// Codebase documents that name none of them, shown apart as warnings.
type codebasesData struct {
	Codebases    []tandem.Codebase
	Undiscovered []tandem.Codebase
}

func (s *Server) handleCodebasesPage(w http.ResponseWriter, r *http.Request) {
	gone, _ := strconv.ParseBool(r.URL.Query().Get("gone")) // as the API reads it; anything else: the present ones
	cs, err := s.store.FindCodebases(r.Context(), tandem.CodebaseFilter{Owner: r.URL.Query().Get("owner"), Gone: gone, Declared: !gone})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var d codebasesData
	for _, c := range cs {
		if c.Host == "" {
			d.Undiscovered = append(d.Undiscovered, c)
		} else {
			d.Codebases = append(d.Codebases, c)
		}
	}
	s.render(w, r, "codebases", "Codebases", d)
}

// codebaseData is a codebase's page.
type codebaseData struct {
	Codebase tandem.Codebase
	Results  []tandem.CheckResult
	Targets  []tandem.Target
}

func (s *Server) handleCodebasePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: r.PathValue("name")})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := codebaseData{Codebase: cs[0]}
	if d.Results, err = s.store.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: cs[0].Name}); err != nil {
		s.renderError(w, r, err)
		return
	}
	ms, err := s.store.FindMigrations(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, m := range ms {
		targets, err := s.store.FindTargets(ctx, m.Name)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, t := range targets {
			if t.Codebase == cs[0].Name {
				d.Targets = append(d.Targets, t)
			}
		}
	}
	s.render(w, r, "codebase", cs[0].Name, d)
}
