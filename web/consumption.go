package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

// pathID returns the {id} path value, answering ENOTFOUND itself when it is
// not a number.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, what string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.writeError(w, r, tandem.Errorf(tandem.ENOTFOUND, "%s %q not found", what, r.PathValue("id")))
		return 0, false
	}
	return id, true
}

// validRequest checks what a person typed into a new request.
func validRequest(q tandem.Request) error {
	var problems []string
	switch {
	case !slices.Contains(tandem.RequestTypes, q.Type):
		problems = append(problems, "type: "+strconv.Quote(q.Type)+" is not support, change or onboarding")
	case q.Title == "":
		problems = append(problems, "title: required")
	case q.Size != tandem.SizeSmall && q.Size != tandem.SizeLarge:
		problems = append(problems, "size: "+strconv.Quote(q.Size)+" is not small or large")
	}
	if q.NeededBy != "" {
		if _, err := time.Parse(time.DateOnly, q.NeededBy); err != nil {
			problems = append(problems, "needed_by: "+strconv.Quote(q.NeededBy)+" is not a date (YYYY-MM-DD)")
		}
	}
	if len(problems) > 0 {
		return tandem.Errorf(tandem.EINVALID, "request %s", problems[0])
	}
	return nil
}

func requestAbout(q tandem.Request) subject { return subject{Teams: []string{q.FromTeam}} }

func (s *Server) handleCreateRequest(w http.ResponseWriter, r *http.Request, q tandem.Request) {
	if q.Size == "" {
		q.Size = tandem.SizeSmall
	}
	if err := validRequest(q); err != nil {
		s.writeError(w, r, err)
		return
	}
	by, err := s.actor(r, q.CreatedBy, q.FromTeam)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q.CreatedBy = by
	out, err := s.store.CreateRequest(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) handleRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := tandem.RequestFilter{Platform: q.Get("platform"), FromTeam: q.Get("team"), State: q.Get("state")}
	if r.PathValue("id") != "" {
		id, ok := s.pathID(w, r, "request")
		if !ok {
			return
		}
		f.ID = id
	}
	list(s, w, r, func(string) ([]tandem.Request, error) { return s.store.FindRequests(r.Context(), f) })
}

func (s *Server) handleUpdateRequest(w http.ResponseWriter, r *http.Request, u tandem.RequestUpdate) {
	id, ok := s.pathID(w, r, "request")
	if !ok {
		return
	}
	by, err := s.actor(r, u.By)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u.By = by
	out, err := s.store.UpdateRequest(r.Context(), id, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func engagementAbout(e tandem.Engagement) subject {
	return subject{Teams: []string{e.HomeTeam, e.HostTeam}}
}

func (s *Server) handleCreateEngagement(w http.ResponseWriter, r *http.Request, e tandem.Engagement) {
	if !slices.Contains(tandem.EngagementTypes, e.Type) {
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "engagement type %q is not tour-of-duty, embedded-expert or white-glove", e.Type))
		return
	}
	if e.Starts == "" {
		e.Starts = time.Now().UTC().Format(time.DateOnly)
	}
	if e.Ends == "" {
		ends, err := consumption.DefaultEnds(e.Starts)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		e.Ends = ends
	}
	if err := consumption.ValidateTimeBox(e.Starts, e.Ends); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.CreateEngagement(r.Context(), e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out.Warnings = nonNilStrings(consumption.EngagementWarnings(out, time.Now().UTC()))
	writeJSON(w, http.StatusCreated, out)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) handleEngagement(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "engagement")
	if !ok {
		return
	}
	es, err := s.store.FindEngagements(r.Context(), tandem.EngagementFilter{ID: id})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	es[0].Warnings = nonNilStrings(consumption.EngagementWarnings(es[0], time.Now().UTC()))
	writeJSON(w, http.StatusOK, es)
}

func (s *Server) handleLogWork(w http.ResponseWriter, r *http.Request, l tandem.WorkLog) {
	id, ok := s.pathID(w, r, "engagement")
	if !ok {
		return
	}
	if l.Day == "" {
		l.Day = time.Now().UTC().Format(time.DateOnly)
	}
	switch _, err := time.Parse(time.DateOnly, l.Day); {
	case err != nil:
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "day: %q is not a date (YYYY-MM-DD)", l.Day))
		return
	case l.Hours <= 0 || l.Hours > 24:
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "hours: %g is not between 0 and 24", l.Hours))
		return
	case !slices.Contains(tandem.WorkCategories, l.Category):
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "category: %q is not platform, consumption or other", l.Category))
		return
	}
	by, err := s.actor(r, l.By)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l.By = by
	out, err := s.store.LogWork(r.Context(), id, l)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// ByRequest names who acts, for changes without another body.
