package web

import (
	"net/http"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

func contributionAbout(c tandem.Contribution) subject {
	return subject{Codebase: c.Codebase, Person: c.Author}
}

func (s *Server) handleRecordContribution(w http.ResponseWriter, r *http.Request, c tandem.Contribution) {
	if err := consumption.ValidateContribution(c); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.RecordContribution(r.Context(), c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// StateRequest changes the state of something.
type StateRequest struct {
	State string `json:"state"`
}

func (s *Server) handleUpdateContribution(w http.ResponseWriter, r *http.Request, q StateRequest) {
	id, ok := s.pathID(w, r, "contribution")
	if !ok {
		return
	}
	if err := consumption.ValidateContributionState(q.State); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.UpdateContribution(r.Context(), id, q.State)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleContributions(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]tandem.Contribution, error) {
		return s.store.FindContributions(r.Context(), r.URL.Query().Get("codebase"))
	})
}

func (s *Server) handleContributors(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.Contributor, error) { return s.consumption.Contributors(r.Context(), name) })
}

// TrustRequest grants a contributor the commit bit.
type TrustRequest struct {
	Person string `json:"person"`
	By     string `json:"by"`
}

func (s *Server) handleGrantTrust(w http.ResponseWriter, r *http.Request, q TrustRequest) {
	by, err := s.actor(r, q.By)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.GrantTrust(r.Context(), r.PathValue("name"), q.Person, by)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleReadiness(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]consumption.Readiness, error) { return s.consumption.Readiness(r.Context(), name) })
}
