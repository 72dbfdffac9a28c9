package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

// proposalForm is the campaign page's form of a proposed engagement: the
// person to staff it with, the reason to withdraw it, and, for an admin,
// the member of its teams acting.
type proposalForm struct {
	Person string `json:"person"`
	Reason string `json:"reason"`
	By     string `json:"by"`
}

// proposalRow is a campaign's engagement as its page shows it, with
// whether the person signed in may take it forward (May), as an admin
// naming a member (AsAdmin), and who of its home team may be named.
type proposalRow struct {
	tandem.Engagement
	May     bool
	AsAdmin bool
	Members []string
}

// campaignProposals returns a migration's engagements, its Tours of Duty,
// for its page.
func (s *Server) campaignProposals(r *http.Request, migration string) ([]proposalRow, error) {
	ctx := r.Context()
	es, err := s.store.FindEngagements(ctx, tandem.EngagementFilter{Migration: migration})
	if err != nil {
		return nil, err
	}
	who, signedIn := tokenOf(r)
	var mine []string
	if signedIn && who.Role != tandem.RoleAdmin && who.Role != tandem.RoleViewer {
		if mine, err = s.teamsOf(ctx, who.Person); err != nil {
			return nil, err
		}
	}
	now := time.Now().UTC()
	rows := []proposalRow{}
	for _, e := range es {
		e.Warnings = nonNilStrings(consumption.EngagementWarnings(e, now))
		row := proposalRow{Engagement: e}
		if e.State == tandem.EngagementProposed && signedIn {
			row.AsAdmin = who.Role == tandem.RoleAdmin
			row.May = row.AsAdmin || slices.Contains(mine, e.HomeTeam) || slices.Contains(mine, e.HostTeam)
		}
		if row.May {
			teams, err := s.store.FindTeams(ctx, e.HomeTeam)
			if err != nil {
				return nil, err
			}
			row.Members = teams[0].Members
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (s *Server) handleStaffForm(w http.ResponseWriter, r *http.Request, f proposalForm) {
	s.proposalAction(w, r, f.By, func(id int64, by string) (tandem.Engagement, string, error) {
		e, err := s.store.StaffEngagement(r.Context(), id, f.Person, by)
		return e, fmt.Sprintf("Engagement %d: %s of %s is named to join %s; start it when they are ready.", e.ID, e.Person, e.HomeTeam, e.HostTeam), err
	})
}

// handleStartForm starts a proposal, staffing it first when the form
// names a person it does not have yet.
func (s *Server) handleStartForm(w http.ResponseWriter, r *http.Request, f proposalForm) {
	s.proposalAction(w, r, f.By, func(id int64, by string) (tandem.Engagement, string, error) {
		if f.Person != "" {
			es, err := s.store.FindEngagements(r.Context(), tandem.EngagementFilter{ID: id})
			if err != nil {
				return tandem.Engagement{}, "", err
			}
			if es[0].Person != f.Person {
				if _, err := s.store.StaffEngagement(r.Context(), id, f.Person, by); err != nil {
					return tandem.Engagement{}, "", err
				}
			}
		}
		e, err := s.store.StartEngagement(r.Context(), id, by)
		return e, fmt.Sprintf("Engagement %d started: %s of %s joins %s until %s.", e.ID, e.Person, e.HomeTeam, e.HostTeam, e.Ends), err
	})
}

func (s *Server) handleWithdrawForm(w http.ResponseWriter, r *http.Request, f proposalForm) {
	s.proposalAction(w, r, f.By, func(id int64, by string) (tandem.Engagement, string, error) {
		e, err := s.store.WithdrawEngagement(r.Context(), id, f.Reason, by)
		return e, fmt.Sprintf("Engagement %d withdrawn: %s", e.ID, e.Reason), err
	})
}

// proposalAction takes the engagement of the path forward as the person
// acting and goes back to its campaign's page (its host team's, outside
// a campaign), saying what changed.
func (s *Server) proposalAction(w http.ResponseWriter, r *http.Request, claimed string, act func(id int64, by string) (tandem.Engagement, string, error)) {
	id, err := idOf(r, "engagement")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	by, err := s.actor(r, claimed)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	e, flash, err := act(id, by)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	back := "/teams/" + url.PathEscape(e.HostTeam)
	if e.Migration != "" {
		back = "/campaigns/" + url.PathEscape(e.Migration) + "#proposals"
	}
	redirect(w, r, back, flash)
}
