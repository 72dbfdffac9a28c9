package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/consumption"
)

// CampaignStatus is a campaign's progress as the API shows it: its counts
// by state, by team and by day (Burndown), all from the counts the store
// keeps, so that it costs the same for 100 or 100,000 targets. The API
// lists the targets apart, a page at a time
// (GET /api/v1/campaigns/{name}/targets); Targets, and LeadTimes, which
// need every done target, are filled by whoever reads them all (the
// CLI's campaign status).
type CampaignStatus struct {
	Migration tandem.Migration        `json:"migration"`
	Counts    map[string]int          `json:"counts"`
	Targets   []tandem.Target         `json:"targets,omitzero"`
	Teams     []campaign.TeamProgress `json:"teams"`
	Burndown  []campaign.Point        `json:"burndown"`
	LeadTimes []campaign.LeadTime     `json:"lead_times,omitzero"`
}

// CampaignSummary is one line of the campaign list.
type CampaignSummary struct {
	Name     string         `json:"name"`
	Platform string         `json:"platform"`
	Title    string         `json:"title"`
	Deadline string         `json:"deadline,omitempty"`
	Counts   map[string]int `json:"counts"`
	Open     int            `json:"open"`
	Total    int            `json:"total"`
}

// TargetRequest names a target and what to do to it.
type TargetRequest struct {
	Codebase string `json:"codebase"`
	Reason   string `json:"reason,omitempty"`
	Until    string `json:"until,omitempty"` // YYYY-MM-DD, for exempt
	By       string `json:"by,omitempty"`
	Ticket   string `json:"ticket,omitempty"` // URL, for adopt
	PR       string `json:"pr,omitempty"`     // URL, for adopt
}

func (t TargetRequest) about() subject { return subject{Codebase: t.Codebase} }

func (t *TargetRequest) codebaseName() *string { return &t.Codebase }

// named returns EINVALID when a target request names no codebase.
func (t TargetRequest) named() error {
	if t.Codebase == "" {
		return tandem.Errorf(tandem.EINVALID, "codebase is required")
	}
	return nil
}

func (s *Server) handleCampaigns(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]CampaignSummary, error) { return s.campaignSummaries(r.Context()) })
}

