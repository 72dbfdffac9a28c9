package web

import (
	"context"
	"net/http"

	"github.com/tandem-dev/tandem"
)

// resultsRoute is the one route a ci token may take.
const resultsRoute = "POST /api/v1/codebases/{name}/results"

// ResultsPush is the body of a push of CI results: the commit evaluated
// and the results of checks of source ci there.
type ResultsPush struct {
	Commit  string         `json:"commit"`
	Results []PushedResult `json:"results"`
}

// PushedResult is one check's result in a ResultsPush.
type PushedResult struct {
	Check string `json:"check"`
	// Digest is the definition evaluated (tandem.NamedCheck.Digest);
	// when given, it must be the server's.
	Digest   string         `json:"digest,omitempty"`
	Holds    bool           `json:"holds"`
	Evidence []tandem.Match `json:"evidence"`
	Error    string         `json:"error,omitempty"`
}

// ResultsPushed answers a push: whether the results became current (the
// commit is the codebase's head) or are kept as history only.
type ResultsPushed struct {
	Codebase string `json:"codebase"`
	Commit   string `json:"commit"`
	Current  bool   `json:"current"`
	Results  int    `json:"results"`
}

// mayPushResults lets through a token that may push results for the
// codebase in the path (tandem.Token.MayPushResults): the handler stores
// them for that very path value.
func mayPushResults(_ *Server, r *http.Request, who tandem.Token, _ subject) (bool, error) {
	return who.MayPushResults(r.PathValue("name")), nil
}

// confineCI refuses a ci token every route but resultsRoute, reads
// included; mayPushResults then decides on the codebase.
func confineCI(who tandem.Token, pattern string) error {
	if who.Role != tandem.RoleCI || pattern == resultsRoute {
		return nil
	}
	return tandem.Errorf(tandem.EFORBIDDEN, "%s's ci token may only push results for codebase %s (POST /api/v1/codebases/%s/results)", who.Person, who.Codebase, who.Codebase)
}

func (s *Server) handlePushResults(w http.ResponseWriter, r *http.Request, in ResultsPush) {
	who, _ := tokenOf(r)
	results := make([]tandem.CheckResult, len(in.Results))
	for i, p := range in.Results {
		results[i] = tandem.CheckResult{Check: p.Check, Digest: p.Digest, Holds: p.Holds, Evidence: p.Evidence, Error: p.Error}
	}
	name := r.PathValue("name")
	current, err := s.store.PushResults(r.Context(), name, in.Commit, who.Person, results)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ResultsPushed{Codebase: name, Commit: in.Commit, Current: current, Results: len(results)})
}

// pushedShown is how many of the latest pushed results a codebase's
// page and GET /api/v1/codebases/{name} show.
const pushedShown = 20

// codebaseView is a codebase as GET /api/v1/codebases/{name} shows it:
// with its current check results, each with its commit and source, and
// the latest results CI pushed, current or history.
type codebaseView struct {
	tandem.Codebase
	Results []tandem.CheckResult `json:"results"`
	Pushed  []tandem.CheckResult `json:"pushed"`
}

// codebaseViews returns the codebases f selects with their results.
func (s *Server) codebaseViews(ctx context.Context, f tandem.CodebaseFilter) ([]codebaseView, error) {
	cbs, err := s.store.FindCodebases(ctx, f)
	if err != nil {
		return nil, err
	}
	views := make([]codebaseView, len(cbs))
	for i, c := range cbs {
		views[i].Codebase = c
		if views[i].Results, err = s.store.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: c.Name}); err != nil {
			return nil, err
		}
		views[i].Results = nonNilResults(views[i].Results)
		if views[i].Pushed, err = s.store.FindPushedResults(ctx, c.Name, pushedShown); err != nil {
			return nil, err
		}
		views[i].Pushed = nonNilResults(views[i].Pushed)
	}
	return views, nil
}

func nonNilResults(rs []tandem.CheckResult) []tandem.CheckResult {
	if rs == nil {
		return []tandem.CheckResult{}
	}
	return rs
}
