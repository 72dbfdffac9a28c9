package web

import (
	"net/http"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

func sessionAbout(ss tandem.Session) subject { return subject{Platform: ss.Platform} }

func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request, ss tandem.Session) {
	ss, err := consumption.NewSession(ss, time.Now().UTC())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.CreateSession(r.Context(), ss)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]tandem.Session, error) {
		return s.store.FindSessions(r.Context(), r.URL.Query().Get("platform"))
	})
}

// handleAnnounceSupport announces a support model change of the platform
// of the path to the teams that consume it.
func (s *Server) handleAnnounceSupport(w http.ResponseWriter, r *http.Request, c tandem.SupportChange) {
	ctx := r.Context()
	ps, err := s.store.FindPlatforms(ctx, r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := ps[0]
	c.Platform = p.Name
	if err := consumption.ValidateSupportChange(p, c, time.Now().UTC()); err != nil {
		s.writeError(w, r, err)
		return
	}
	teams, err := s.consumption.ConsumingTeams(ctx, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if c.By, err = s.actor(r, c.By, p.Owner); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.AnnounceSupportChange(ctx, c, teams)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// handleWithdrawSupport withdraws an announced support change of the
// platform of the path before it takes effect.
func (s *Server) handleWithdrawSupport(w http.ResponseWriter, r *http.Request, b WithdrawRequest) {
	id, ok := s.pathID(w, r, "support change")
	if !ok {
		return
	}
	name := r.PathValue("name")
	ps, err := s.store.FindPlatforms(r.Context(), name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	by, err := s.actor(r, b.By, ps[0].Owner)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.WithdrawSupportChange(r.Context(), ps[0].Name, id, b.Reason, by)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleSupportHistory(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.SupportChange, error) {
		if _, err := s.store.FindPlatforms(r.Context(), name); err != nil {
			return nil, err
		}
		return s.store.FindSupportChanges(r.Context(), name)
	})
}
