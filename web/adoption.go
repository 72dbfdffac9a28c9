package web

import (
	"net/http"

	"github.com/tandem-dev/tandem"
)

func (s *Server) handleMigrations(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.Migration, error) { return s.store.FindMigrations(r.Context(), name) })
}

func (s *Server) handleAdoption(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.Adoption, error) { return s.consumption.Adoption(r.Context(), name) })
}
