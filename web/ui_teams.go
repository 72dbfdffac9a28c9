package web

import (
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

// teamData is a team's page: what the platforms ask of it, and its team
// API: how it works with every other team.
type teamData struct {
	Team         tandem.Team
	Tickets      []tandem.Ticket
	Targets      []tandem.Target
	Codebases    []tandem.Codebase
	Deadlines    map[string]string // by migration
	Interactions []consumption.Interaction
	Engagements  []tandem.Engagement
	Requests     []tandem.Request
	Offers       []string // platforms the team owns
	Consumes     []string // platforms the team adopted
	Progress     []teamCampaign
}

// teamCampaign is how far a team is in one campaign.
type teamCampaign struct {
	Migration string
	Bar       template.HTML
}

func (s *Server) handleTeamPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	teams, err := s.store.FindTeams(ctx, r.PathValue("name"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := teamData{Team: teams[0], Deadlines: map[string]string{}}
	if d.Tickets, err = s.store.FindTickets(ctx, tandem.TicketFilter{Team: teams[0].Name, State: tandem.TicketOpen}); err != nil {
		s.renderError(w, r, err)
		return
	}
	ms, err := s.store.FindMigrations(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, m := range ms {
		d.Deadlines[m.Name] = m.Deadline
		targets, _, err := s.store.FindTargetPage(ctx, tandem.TargetQuery{Migration: m.Name, Team: teams[0].Name})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		counts := map[string]int{}
		for _, t := range targets {
			counts[t.State]++
			if t.Open() {
				d.Targets = append(d.Targets, t)
			}
		}
		if len(targets) > 0 {
			d.Progress = append(d.Progress, teamCampaign{Migration: m.Name, Bar: ProgressBar(teams[0].Name+" in "+m.Name, stateParts(counts))})
		}
	}
	if d.Codebases, err = s.store.FindCodebases(ctx, tandem.CodebaseFilter{Owner: teams[0].Name}); err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.teamAPI(r, &d); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "team", teams[0].Name, d)
}

// teamAPI adds a team's interactions, engagements, requests and platforms.
func (s *Server) teamAPI(r *http.Request, d *teamData) error {
	ctx, name := r.Context(), d.Team.Name
	all, err := s.consumption.Interactions(ctx)
	if err != nil {
		return err
	}
	for _, i := range all {
		if i.A == name || i.B == name {
			d.Interactions = append(d.Interactions, i)
		}
	}
	if d.Engagements, err = s.store.FindEngagements(ctx, tandem.EngagementFilter{Team: name}); err != nil {
		return err
	}
	now := time.Now().UTC()
	for i := range d.Engagements {
		d.Engagements[i].Warnings = consumption.EngagementWarnings(d.Engagements[i], now)
	}
	if d.Requests, err = s.store.FindRequests(ctx, tandem.RequestFilter{FromTeam: name}); err != nil {
		return err
	}
	platforms, err := s.store.FindPlatforms(ctx, "")
	if err != nil {
		return err
	}
	adoptions, err := s.consumption.Adoption(ctx, "")
	if err != nil {
		return err
	}
	for i, p := range platforms {
		if p.Owner == name {
			d.Offers = append(d.Offers, p.Name)
		}
		if slices.Contains(adoptions[i].Teams, name) {
			d.Consumes = append(d.Consumes, p.Name)
		}
	}
	return nil
}
