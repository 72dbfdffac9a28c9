package web

// routes registers every route of the server, API and UI.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.Handle("GET /metrics", s.metrics())

	s.mux.HandleFunc("POST /api/v1/apply", s.handleApply)
	s.mux.HandleFunc("GET /api/v1/teams", s.handleTeams)
	s.mux.HandleFunc("GET /api/v1/teams/{name}", s.handleTeams)
	s.mux.HandleFunc("GET /api/v1/people", s.handlePeople)
	s.mux.HandleFunc("GET /api/v1/people/{name}", s.handlePeople)
	s.mux.HandleFunc("GET /api/v1/codehosts", s.handleCodeHosts)
	s.mux.HandleFunc("GET /api/v1/codehosts/{name}", s.handleCodeHosts)
	s.mux.HandleFunc("GET /api/v1/codebases", s.handleCodebases)
	s.mux.HandleFunc("GET /api/v1/codebases/{name}", s.handleCodebases)
	s.mux.HandleFunc("GET /api/v1/platforms", s.handlePlatforms)
	s.mux.HandleFunc("GET /api/v1/platforms/{name}", s.handlePlatforms)
	s.mux.HandleFunc("GET /api/v1/migrations", s.handleMigrations)
	s.mux.HandleFunc("GET /api/v1/migrations/{name}", s.handleMigrations)
	s.mux.HandleFunc("GET /api/v1/adoption", s.handleAdoption)
	s.mux.HandleFunc("GET /api/v1/adoption/{name}", s.handleAdoption)
	s.mux.HandleFunc("GET /api/v1/campaigns/{name}", s.handleCampaign)
	s.mux.HandleFunc("POST /api/v1/scans", s.handleStartScan)
	s.mux.HandleFunc("GET /api/v1/scans/{id}", s.handleScan)

	s.mux.HandleFunc("GET /{$}", s.handleHome)
}
