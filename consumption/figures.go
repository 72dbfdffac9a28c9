package consumption

import (
	"context"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
)

// loadMonths is how many calendar months a platform's figures show the
// hands-on load of.
const loadMonths = 6

// Figures are a platform's consumption figures: hands-on load, the
// request backlog and lead times, how many sessions it held, and what
// they warn of.
type Figures struct {
	Platform  string              `json:"platform"`
	Support   tandem.SupportModel `json:"support"`
	Load      Load                `json:"load"`
	Backlog   Backlog             `json:"backlog"`
	LeadTimes RequestLeadTimes    `json:"lead_times"`
	Sessions  int                 `json:"sessions"`
	Warnings  []string            `json:"warnings"`
}

// Figures gathers the consumption figures of the platform called name. It
// returns ENOTFOUND for a platform not in the catalog.
func (s *Service) Figures(ctx context.Context, name string) (Figures, error) {
	ps, err := s.Store.FindPlatforms(ctx, name)
	if err != nil {
		return Figures{}, err
	}
	reqs, err := s.Store.FindRequests(ctx, tandem.RequestFilter{Platform: name})
	if err != nil {
		return Figures{}, err
	}
	es, err := s.Store.FindEngagements(ctx, tandem.EngagementFilter{Platform: name})
	if err != nil {
		return Figures{}, err
	}
	as, err := s.Adoption(ctx, name)
	if err != nil {
		return Figures{}, err
	}
	sessions, err := s.Store.FindSessions(ctx, name)
	if err != nil {
		return Figures{}, err
	}
	now := s.now()
	out := Figures{Platform: name, Support: ps[0].Support, Sessions: len(sessions),
		Load:      PlatformLoad(name, reqs, es, as[0].Trend, loadMonths, now),
		Backlog:   PlatformBacklog(reqs, now),
		LeadTimes: LeadTimes(reqs)}
	out.Warnings = out.warnings(es, now)
	return out, nil
}

// warnings are what f's load, backlog and the platform's engagements warn
// of, or an empty list.
func (f Figures) warnings(engagements []tandem.Engagement, now time.Time) []string {
	out := []string{}
	if f.Load.Warning != "" {
		out = append(out, f.Load.Warning)
	}
	if f.Backlog.Bottleneck {
		out = append(out, f.Platform+" is a bottleneck: its median request backlog age grew every week for four weeks")
	}
	for _, e := range engagements {
		for _, warn := range EngagementWarnings(e, now) {
			out = append(out, "engagement "+strconv.FormatInt(e.ID, 10)+" ("+e.Person+" at "+e.HostTeam+"): "+warn)
		}
	}
	return out
}
