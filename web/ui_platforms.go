package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

// platformData is a platform's page.
type platformData struct {
	Platform     tandem.Platform
	Adoption     tandem.Adoption
	Chart        template.HTML
	Campaigns    []CampaignSummary
	Load         consumption.Figures
	LoadChart    template.HTML
	Requests     []tandem.Request
	Engagements  []tandem.Engagement
	Sessions     []tandem.Session
	Changes      []tandem.SupportChange
	Readiness    []consumption.Readiness
	Contributors []tandem.Contributor
}

func (s *Server) handlePlatformPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ps, err := s.store.FindPlatforms(ctx, r.PathValue("name"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	as, err := s.consumption.Adoption(ctx, ps[0].Name)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := platformData{Platform: ps[0], Adoption: as[0]}
	d.Chart = adoptionChart(ps[0].Name, as[0].Trend, time.Now().UTC(), 0, 0)
	all, err := s.campaignSummaries(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, c := range all {
		if c.Platform == ps[0].Name {
			d.Campaigns = append(d.Campaigns, c)
		}
	}
	if err := s.platformConsumption(r, &d); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "platform", ps[0].Name, d)
}

// platformConsumption adds to a platform's page what its consumers ask of
// it and how it supports them.
func (s *Server) platformConsumption(r *http.Request, d *platformData) error {
	ctx, name := r.Context(), d.Platform.Name
	var err error
	if d.Load, err = s.consumption.Figures(ctx, name); err != nil {
		return err
	}
	d.LoadChart = loadChart(d.Load.Load, time.Now().UTC())
	if d.Requests, err = s.store.FindRequests(ctx, tandem.RequestFilter{Platform: name}); err != nil {
		return err
	}
	if d.Engagements, err = s.store.FindEngagements(ctx, tandem.EngagementFilter{Platform: name}); err != nil {
		return err
	}
	now := time.Now().UTC()
	for i := range d.Engagements {
		d.Engagements[i].Warnings = consumption.EngagementWarnings(d.Engagements[i], now)
	}
	if d.Sessions, err = s.store.FindSessions(ctx, name); err != nil {
		return err
	}
	if d.Changes, err = s.store.FindSupportChanges(ctx, name); err != nil {
		return err
	}
	if d.Readiness, err = s.consumption.Readiness(ctx, name); err != nil {
		return err
	}
	for _, cb := range d.Platform.Codebases {
		cs, err := s.consumption.Contributors(ctx, cb)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		d.Contributors = append(d.Contributors, cs...)
	}
	return nil
}

// adoptionChart draws a platform's adoption trend: a line over dates, or
// the one value there is ("2 codebases today").
func adoptionChart(platform string, trend []tandem.TrendPoint, now time.Time, w, h int) template.HTML {
	return LineChart{Title: "Codebases adopting " + platform, Now: now, Width: w, Height: h,
		Series: []Series{{Name: "adopting codebases", Unit: "codebases", Points: trendPoints(trend)}}}.SVG()
}

func trendPoints(trend []tandem.TrendPoint) []DayValue {
	out := make([]DayValue, len(trend))
	for i, p := range trend {
		out[i] = DayValue{Day: p.Day, Value: p.Count}
	}
	return out
}

// loadChart draws a platform's hands-on load and adoption by month, from
// the first month anything was recorded; adoption from when it was
// measured.
func loadChart(l consumption.Load, now time.Time) template.HTML {
	var perTeam, adoption []DayValue
	for _, m := range l.Months {
		perTeam = append(perTeam, DayValue{Day: m.Month + "-01", Value: int(m.PerTeam + 0.5)})
		if m.Adoption != nil {
			adoption = append(adoption, DayValue{Day: m.Month + "-01", Value: *m.Adoption})
		}
	}
	return LineChart{Title: "Hands-on load per consuming team (hours a month) and adoption", Now: now,
		Series: []Series{{Name: "hands-on hours per consuming team", Unit: "hands-on hours per consuming team", Points: perTeam},
			{Name: "adopting codebases", Unit: "adopting codebases", Points: adoption}}}.SVG()
}
