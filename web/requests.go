package web

import (
	"net/http"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

func requestAbout(q tandem.Request) subject { return subject{Teams: []string{q.FromTeam}} }

func (s *Server) handleCreateRequest(w http.ResponseWriter, r *http.Request, q tandem.Request) {
	if q.Size == "" {
		q.Size = tandem.SizeSmall
	}
	if err := consumption.ValidateRequest(q); err != nil {
		s.writeError(w, r, err)
		return
	}
	by, err := s.actor(r, q.CreatedBy, q.FromTeam)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q.CreatedBy = by
	out, err := s.store.CreateRequest(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) handleRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := tandem.RequestFilter{Platform: q.Get("platform"), FromTeam: q.Get("team"), State: q.Get("state")}
	if r.PathValue("id") != "" {
		id, ok := s.pathID(w, r, "request")
		if !ok {
			return
		}
		f.ID = id
	}
	list(s, w, r, func(string) ([]tandem.Request, error) { return s.store.FindRequests(r.Context(), f) })
}

func (s *Server) handleUpdateRequest(w http.ResponseWriter, r *http.Request, u tandem.RequestUpdate) {
	id, ok := s.pathID(w, r, "request")
	if !ok {
		return
	}
	by, err := s.actor(r, u.By)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u.By = by
	out, err := s.store.UpdateRequest(r.Context(), id, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