type ByRequest struct {
	By string `json:"by"`
}

func (s *Server) handleEndEngagement(w http.ResponseWriter, r *http.Request, b ByRequest) {
	s.changeEngagement(w, r, b.By, func(id int64, by string) (tandem.Engagement, error) {
		return s.store.EndEngagement(r.Context(), id, by)
	})
}

// StaffRequest names the person of a proposed engagement.
type StaffRequest struct {
	Person string `json:"person"`
	By     string `json:"by"`
}

// WithdrawRequest withdraws a proposed engagement or an announced support
// change, saying why.
type WithdrawRequest struct {
	Reason string `json:"reason"`
	By     string `json:"by"`
}

func (s *Server) handleStaffEngagement(w http.ResponseWriter, r *http.Request, b StaffRequest) {
	s.changeEngagement(w, r, b.By, func(id int64, by string) (tandem.Engagement, error) {
		return s.store.StaffEngagement(r.Context(), id, b.Person, by)
	})
}

func (s *Server) handleStartEngagement(w http.ResponseWriter, r *http.Request, b ByRequest) {
	s.changeEngagement(w, r, b.By, func(id int64, by string) (tandem.Engagement, error) {
		return s.store.StartEngagement(r.Context(), id, by)
	})
}

func (s *Server) handleWithdrawEngagement(w http.ResponseWriter, r *http.Request, b WithdrawRequest) {
	s.changeEngagement(w, r, b.By, func(id int64, by string) (tandem.Engagement, error) {
		return s.store.WithdrawEngagement(r.Context(), id, b.Reason, by)
	})
}

// changeEngagement makes a change to the engagement of the path as the
// person acting (the token's, or the one an admin names) and answers the
// engagement as it left it.
func (s *Server) changeEngagement(w http.ResponseWriter, r *http.Request, claimed string, change func(id int64, by string) (tandem.Engagement, error)) {
	id, ok := s.pathID(w, r, "engagement")
	if !ok {
		return
	}
	by, err := s.actor(r, claimed)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := change(id, by)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out.Warnings = nonNilStrings(consumption.EngagementWarnings(out, time.Now().UTC()))
	writeJSON(w, http.StatusOK, out)
}

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
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, tandem.Errorf(tandem.ENOTFOUND, "engagement %q not found", r.PathValue("id")))
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

func sessionAbout(ss tandem.Session) subject { return subject{Platform: ss.Platform} }

func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request, ss tandem.Session) {
	if ss.Kind != tandem.SessionOfficeHours && ss.Kind != tandem.SessionCommunity {
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "session kind %q is not office-hours or community", ss.Kind))
		return
	}
	if ss.At.IsZero() {
		ss.At = time.Now().UTC()
	}
	out, err := s.store.CreateSession(r.Context(), ss)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]tandem.Session, error) {
		return s.store.FindSessions(r.Context(), r.URL.Query().Get("platform"))
	})
}

// DefaultSupportNotice is how long before it takes effect a support model
// change must be announced, when the platform sets no notice.
const DefaultSupportNotice = 28 * 24 * time.Hour