// campaignSummaries returns every migration with its progress.
func (s *Server) campaignSummaries(ctx context.Context) ([]CampaignSummary, error) {
	ms, err := s.store.FindMigrations(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]CampaignSummary, 0, len(ms))
	for _, m := range ms {
		st, err := s.store.TargetStats(ctx, m.Name)
		if err != nil {
			return nil, err
		}
		sum := CampaignSummary{Name: m.Name, Platform: m.Platform, Title: m.Title, Deadline: m.Deadline, Counts: st.Counts()}
		for state, n := range sum.Counts {
			sum.Total += n
			if tandem.TargetOpen(state) {
				sum.Open += n
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

func (s *Server) handleCampaign(w http.ResponseWriter, r *http.Request) {
	st, err := s.campaignStatus(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// campaignStatus reads a campaign's status from the counts the store
// keeps, and its tickets: none of its targets.
func (s *Server) campaignStatus(r *http.Request) (CampaignStatus, error) {
	ctx := r.Context()
	ms, err := s.store.FindMigrations(ctx, r.PathValue("name"))
	if err != nil {
		return CampaignStatus{}, err
	}
	st, err := s.store.TargetStats(ctx, ms[0].Name)
	if err != nil {
		return CampaignStatus{}, err
	}
	tickets, err := s.store.FindTickets(ctx, tandem.TicketFilter{Migration: ms[0].Name, NoComments: true})
	if err != nil {
		return CampaignStatus{}, err
	}
	return CampaignStatus{Migration: ms[0], Counts: st.Counts(),
		Teams: campaign.TeamsOf(st.ByTeam, tickets), Burndown: campaign.DayBurndown(st.Days, time.Now().UTC())}, nil
}

// handleCampaignTargets answers one page of a campaign's targets, sorted
// by codebase, filtered by ?state= and ?team=: read from the store a
// page at a time, after the codebase of the ?after= cursor.
func (s *Server) handleCampaignTargets(w http.ResponseWriter, r *http.Request) {
	ms, err := s.store.FindMigrations(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	keyed(s, w, r, codebaseCursor, func(after string, limit int) ([]tandem.Target, error) {
		targets, _, err := s.store.FindTargetPage(r.Context(), tandem.TargetQuery{Migration: ms[0].Name, State: q.Get("state"), Team: q.Get("team"),
			After: after, Limit: limit})
		return targets, err
	}, func(t tandem.Target) string { return t.Address() })
}

func (s *Server) handleLaunch(w http.ResponseWriter, r *http.Request) {
	dry, _ := strconv.ParseBool(r.URL.Query().Get("dry_run"))
	out, err := s.campaigns.Launch(r.Context(), r.PathValue("name"), dry)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleEscalate(w http.ResponseWriter, r *http.Request, req TargetRequest) {
	out, err := s.campaigns.Escalate(r.Context(), r.PathValue("name"), req.Codebase, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleApprove(w http.ResponseWriter, r *http.Request, req TargetRequest) {
	out, err := s.approve(r, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// approve approves the change request of the target req names, as the
// token's person or the person of the owning team an admin names: the API
// and the page's form alike.
func (s *Server) approve(r *http.Request, req TargetRequest) (campaign.Approved, error) {
	if err := req.named(); err != nil {
		return campaign.Approved{}, err
	}
	owner, err := s.codebaseOwner(r.Context(), req.Codebase)
	if err != nil {
		return campaign.Approved{}, err
	}
	by, err := s.actor(r, req.By, owner)
	if err != nil {
		return campaign.Approved{}, err
	}
	return s.campaigns.Approve(r.Context(), r.PathValue("name"), req.Codebase, by)
}

func (s *Server) handleExempt(w http.ResponseWriter, r *http.Request, req TargetRequest) {
	t, err := s.exempt(r, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// exempt exempts the target req names until the end of the day
// req.Until, for req.Reason, recorded under exemptBy: the API and the
// page's form alike.
func (s *Server) exempt(r *http.Request, req TargetRequest) (tandem.Target, error) {
	if err := req.named(); err != nil {
		return tandem.Target{}, err
	}
	until, err := time.Parse(time.DateOnly, req.Until)
	if err != nil {
		return tandem.Target{}, tandem.Errorf(tandem.EINVALID, "until: %q is not a date (YYYY-MM-DD)", req.Until)
	}
	by, err := s.exemptBy(r, req)
	if err != nil {
		return tandem.Target{}, err
	}
	return s.campaigns.Exempt(r.Context(), r.PathValue("name"), req.Codebase, req.Reason, until.Add(24*time.Hour-time.Second), by)
}

// exemptBy returns who an exemption is recorded under: the token's
// person, or the person an admin names from the team that owns the
// codebase or the one that owns the campaign's platform.
func (s *Server) exemptBy(r *http.Request, req TargetRequest) (string, error) {
	owner, err := s.codebaseOwner(r.Context(), req.Codebase)
	if err != nil {
		return "", err
	}
	platform, err := migrationPlatform(s, r, subject{})
	if err != nil {
		return "", err
	}
	ps, err := s.store.FindPlatforms(r.Context(), platform)
	if err != nil {
		return "", err
	}
	return s.actor(r, req.By, owner, ps[0].Owner)
}

func (s *Server) handleUnexempt(w http.ResponseWriter, r *http.Request, req TargetRequest) {
	if err := req.named(); err != nil {
		s.writeError(w, r, err)
		return
	}
	why := req.Reason
	if why == "" {
		why = "the exemption was revoked"
	}
	t, err := s.store.Unexempt(r.Context(), r.PathValue("name"), req.Codebase, why)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) handleAdopt(w http.ResponseWriter, r *http.Request, req TargetRequest) {
	if err := req.named(); err != nil {
		s.writeError(w, r, err)
		return
	}
	var t tandem.Target
	var err error
	switch {
	case (req.Ticket == "") == (req.PR == ""):
		err = tandem.Errorf(tandem.EINVALID, "adopt: give a ticket URL or a pull request URL")
	case req.Ticket != "":
		t, err = s.store.AdoptTicket(r.Context(), r.PathValue("name"), req.Codebase, req.Ticket)
	default:
		t, err = s.store.AdoptChangeRequest(r.Context(), r.PathValue("name"), req.Codebase, req.PR)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// handleExport answers every target of a campaign, as CSV or JSON: the
// one answer that reads them all.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	ms, err := s.store.FindMigrations(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	targets, err := s.store.FindTargets(r.Context(), ms[0].Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := ms[0].Name
	switch format := r.URL.Query().Get("format"); format {
	case "", "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		if err := campaign.WriteCSV(w, targets); err != nil {
			s.logger.Error("export", "err", err)
		}
	case "json":
		writeJSON(w, http.StatusOK, map[string]any{"migration": name, "teams": campaign.ByTeam(targets), "targets": targets})
	default:
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "unknown export format %q (valid: csv, json)", format))
	}
}

func (s *Server) handleTickets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := tandem.TicketFilter{Migration: q.Get("migration"), Team: q.Get("team"), State: q.Get("state")}
	if id := r.PathValue("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			s.writeError(w, r, tandem.Errorf(tandem.ENOTFOUND, "ticket %q not found", id))
			return
		}
		f.ID = n
	}
	list(s, w, r, func(string) ([]tandem.Ticket, error) { return s.store.FindTickets(r.Context(), f) })
}

func (s *Server) handleChangeRequests(w http.ResponseWriter, r *http.Request) {
	var id int64
	if v := r.PathValue("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.writeError(w, r, tandem.Errorf(tandem.ENOTFOUND, "change request %q not found", v))
			return
		}
		id = n
	}
	list(s, w, r, func(string) ([]tandem.ChangeRequest, error) {
		return s.store.FindChangeRequests(r.Context(), r.URL.Query().Get("migration"), id)
	})
}

func (s *Server) handleEngagements(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]tandem.Engagement, error) {
		q := r.URL.Query()
		es, err := s.store.FindEngagements(r.Context(), tandem.EngagementFilter{Migration: q.Get("migration"), Platform: q.Get("platform"), Team: q.Get("team"), State: q.Get("state")})
		now := time.Now().UTC()
		for i := range es {
			es[i].Warnings = nonNilStrings(consumption.EngagementWarnings(es[i], now))
		}
		return es, err
	})
}
