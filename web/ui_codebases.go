package web

import (
	"net/http"
	"strconv"

	"github.com/tandem-dev/tandem"
)

// codebasesData is a page of the codebase list: the codebases scans
// found, the Codebase documents that name none of them (shown apart as
// warnings), and the first name of the next page, "" on the last.
type codebasesData struct {
	Codebases    []tandem.Codebase
	Undiscovered []tandem.Codebase
	Owner        string
	Gone         bool
	After        string // where this page starts, "" on the first
	Next         string
}

// handleCodebasesPage lists codebases pageSize at a time, by name, read
// a page at a time (?after=NAME), as owner (?owner=) or gone (?gone=)
// filter them.
func (s *Server) handleCodebasesPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	gone, _ := strconv.ParseBool(q.Get("gone")) // as the API reads it; anything else: the present ones
	d := codebasesData{Owner: q.Get("owner"), Gone: gone}
	var err error
	if d.After, err = codebaseKey("after", q.Get("after")); err != nil {
		s.renderError(w, r, err)
		return
	}
	cs, err := s.store.FindCodebases(r.Context(), tandem.CodebaseFilter{Owner: d.Owner, Gone: gone, Declared: !gone, After: d.After, Limit: pageSize + 1})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(cs) > pageSize {
		cs, d.Next = cs[:pageSize], cs[pageSize-1].Name
	}
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
	// Pushed are the latest results CI pushed, current or history.
	Pushed  []tandem.CheckResult
	Targets []tandem.Target
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
	if d.Pushed, err = s.store.FindPushedResults(ctx, cs[0].Name, pushedShown); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.Targets, err = s.store.FindCodebaseTargets(ctx, cs[0].Name); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "codebase", cs[0].Name, d)
}
