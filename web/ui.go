package web

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/tandem-dev/tandem"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
}).ParseFS(templateFS, "templates/*.html"))

// homePage is what the home page shows: the whole catalog.
type homePage struct {
	Teams     []tandem.Team
	Codebases []tandem.Codebase
	Platforms []tandem.Platform
	Hosts     []tandem.CodeHost
	Unowned   int
	Adoption  map[string]tandem.Adoption
	Campaigns []CampaignSummary
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var p homePage
	var err error
	if p.Teams, err = s.store.FindTeams(ctx, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	if p.Codebases, err = s.store.FindCodebases(ctx, tandem.CodebaseFilter{}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if p.Platforms, err = s.store.FindPlatforms(ctx, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	if p.Hosts, err = s.store.FindCodeHosts(ctx, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, c := range p.Codebases {
		if c.Owner == nil {
			p.Unowned++
		}
	}
	adoptions, err := s.adoption(ctx, "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p.Adoption = map[string]tandem.Adoption{}
	for _, a := range adoptions {
		p.Adoption[a.Platform] = a
	}
	if p.Campaigns, err = s.campaignSummaries(ctx); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := templates.ExecuteTemplate(w, "home.html", p); err != nil {
		s.logger.Error("render home", "err", err)
	}
}