func (s *Server) handleAnnounceSupport(w http.ResponseWriter, r *http.Request, c tandem.SupportChange) {
	ctx := r.Context()
	ps, err := s.store.FindPlatforms(ctx, r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := ps[0]
	c.Platform = p.Name
	notice := DefaultSupportNotice
	if p.SupportNotice != "" {
		if notice, err = tandem.ParseDuration(p.SupportNotice); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	effective, err := time.Parse(time.DateOnly, c.Effective)
	earliest := time.Now().UTC().Add(notice).Truncate(24 * time.Hour)
	switch {
	case !slices.Contains(tandem.SupportModels, c.To):
		err = tandem.Errorf(tandem.EINVALID, "to: %q is not a support model", c.To)
	case c.To == p.Support:
		err = tandem.Errorf(tandem.EINVALID, "to: %s is already %s's support model", c.To, p.Name)
	case err != nil:
		err = tandem.Errorf(tandem.EINVALID, "effective: %q is not a date (YYYY-MM-DD)", c.Effective)
	case effective.Before(earliest):
		err = tandem.Errorf(tandem.EINVALID, "effective: %s gives consumers less than the %s notice; the earliest is %s",
			c.Effective, noticeText(notice), earliest.Format(time.DateOnly))
	case c.Announcement == "":
		err = tandem.Errorf(tandem.EINVALID, "announcement: required: say how support changes and why")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	teams, err := s.consumingTeams(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if c.By, err = s.actor(r, c.By, p.Owner); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.AnnounceSupportChange(ctx, c, teams)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// handleWithdrawSupport withdraws an announced support change of the
// platform of the path before it takes effect.
func (s *Server) handleWithdrawSupport(w http.ResponseWriter, r *http.Request, b WithdrawRequest) {
	id, ok := s.pathID(w, r, "support change")
	if !ok {
		return
	}
	name := r.PathValue("name")
	ps, err := s.store.FindPlatforms(r.Context(), name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	by, err := s.actor(r, b.By, ps[0].Owner)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.WithdrawSupportChange(r.Context(), ps[0].Name, id, b.Reason, by)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func noticeText(d time.Duration) string {
	return strconv.Itoa(int(d.Hours()/24)) + "-day"
}

// consumingTeams are the teams that use a platform: adopters, requesters,
// and hosts of its engagements, never its owner.
func (s *Server) consumingTeams(r *http.Request, p tandem.Platform) ([]string, error) {
	ctx := r.Context()
	seen := map[string]bool{}
	as, err := s.adoption(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	for _, t := range as[0].Teams {
		seen[t] = true
	}
	reqs, err := s.store.FindRequests(ctx, tandem.RequestFilter{Platform: p.Name})
	if err != nil {
		return nil, err
	}
	for _, q := range reqs {
		seen[q.FromTeam] = true
	}
	es, err := s.store.FindEngagements(ctx, tandem.EngagementFilter{Platform: p.Name})
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		seen[e.HostTeam] = true
	}
	delete(seen, p.Owner)
	teams := make([]string, 0, len(seen))
	for t := range seen {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	return teams, nil
}

func (s *Server) handleSupportHistory(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.SupportChange, error) {
		if _, err := s.store.FindPlatforms(r.Context(), name); err != nil {
			return nil, err
		}
		return s.store.FindSupportChanges(r.Context(), name)
	})
}

// PlatformLoad is a platform's consumption figures: hands-on load, the
// request backlog and lead times.
type PlatformLoad struct {
	Platform  string                       `json:"platform"`
	Support   string                       `json:"support"`
	Load      consumption.Load             `json:"load"`
	Backlog   consumption.Backlog          `json:"backlog"`
	LeadTimes consumption.RequestLeadTimes `json:"lead_times"`
	Sessions  int                          `json:"sessions"`
	Warnings  []string                     `json:"warnings"`
}

func (s *Server) handlePlatformLoad(w http.ResponseWriter, r *http.Request) {
	out, err := s.platformLoad(r, r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// platformLoad gathers a platform's consumption figures.
func (s *Server) platformLoad(r *http.Request, name string) (PlatformLoad, error) {
	ctx := r.Context()
	ps, err := s.store.FindPlatforms(ctx, name)
	if err != nil {
		return PlatformLoad{}, err
	}
	reqs, err := s.store.FindRequests(ctx, tandem.RequestFilter{Platform: name})
	if err != nil {
		return PlatformLoad{}, err
	}
	es, err := s.store.FindEngagements(ctx, tandem.EngagementFilter{Platform: name})
	if err != nil {
		return PlatformLoad{}, err
	}
	as, err := s.adoption(ctx, name)
	if err != nil {
		return PlatformLoad{}, err
	}
	sessions, err := s.store.FindSessions(ctx, name)
	if err != nil {
		return PlatformLoad{}, err
	}
	now := time.Now().UTC()
	out := PlatformLoad{Platform: name, Support: ps[0].Support, Sessions: len(sessions),
		Load:      consumption.PlatformLoad(name, reqs, es, as[0].Trend, 6, now),
		Backlog:   consumption.PlatformBacklog(reqs, now),
		LeadTimes: consumption.LeadTimes(reqs), Warnings: []string{}}
	if out.Load.Warning != "" {
		out.Warnings = append(out.Warnings, out.Load.Warning)
	}
	if out.Backlog.Bottleneck {
		out.Warnings = append(out.Warnings, name+" is a bottleneck: its median request backlog age grew every week for four weeks")
	}
	for _, e := range es {
		for _, warn := range consumption.EngagementWarnings(e, now) {
			out.Warnings = append(out.Warnings, "engagement "+strconv.FormatInt(e.ID, 10)+" ("+e.Person+" at "+e.HostTeam+"): "+warn)
		}
	}
	return out, nil
}

func (s *Server) handleInteractions(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]consumption.Interaction, error) { return s.interactions(r) })
}

// interactions derives how every pair of teams works together now.
func (s *Server) interactions(r *http.Request) ([]consumption.Interaction, error) {
	ctx := r.Context()
	var in consumption.InteractionInput
	var err error
	if in.Platforms, err = s.store.FindPlatforms(ctx, ""); err != nil {
		return nil, err
	}
	if in.Adoption, err = s.adoption(ctx, ""); err != nil {
		return nil, err
	}
	if in.Requests, err = s.store.FindRequests(ctx, tandem.RequestFilter{}); err != nil {
		return nil, err
	}
	if in.Engagements, err = s.store.FindEngagements(ctx, tandem.EngagementFilter{}); err != nil {
		return nil, err
	}
	if in.Sessions, err = s.store.FindSessions(ctx, ""); err != nil {
		return nil, err
	}
	out := consumption.Interactions(in, time.Now().UTC())
	if out == nil {
		out = []consumption.Interaction{}
	}
	return out, nil
}

func contributionAbout(c tandem.Contribution) subject {
	return subject{Codebase: c.Codebase, Person: c.Author}
}

func (s *Server) handleRecordContribution(w http.ResponseWriter, r *http.Request, c tandem.Contribution) {
	if !slices.Contains([]string{"", tandem.ContributionOpen, tandem.ContributionMerged, tandem.ContributionClosed}, c.State) {
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "state: %q is not open, merged or closed", c.State))
		return
	}
	out, err := s.store.RecordContribution(r.Context(), c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// StateRequest changes the state of something.
type StateRequest struct {
	State string `json:"state"`
}

func (s *Server) handleUpdateContribution(w http.ResponseWriter, r *http.Request, q StateRequest) {
	id, ok := s.pathID(w, r, "contribution")
	if !ok {
		return
	}
	if !slices.Contains([]string{tandem.ContributionOpen, tandem.ContributionMerged, tandem.ContributionClosed, tandem.ContributionReverted}, q.State) {
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "state: %q is not open, merged, closed or reverted", q.State))
		return
	}
	out, err := s.store.UpdateContribution(r.Context(), id, q.State)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleContributions(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]tandem.Contribution, error) {
		return s.store.FindContributions(r.Context(), r.URL.Query().Get("codebase"))
	})
}

func (s *Server) handleContributors(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.Contributor, error) { return s.contributors(r, name) })
}

