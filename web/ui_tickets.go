package web

import (
	"net/http"
	"strconv"

	"github.com/tandem-dev/tandem"
)

func (s *Server) handleTicketPage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, tandem.Errorf(tandem.ENOTFOUND, "ticket %q not found", r.PathValue("id")))
		return
	}
	ts, err := s.store.FindTickets(r.Context(), tandem.TicketFilter{ID: id})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "ticket", ts[0].Title, ts[0])
}
