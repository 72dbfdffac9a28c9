package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	// Guarded are the backsliding guard's latest verdicts on pull
	// requests, newest first: at most shownGuardReports.
	Guarded []tandem.GuardReport
	// Stats are the campaign's analytics, shown on its page up to
	// changesBound targets (nil above: the page links to them).
	Stats    *statsData
	Targets  []tandem.Target
	Matching int
	State    string
	Team     string
	Pager    targetPager
	States   []string
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
	d := campaignData{Migration: ms[0], State: q.Get("state"), Team: q.Get("team"), States: tandem.TargetStates}
	key, err := readTargetKey(q)
	if err != nil {
		return d, err
	}
	st, err := s.store.TargetStats(ctx, ms[0].Name)
	if err != nil {
		return d, err
	}
	d.Counts = st.Counts()
	for team, counts := range st.ByTeam {
		row := teamRow{Team: team, Counts: counts}
		for state, n := range counts {
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
	tickets, err := s.store.FindTickets(ctx, tandem.TicketFilter{Migration: ms[0].Name, NoComments: true})
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
	if d.Total <= changesBound {
		st, err := s.campaigns.Stats(ctx, ms[0].Name, 0)
		if err != nil {
			return d, err
		}
		page := statsPage(st)
		d.Stats = &page
	}
	if d.Guarded, err = s.store.FindGuardReports(ctx, tandem.GuardReportFilter{Migration: ms[0].Name, Limit: shownGuardReports}); err != nil {
		return d, err
	}
	d.Targets, d.Matching, d.Pager, err = s.targetPage(ctx, tandem.TargetQuery{Migration: ms[0].Name, State: d.State, Team: d.Team}, key)
	return d, err
}

// shownGuardReports is how many of the guard's latest verdicts the
// campaign page shows; the API lists more.
const shownGuardReports = 10

// stateParts are a campaign's counts in the order of progress, for bars.
func stateParts(counts map[string]int) []BarPart {
	var parts []BarPart
	for _, st := range []string{tandem.TargetDone, tandem.TargetExempt, tandem.TargetGone, tandem.TargetPROpen, tandem.TargetTourProposed, tandem.TargetTicketed, tandem.TargetPending, tandem.TargetUnowned} {
		parts = append(parts, BarPart{Name: st, Value: counts[st]})
	}
	return parts
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

// targetKey is where a campaign page's targets start: after a codebase,
// before one, at the end (the last page), or at the start when none is
// given. A page number (page) is kept for the links made before pages
// were keyed by codebase: 1 is the first page, and the number of the
// last page the last.
type targetKey struct {
	after, before string
	last          bool
	page          int
}

// maxKeyBytes bounds a codebase a page's ?after= or ?before= names.
const maxKeyBytes = 1024

// maxPage is the highest page number a page accepts: a hundred million
// targets.
const maxPage = 1_000_000

// readTargetKey reads a campaign page's ?after=, ?before=, ?last= or
// ?page=; EINVALID, naming the parameter, for a value that is no
// codebase name, boolean or page number, or for more than one of them.
func readTargetKey(q url.Values) (targetKey, error) {
	var k targetKey
	var given []string
	for _, name := range []string{"after", "before", "last", "page"} {
		if q.Get(name) != "" {
			given = append(given, name)
		}
	}
	if len(given) > 1 {
		return k, tandem.Errorf(tandem.EINVALID, "%s: give one of after, before, last and page, not %s", given[1], strings.Join(given, " and "))
	}
	var err error
	if k.after, err = codebaseKey("after", q.Get("after")); err != nil {
		return k, err
	}
	if k.before, err = codebaseKey("before", q.Get("before")); err != nil {
		return k, err
	}
	if v := q.Get("last"); v != "" {
		if k.last, err = strconv.ParseBool(v); err != nil {
			return k, tandem.Errorf(tandem.EINVALID, "last: %q is not true or false", v)
		}
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			return k, tandem.Errorf(tandem.EINVALID, "page: %q is not a page number from 1 to %d", v, maxPage)
		}
		k.page = n
	}
	return k, nil
}

// codebaseKey returns v, the codebase a page's parameter name keys on;
// EINVALID when it cannot be a codebase's name.
func codebaseKey(name, v string) (string, error) {
	if len(v) > maxKeyBytes || !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
		return "", tandem.Errorf(tandem.EINVALID, "%s: %.40q is not a codebase name (at most %d bytes of printable text)", name, v, maxKeyBytes)
	}
	return v, nil
}

