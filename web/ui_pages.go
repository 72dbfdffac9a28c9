package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/consumption"
)

// pageSize is how many targets a campaign page lists at once.
const pageSize = 100

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

// stateParts are a campaign's counts in the order of progress, for bars.
func stateParts(counts map[string]int) []BarPart {
	var parts []BarPart
	for _, st := range []string{tandem.TargetDone, tandem.TargetExempt, tandem.TargetGone, tandem.TargetPROpen, tandem.TargetTourProposed, tandem.TargetTicketed, tandem.TargetPending, tandem.TargetUnowned} {
		parts = append(parts, BarPart{Name: st, Value: counts[st]})
	}
	return parts
}

// platformData is a platform's page.
type platformData struct {
	Platform     tandem.Platform
	Adoption     tandem.Adoption
	Chart        template.HTML
	Campaigns    []CampaignSummary
	Load         PlatformLoad
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

// campaignData is a campaign's page.
type campaignData struct {
	Migration tandem.Migration
	Counts    map[string]int
	Total     int
	Open      int
	Bar       template.HTML
	Burndown  template.HTML
	Teams     []teamRow
	Tickets   map[string]tandem.Ticket // by team
	Proposals []proposalRow            // its Tours of Duty
	Targets   []tandem.Target
	Matching  int
	State     string
	Team      string
	Page      int
	Pages     int
	States    []string
}

type teamRow struct {
	Team   string
	Total  int
	Open   int
	Counts map[string]int
}

func (s *Server) handleCampaignPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.campaignPage(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "campaign", d.Migration.Name, d)
}

// campaignPage gathers a campaign's page from aggregates and one page of
// targets, so that it stays fast with tens of thousands of targets.
func (s *Server) campaignPage(r *http.Request) (campaignData, error) {
	ctx := r.Context()
	ms, err := s.store.FindMigrations(ctx, r.PathValue("name"))
	if err != nil {
		return campaignData{}, err
	}
	q := r.URL.Query()
	d := campaignData{Migration: ms[0], Counts: map[string]int{}, State: q.Get("state"), Team: q.Get("team"), States: tandem.TargetStates}
	if d.Page, err = pageNumber(q.Get("page")); err != nil {
		return d, err
	}
	st, err := s.store.TargetStats(ctx, ms[0].Name)
	if err != nil {
		return d, err
	}
	for team, counts := range st.ByTeam {
		row := teamRow{Team: team, Counts: counts}
		for state, n := range counts {
			d.Counts[state] += n
			row.Total += n
			if tandem.TargetOpen(state) {
				row.Open += n
			}
		}
		d.Teams = append(d.Teams, row)
	}
	slices.SortFunc(d.Teams, func(a, b teamRow) int { return strings.Compare(a.Team, b.Team) })
	for _, t := range d.Teams {
		d.Total += t.Total
		d.Open += t.Open
	}
	d.Bar = ProgressBar(ms[0].Name+" progress", stateParts(d.Counts))
	tickets, err := s.store.FindTickets(ctx, tandem.TicketFilter{Migration: ms[0].Name})
	if err != nil {
		return d, err
	}
	if d.Burndown, err = s.burndownChart(r, ms[0], d.Total, st.Days, tickets); err != nil {
		return d, err
	}
	d.Tickets = map[string]tandem.Ticket{}
	for _, t := range tickets {
		d.Tickets[t.Team] = t
	}
	if d.Proposals, err = s.campaignProposals(r, ms[0].Name); err != nil {
		return d, err
	}
	d.Targets, d.Matching, err = s.store.FindTargetPage(ctx, tandem.TargetQuery{Migration: ms[0].Name, State: d.State, Team: d.Team,
		Offset: (d.Page - 1) * pageSize, Limit: pageSize})
	d.Pages = max(1, (d.Matching+pageSize-1)/pageSize)
	if err == nil && d.Page > d.Pages {
		err = tandem.Errorf(tandem.ENOTFOUND, "page %d not found: %d targets fill %d pages", d.Page, d.Matching, d.Pages)
	}
	return d, err
}

