package web

import (
	"net/http"

	"github.com/tandem-dev/tandem/consumption"
)

func (s *Server) handlePlatformLoad(w http.ResponseWriter, r *http.Request) {
	out, err := s.consumption.Figures(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleInteractions(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]consumption.Interaction, error) { return s.consumption.Interactions(r.Context()) })
}