// targetPager says where a campaign page's targets are among those that
// match, and which links lead to the others. Positions and page numbers
// are known at either end only: a page keyed by codebase does not count
// the targets before it.
type targetPager struct {
	// AtFirst and AtLast say that no target matches before, or after,
	// those shown.
	AtFirst, AtLast bool
	// From and To are the positions of the first and last target shown,
	// 0 when not known.
	From, To int
	// Page is the page's number (1, or Pages at the end), 0 when not
	// known; Pages is how many pages of pageSize the matching fill.
	Page, Pages int
	// Prev and Next are the codebases the previous page ends before and
	// the next starts after, "" when there is no such page.
	Prev, Next string
}

// targetPage reads the page of the targets q selects that key asks for,
// and how many q selects in all. It reads a target more than a page in
// the page's direction, to know whether another page follows, and looks
// for one target the other way when the page is keyed by a codebase.
func (s *Server) targetPage(ctx context.Context, q tandem.TargetQuery, key targetKey) ([]tandem.Target, int, targetPager, error) {
	if key.page > 1 {
		var err error
		if key, err = s.numberedPage(ctx, q, key.page); err != nil {
			return nil, 0, targetPager{}, err
		}
	}
	q.After, q.Before, q.Last, q.Limit = key.after, key.before, key.last, pageSize+1
	targets, total, err := s.store.FindTargetPage(ctx, q)
	if err != nil {
		return nil, 0, targetPager{}, err
	}
	backward := key.before != "" || key.last
	more := len(targets) > pageSize
	switch {
	case more && backward:
		targets = targets[1:]
	case more:
		targets = targets[:pageSize]
	}
	p := targetPager{Pages: max(1, (total+pageSize-1)/pageSize)}
	if backward {
		p.AtFirst, p.AtLast = !more, key.last
	} else {
		p.AtFirst, p.AtLast = key.after == "", !more
	}
	if len(targets) == 0 && (key.after != "" || key.before != "") {
		// Past either end: the links lead back to both.
		p.AtFirst, p.AtLast = total == 0, total == 0
	}
	if len(targets) == 0 {
		return targets, total, p, nil
	}
	if key.after != "" || key.before != "" {
		if err := s.lookBeyond(ctx, q, targets, backward, &p); err != nil {
			return nil, 0, p, err
		}
	}
	p.place(targets, total)
	return targets, total, p, nil
}

// lookBeyond settles whether a target matches on the side of a keyed
// page it did not read: before its first target for a page read forward
// (after a codebase), after its last for one read backward.
func (s *Server) lookBeyond(ctx context.Context, q tandem.TargetQuery, targets []tandem.Target, backward bool, p *targetPager) error {
	q.After, q.Before, q.Last, q.Limit = "", "", false, 1
	if backward {
		q.After = targets[len(targets)-1].Address()
	} else {
		q.Before = targets[0].Address()
	}
	beyond, _, err := s.store.FindTargetPage(ctx, q)
	if backward {
		p.AtLast = len(beyond) == 0
	} else {
		p.AtFirst = len(beyond) == 0
	}
	return err
}

// place sets the positions, page number and links of a page of targets
// out of total.
func (p *targetPager) place(targets []tandem.Target, total int) {
	switch {
	case p.AtFirst:
		p.From, p.To, p.Page = 1, len(targets), 1
	case p.AtLast:
		p.From, p.To, p.Page = total-len(targets)+1, total, p.Pages
	}
	if !p.AtFirst {
		p.Prev = targets[0].Address()
	}
	if !p.AtLast {
		p.Next = targets[len(targets)-1].Address()
	}
}

// numberedPage returns the key of page n of the targets q selects: the
// last page when n is its number. A page past the last is ENOTFOUND; one
// between the first and the last is EINVALID, the page being keyed by
// codebase now.
func (s *Server) numberedPage(ctx context.Context, q tandem.TargetQuery, n int) (targetKey, error) {
	q.Limit = 1
	_, total, err := s.store.FindTargetPage(ctx, q)
	if err != nil {
		return targetKey{}, err
	}
	pages := max(1, (total+pageSize-1)/pageSize)
	switch {
	case n > pages:
		return targetKey{}, tandem.Errorf(tandem.ENOTFOUND, "page %d not found: %d targets fill %d pages", n, total, pages)
	case n < pages:
		return targetKey{}, tandem.Errorf(tandem.EINVALID, "page: %d is neither the first page nor the last (%d): follow the page's links, which key pages by codebase", n, pages)
	}
	return targetKey{last: true}, nil
}
