package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/tandem-dev/tandem"
)

func (s *Server) handleChangePage(w http.ResponseWriter, r *http.Request) {
	id, err := idOf(r, "change request")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	crs, err := s.store.FindChangeRequests(r.Context(), "", id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d, err := s.changePage(r, crs[0])
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "change", crs[0].Title, d)
}

// changeData is a change request's page: what it changes, and whether the
// person signed in may approve it.
type changeData struct {
	tandem.ChangeRequest
	Owner string // the team owning the codebase, or the part of it the change is for
	// Target is the address of the change's target: the codebase, or
	// codebase:part.
	Target string
	Diff   tandem.ChangeDiff
	// NoDiff says why no diff is shown, "" when one is.
	NoDiff string
	// Approve says that the person signed in may approve the change;
	// AsAdmin that they approve as an admin, naming someone of Owner.
	Approve bool
	AsAdmin bool
	// AutoMerge says that Tandem merges the change once approved.
	AutoMerge bool
	// PullRequest is the change's pull request on its code host, "" on
	// a local one.
	PullRequest string
}

// changePage gathers a change request's page, with its diff.
func (s *Server) changePage(r *http.Request, cr tandem.ChangeRequest) (changeData, error) {
	ctx := r.Context()
	d := changeData{ChangeRequest: cr, Target: tandem.TargetAddress(cr.Codebase, cr.Part)}
	cbs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: cr.Codebase})
	if err != nil {
		return d, err
	}
	c := cbs[0]
	d.Owner = tandem.PartOwner(c, cr.Part)
	d.AutoMerge = c.AutoMerge && c.Contributions != tandem.Closed
	if strings.HasPrefix(cr.URL, "https://") || strings.HasPrefix(cr.URL, "http://") {
		d.PullRequest = cr.URL
	}
	if d.Diff, d.NoDiff, err = s.campaigns.ChangeDiff(ctx, c, cr); err != nil {
		s.logger.Warn("change request diff", "change_request", cr.ID, "err", err)
	}
	who, ok := tokenOf(r)
	switch {
	case !ok || cr.State != tandem.ChangeOpen || cr.ApprovedBy != "" || d.Owner == "":
	case who.Role == tandem.RoleAdmin:
		d.Approve, d.AsAdmin = true, true
	case who.Role != tandem.RoleViewer:
		teams, err := s.teamsOf(ctx, who.Person)
		if err != nil {
			return d, err
		}
		d.Approve = slices.Contains(teams, d.Owner)
	}
	return d, nil
}
