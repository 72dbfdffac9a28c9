package web

import (
	"net/http"

	"github.com/tandem-dev/tandem"
)

func (s *Server) handleTicketPage(w http.ResponseWriter, r *http.Request) {
	id, err := idOf(r, "ticket")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	ts, err := s.store.FindTickets(r.Context(), tandem.TicketFilter{ID: id})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "ticket", ts[0].Title, ts[0])
}