// maxPage is the highest page number a page accepts: a hundred million
// targets, far below what overflows an offset.
const maxPage = 1_000_000

// pageNumber reads a ?page= value: 1 when there is none, EINVALID when
// it is not a number from 1 to maxPage.
func pageNumber(v string) (int, error) {
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPage {
		return 0, tandem.Errorf(tandem.EINVALID, "page: %q is not a page number from 1 to %d", v, maxPage)
	}
	return n, nil
}

// changesBound is the number of targets up to which a campaign's
// burndown is drawn from the targets' own times, a point each time the
// number open changed; above it, from the counts kept by day, so that the
// page's cost stays bounded.
const changesBound = 2000

// burndownChart draws a campaign's burndown: the targets open after each
// change, the ideal line from launch (the first ticket filed, else the
// first target found) to none at the deadline, and the deadline.
func (s *Server) burndownChart(r *http.Request, m tandem.Migration, total int, days []tandem.DayCount, tickets []tandem.Ticket) (template.HTML, error) {
	var changes []campaign.Change
	if total <= changesBound {
		targets, err := s.store.FindTargets(r.Context(), m.Name)
		if err != nil {
			return "", err
		}
		changes = campaign.Changes(targets)
	} else {
		changes = campaign.DayChanges(days)
	}
	var launch time.Time
	for _, t := range tickets {
		if launch.IsZero() || t.CreatedAt.Before(launch) {
			launch = t.CreatedAt
		}
	}
	open := make([]DayValue, len(changes))
	for i, c := range changes {
		open[i] = DayValue{At: c.At, Value: c.Open}
	}
	var ideal []DayValue
	for _, c := range campaign.Ideal(changes, launch, m.Deadline) {
		ideal = append(ideal, DayValue{At: c.At, Value: c.Open})
	}
	idealName := "ideal: launch to none at the deadline"
	if launch.IsZero() {
		idealName = "ideal: first found to none at the deadline"
	}
	series := []Series{{Name: "open targets", Unit: "open targets", Points: open, Changes: true}}
	if len(ideal) > 0 {
		series = append(series, Series{Name: idealName, Points: ideal, Ideal: true})
	}
	return LineChart{Title: "Open targets of " + m.Name + " against the ideal burndown", Series: series,
		Marker: m.Deadline, MarkerLabel: "deadline", Now: time.Now().UTC()}.SVG(), nil
}

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

// codebaseData is a codebase's page.
type codebaseData struct {
	Codebase tandem.Codebase
	Results  []tandem.CheckResult
	Targets  []tandem.Target
}

func (s *Server) handleCodebasePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: r.PathValue("name")})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := codebaseData{Codebase: cs[0]}
	if d.Results, err = s.store.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: cs[0].Name}); err != nil {
		s.renderError(w, r, err)
		return
	}
	ms, err := s.store.FindMigrations(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, m := range ms {
		targets, err := s.store.FindTargets(ctx, m.Name)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, t := range targets {
			if t.Codebase == cs[0].Name {
				d.Targets = append(d.Targets, t)
			}
		}
	}
	s.render(w, r, "codebase", cs[0].Name, d)
}

