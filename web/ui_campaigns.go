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
)

// pageSize is how many targets a campaign page lists at once.
const pageSize = 100

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

// stateParts are a campaign's counts in the order of progress, for bars.
func stateParts(counts map[string]int) []BarPart {
	var parts []BarPart
	for _, st := range []string{tandem.TargetDone, tandem.TargetExempt, tandem.TargetGone, tandem.TargetPROpen, tandem.TargetTourProposed, tandem.TargetTicketed, tandem.TargetPending, tandem.TargetUnowned} {
		parts = append(parts, BarPart{Name: st, Value: counts[st]})
	}
	return parts
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
