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
	Adoption tandem.AdoptionSummary
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
	sum, err := s.store.FindSummary(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	now := time.Now().UTC()
	d.Platforms = platformRows(platforms, sum.Platforms, now)
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
	d.Codebases, d.Unowned, d.Teams = sum.Codebases, sum.Unowned, sum.Teams
	if d.Unowned > 0 {
		d.Warnings = append(d.Warnings, strconv.Itoa(d.Unowned)+" codebases have no known owner")
	}
	d.Scan, _ = strconv.ParseInt(r.URL.Query().Get("scan"), 10, 64)
	s.render(w, r, "home", "Home", d)
}

// platformRows returns the cards of platforms, each with its adoption
// among adoptions (none when the store summed none for it) and its trend
// charted up to now.
func platformRows(platforms []tandem.Platform, adoptions []tandem.AdoptionSummary, now time.Time) []platformRow {
	byName := make(map[string]tandem.AdoptionSummary, len(adoptions))
	for _, a := range adoptions {
		byName[a.Platform] = a
	}
	rows := make([]platformRow, 0, len(platforms))
	for _, p := range platforms {
		a := byName[p.Name]
		rows = append(rows, platformRow{Platform: p, Adoption: a, Chart: adoptionChart(p.Name, a.Trend, now, 320, 150)})
	}
	return rows
}