// searchData is what a search found, by kind.
type searchData struct {
	Query     string
	Teams     []string
	Codebases []string
	Platforms []string
	Campaigns []string
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	d := searchData{Query: q}
	match := func(ss ...string) bool {
		for _, s := range ss {
			if q != "" && strings.Contains(strings.ToLower(s), q) {
				return true
			}
		}
		return false
	}
	teams, err := s.store.FindTeams(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, t := range teams {
		if match(append([]string{t.Name}, t.Aliases...)...) {
			d.Teams = append(d.Teams, t.Name)
		}
	}
	codebases, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, c := range codebases {
		if match(c.Name) {
			d.Codebases = append(d.Codebases, c.Name)
		}
	}
	platforms, err := s.store.FindPlatforms(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, p := range platforms {
		if match(p.Name) {
			d.Platforms = append(d.Platforms, p.Name)
		}
	}
	ms, err := s.store.FindMigrations(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, m := range ms {
		if match(m.Name, m.Title) {
			d.Campaigns = append(d.Campaigns, m.Name)
		}
	}
	s.render(w, r, "search", "Search", d)
}

func (s *Server) handleTicketPage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, tandem.Errorf(tandem.ENOTFOUND, "ticket %q not found", r.PathValue("id")))
		return
	}
	ts, err := s.store.FindTickets(r.Context(), tandem.TicketFilter{ID: id})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "ticket", ts[0].Title, ts[0])
}

func (s *Server) handleChangePage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, tandem.Errorf(tandem.ENOTFOUND, "change request %q not found", r.PathValue("id")))
		return
	}
	crs, err := s.store.FindChangeRequests(r.Context(), "", id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d, err := s.changePage(r, crs[0])
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "change", crs[0].Title, d)
}

// changeData is a change request's page: what it changes, and whether the
// person signed in may approve it.
type changeData struct {
	tandem.ChangeRequest
	Owner string // the team owning the codebase
	Diff  tandem.ChangeDiff
	// NoDiff says why no diff is shown, "" when one is.
	NoDiff string
	// Approve says that the person signed in may approve the change;
	// AsAdmin that they approve as an admin, naming someone of Owner.
	Approve bool
	AsAdmin bool
	// AutoMerge says that Tandem merges the change once approved.
	AutoMerge bool
	// PullRequest is the change's pull request on its code host, "" on
	// a local one.
	PullRequest string
}

// changePage gathers a change request's page, with its diff.
func (s *Server) changePage(r *http.Request, cr tandem.ChangeRequest) (changeData, error) {
	ctx := r.Context()
	d := changeData{ChangeRequest: cr}
	cbs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: cr.Codebase})
	if err != nil {
		return d, err
	}
	c := cbs[0]
	if c.Owner != nil {
		d.Owner = *c.Owner
	}
	d.AutoMerge = c.AutoMerge && c.Contributions != tandem.Closed
	if strings.HasPrefix(cr.URL, "https://") || strings.HasPrefix(cr.URL, "http://") {
		d.PullRequest = cr.URL
	}
	if d.Diff, d.NoDiff, err = s.campaigns.ChangeDiff(ctx, c, cr); err != nil {
		s.logger.Warn("change request diff", "change_request", cr.ID, "err", err)
	}
	who, ok := tokenOf(r)
	switch {
	case !ok || cr.State != tandem.ChangeOpen || cr.ApprovedBy != "" || d.Owner == "":
	case who.Role == tandem.RoleAdmin:
		d.Approve, d.AsAdmin = true, true
	case who.Role != tandem.RoleViewer:
		teams, err := s.teamsOf(ctx, who.Person)
		if err != nil {
			return d, err
		}
		d.Approve = slices.Contains(teams, d.Owner)
	}
	return d, nil
}

// codebasesData is the codebase list: the codebases scans found, and the
// Codebase documents that name none of them, shown apart as warnings.
type codebasesData struct {
	Codebases    []tandem.Codebase
	Undiscovered []tandem.Codebase
}

func (s *Server) handleCodebasesPage(w http.ResponseWriter, r *http.Request) {
	gone, _ := strconv.ParseBool(r.URL.Query().Get("gone")) // as the API reads it; anything else: the present ones
	cs, err := s.store.FindCodebases(r.Context(), tandem.CodebaseFilter{Owner: r.URL.Query().Get("owner"), Gone: gone, Declared: !gone})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var d codebasesData
	for _, c := range cs {
		if c.Host == "" {
			d.Undiscovered = append(d.Undiscovered, c)
		} else {
			d.Codebases = append(d.Codebases, c)
		}
	}
	s.render(w, r, "codebases", "Codebases", d)
}
