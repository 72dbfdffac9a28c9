package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
)

// homeData is the home page: adoption, campaigns and what needs attention.
type homeData struct {
	Platforms []platformRow
	Campaigns []campaignRow
	Warnings  []string
	Codebases int
	Unowned   int
	Teams     int
	Scan      int64 // a scan to follow live, from ?scan=
}

type platformRow struct {
	tandem.Platform
	Adoption tandem.Adoption
	Chart    template.HTML
}

type campaignRow struct {
	CampaignSummary
	Bar     template.HTML
	Overdue bool
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var d homeData
	platforms, err := s.store.FindPlatforms(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	codebases, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	adoptions, err := s.consumption.AdoptionOf(ctx, platforms, codebases)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	now := time.Now().UTC()
	for i, p := range platforms {
		d.Platforms = append(d.Platforms, platformRow{Platform: p, Adoption: adoptions[i], Chart: adoptionChart(p.Name, adoptions[i].Trend, now, 320, 150)})
	}
	summaries, err := s.campaignSummaries(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	today := now.Format(time.DateOnly)
	for _, c := range summaries {
		row := campaignRow{CampaignSummary: c, Bar: ProgressBar(c.Name+" progress", stateParts(c.Counts)), Overdue: c.Deadline != "" && c.Deadline < today && c.Open > 0}
		if row.Overdue {
			d.Warnings = append(d.Warnings, c.Name+": past its deadline ("+c.Deadline+") with "+strconv.Itoa(c.Open)+" targets open")
		}
		d.Campaigns = append(d.Campaigns, row)
	}
	d.Codebases = len(codebases)
	for _, c := range codebases {
		if c.Owner == nil {
			d.Unowned++
		}
	}
	if d.Unowned > 0 {
		d.Warnings = append(d.Warnings, strconv.Itoa(d.Unowned)+" codebases have no known owner")
	}
	teams, err := s.store.FindTeams(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Teams = len(teams)
	d.Scan, _ = strconv.ParseInt(r.URL.Query().Get("scan"), 10, 64)
	s.render(w, r, "home", "Home", d)
}
