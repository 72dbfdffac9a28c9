package web

import (
	"net/http"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

func engagementAbout(e tandem.Engagement) subject {
	return subject{Teams: []string{e.HomeTeam, e.HostTeam}}
}

func (s *Server) handleCreateEngagement(w http.ResponseWriter, r *http.Request, e tandem.Engagement) {
	e, err := consumption.NewEngagement(e, time.Now().UTC())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.CreateEngagement(r.Context(), e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out.Warnings = nonNilStrings(consumption.EngagementWarnings(out, time.Now().UTC()))
	writeJSON(w, http.StatusCreated, out)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) handleEngagement(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "engagement")
	if !ok {
		return
	}
	es, err := s.store.FindEngagements(r.Context(), tandem.EngagementFilter{ID: id})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	es[0].Warnings = nonNilStrings(consumption.EngagementWarnings(es[0], time.Now().UTC()))
	writeJSON(w, http.StatusOK, es)
}

func (s *Server) handleLogWork(w http.ResponseWriter, r *http.Request, l tandem.WorkLog) {
	id, ok := s.pathID(w, r, "engagement")
	if !ok {
		return
	}
	l, err := consumption.NewWorkLog(l, time.Now().UTC())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	by, err := s.actor(r, l.By)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l.By = by
	out, err := s.store.LogWork(r.Context(), id, l)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// ByRequest names who acts, for changes without another body.
type ByRequest struct {
	By string `json:"by"`
}

func (s *Server) handleEndEngagement(w http.ResponseWriter, r *http.Request, b ByRequest) {
	s.changeEngagement(w, r, b.By, func(id int64, by string) (tandem.Engagement, error) {
		return s.store.EndEngagement(r.Context(), id, by)
	})
}

// StaffRequest names the person of a proposed engagement.
type StaffRequest struct {
	Person string `json:"person"`
	By     string `json:"by"`
}

// WithdrawRequest withdraws a proposed engagement or an announced support
// change, saying why.
type WithdrawRequest struct {
	Reason string `json:"reason"`
	By     string `json:"by"`
}

func (s *Server) handleStaffEngagement(w http.ResponseWriter, r *http.Request, b StaffRequest) {
	s.changeEngagement(w, r, b.By, func(id int64, by string) (tandem.Engagement, error) {
		return s.store.StaffEngagement(r.Context(), id, b.Person, by)
	})
}

func (s *Server) handleStartEngagement(w http.ResponseWriter, r *http.Request, b ByRequest) {
	s.changeEngagement(w, r, b.By, func(id int64, by string) (tandem.Engagement, error) {
		return s.store.StartEngagement(r.Context(), id, by)
	})
}

func (s *Server) handleWithdrawEngagement(w http.ResponseWriter, r *http.Request, b WithdrawRequest) {
	s.changeEngagement(w, r, b.By, func(id int64, by string) (tandem.Engagement, error) {
		return s.store.WithdrawEngagement(r.Context(), id, b.Reason, by)
	})
}

// changeEngagement makes a change to the engagement of the path as the
// person acting (the token's, or the one an admin names) and answers the
// engagement as it left it.
func (s *Server) changeEngagement(w http.ResponseWriter, r *http.Request, claimed string, change func(id int64, by string) (tandem.Engagement, error)) {
	id, ok := s.pathID(w, r, "engagement")
	if !ok {
		return
	}
	by, err := s.actor(r, claimed)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := change(id, by)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out.Warnings = nonNilStrings(consumption.EngagementWarnings(out, time.Now().UTC()))
	writeJSON(w, http.StatusOK, out)
}
