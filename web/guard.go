package web

import (
	"net/http"

	"github.com/tandem-dev/tandem"
)

// maxGuardReports is how many of a migration's latest guard reports its
// route reads, at most.
const maxGuardReports = 1000

// handleGuardReports lists the backsliding guard's latest verdicts on a
// migration's pull requests, newest first (?repo= selects a codebase's).
func (s *Server) handleGuardReports(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.GuardReport, error) {
		if _, err := s.store.FindMigrations(r.Context(), name); err != nil {
			return nil, err
		}
		return s.store.FindGuardReports(r.Context(), tandem.GuardReportFilter{Migration: name, Repo: r.URL.Query().Get("repo"), Limit: maxGuardReports})
	})
}