// contributors is a codebase's trust ladder, with the rung of the platform
// that lists the codebase.
func (s *Server) contributors(r *http.Request, name string) ([]tandem.Contributor, error) {
	ctx := r.Context()
	cbs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: name})
	if err != nil {
		return nil, err
	}
	xs, err := s.store.FindContributions(ctx, name)
	if err != nil {
		return nil, err
	}
	ladder := 0
	platforms, err := s.store.FindPlatforms(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, p := range platforms {
		if slices.Contains(p.Codebases, name) {
			ladder = p.TrustLadder
		}
	}
	return consumption.Contributors(cbs[0], xs, ladder), nil
}

// TrustRequest grants a contributor the commit bit.
type TrustRequest struct {
	Person string `json:"person"`
	By     string `json:"by"`
}

func (s *Server) handleGrantTrust(w http.ResponseWriter, r *http.Request, q TrustRequest) {
	by, err := s.actor(r, q.By)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.store.GrantTrust(r.Context(), r.PathValue("name"), q.Person, by)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleReadiness(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]consumption.Readiness, error) { return s.readiness(r, name) })
}

// readiness scores every codebase of a platform for outside contributions.
func (s *Server) readiness(r *http.Request, name string) ([]consumption.Readiness, error) {
	ctx := r.Context()
	ps, err := s.store.FindPlatforms(ctx, name)
	if err != nil {
		return nil, err
	}
	out := []consumption.Readiness{}
	for _, cb := range ps[0].Codebases {
		cbs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: cb})
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			continue // declared, not discovered yet
		} else if err != nil {
			return nil, err
		}
		if cbs[0].GoneAt != nil {
			continue // gone from its host: nothing to make ready
		}
		results, err := s.store.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: cb})
		if err != nil {
			return nil, err
		}
		xs, err := s.store.FindContributions(ctx, cb)
		if err != nil {
			return nil, err
		}
		out = append(out, consumption.CodebaseReadiness(cbs[0], results, xs))
	}
	return out, nil
}
