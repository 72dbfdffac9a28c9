package campaign

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	tandem "github.com/tandem-dev/tandem"
)

// Lead-time patterns: how a finished target got done.
const (
	PatternFileATicket = "file-a-ticket" // by its owners, on their ticket
	PatternPullRequest = "pull-request"  // through the platform team's change request
)

// Unowned is the team ByTeam reports targets under that have no team.
const Unowned = "(unowned)"

// Point is the number of open targets at the end of a day (UTC).
type Point struct {
	Day  string `json:"day"`
	Open int    `json:"open"`
}

// closedAt returns when t stopped being open, or nil when it is open. A
// closed target without the time it closed counts as closed when found.
func closedAt(t tandem.Target) *time.Time {
	if t.Open() {
		return nil
	}
	switch {
	case (t.State == tandem.TargetDone || t.State == tandem.TargetGone) && t.DoneAt != nil:
		return t.DoneAt
	case t.State == tandem.TargetExempt && t.Exemption != nil:
		return &t.Exemption.At
	}
	return &t.FoundAt
}

// Burndown returns, for each day (UTC) from the day the first target was
// found to the day of now, the number of targets open at the end of that
// day: found by then, and neither done or gone (DoneAt) nor exempt
// (Exemption.At) by then. It returns nil when there are no targets or
// none was found by now.
func Burndown(targets []tandem.Target, now time.Time) []Point {
	if len(targets) == 0 {
		return nil
	}
	first := targets[0].FoundAt
	for _, t := range targets[1:] {
		if t.FoundAt.Before(first) {
			first = t.FoundAt
		}
	}
	first = first.UTC()
	day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
	var points []Point
	for ; !day.After(now); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1)
		open := 0
		for _, t := range targets {
			if !t.FoundAt.Before(end) {
				continue
			}
			if c := closedAt(t); c == nil || !c.Before(end) {
				open++
			}
		}
		points = append(points, Point{Day: day.Format(dateLayout), Open: open})
	}
	return points
}

// LeadTime is how many targets were finished by a pattern, and the median
// time they took.
type LeadTime struct {
	Pattern    string        `json:"pattern"`
	Count      int           `json:"count"`
	Median     time.Duration `json:"median_ns"`
	MedianText string        `json:"median"`
}

// LeadTimes returns, for each pattern sorted by name, the number of done
// targets it finished and their median time to done: PatternFileATicket
// for targets done on their ticket without a change request (TicketedAt to
// DoneAt), PatternPullRequest for targets done with one (PROpenedAt to
// DoneAt). Targets missing either time do not count. Both patterns are
// always listed; one that finished none has a zero Count and an empty
// MedianText.
func LeadTimes(targets []tandem.Target) []LeadTime {
	byPattern := map[string][]time.Duration{}
	for _, t := range targets {
		if t.State != tandem.TargetDone || t.DoneAt == nil {
			continue
		}
		switch {
		case t.PROpenedAt != nil:
			byPattern[PatternPullRequest] = append(byPattern[PatternPullRequest], t.DoneAt.Sub(*t.PROpenedAt))
		case t.TicketedAt != nil:
			byPattern[PatternFileATicket] = append(byPattern[PatternFileATicket], t.DoneAt.Sub(*t.TicketedAt))
		}
	}
	var out []LeadTime
	for _, p := range []string{PatternFileATicket, PatternPullRequest} {
		ds := byPattern[p]
		lt := LeadTime{Pattern: p, Count: len(ds)}
		if len(ds) > 0 {
			lt.Median = median(ds)
			lt.MedianText = tandem.DurationText(lt.Median)
		}
		out = append(out, lt)
	}
	return out
}

// median returns the middle of ds, or the mean of its two middles when
// their number is even. ds must not be empty; it is sorted in place.
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return ds[n/2-1] + (ds[n/2]-ds[n/2-1])/2
}

// TeamProgress is how far one team's targets are.
type TeamProgress struct {
	Team   string         `json:"team"`
	Total  int            `json:"total"`
	States map[string]int `json:"states"`
	// Ticket is the team's ticket when all its ticketed targets share one.
	Ticket *tandem.TicketRef `json:"ticket,omitempty"`
}

// teamOf returns the team a target belongs to: the team it was ticketed
// to, else its owner, else "".
func teamOf(t tandem.Target) string {
	if t.Team == "" && t.Owner != nil {
		return *t.Owner
	}
	return t.Team
}

// ByTeam returns, per team sorted by name, how many targets it has in each
// state (states without targets are left out). A target counts under the
// team it was ticketed to, else its owner, else Unowned. Ticket is set
// when all of a team's ticketed targets are on the same ticket, as they
// are when tickets are filed per team.
func ByTeam(targets []tandem.Target) []TeamProgress {
	index := map[string]int{}
	var out []TeamProgress
	shared := map[string]bool{}
	for _, t := range targets {
		team := teamOf(t)
		if team == "" {
			team = Unowned
		}
		i, ok := index[team]
		if !ok {
			i = len(out)
			index[team] = i
			out = append(out, TeamProgress{Team: team, States: map[string]int{}})
			shared[team] = true
		}
		p := &out[i]
		p.Total++
		p.States[t.State]++
		if t.Ticket == nil || !shared[team] {
			continue
		}
		if p.Ticket == nil {
			ref := *t.Ticket
			p.Ticket = &ref
		} else if p.Ticket.ID != t.Ticket.ID || p.Ticket.URL != t.Ticket.URL {
			p.Ticket = nil
			shared[team] = false
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Team < out[j].Team })
	return out
}

// TeamsOf is ByTeam from the counts a store keeps by team and state
// (tandem.TargetStats.ByTeam), with the teams' tickets: Ticket is set
// when a team has one ticket in the campaign.
func TeamsOf(byTeam map[string]map[string]int, tickets []tandem.Ticket) []TeamProgress {
	ticketsOf := map[string][]tandem.Ticket{}
	for _, t := range tickets {
		ticketsOf[t.Team] = append(ticketsOf[t.Team], t)
	}
	out := []TeamProgress{}
	for team, counts := range byTeam {
		p := TeamProgress{Team: team, States: counts}
		for _, n := range counts {
			p.Total += n
		}
		if ts := ticketsOf[team]; team != "" && len(ts) == 1 {
			p.Ticket = &tandem.TicketRef{ID: ts[0].ID, URL: ts[0].URL, State: ts[0].State}
		}
		if team == "" {
			p.Team = Unowned
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b TeamProgress) int { return strings.Compare(a.Team, b.Team) })
	return out
}

// csvHeader is the header row of WriteCSV.
var csvHeader = []string{
	"codebase", "team", "state", "ticket_url", "ticket_state",
	"pull_request_url", "pull_request_state", "evidence",
	"found_at", "ticketed_at", "pr_opened_at", "done_at",
}

// WriteCSV writes targets to w as CSV, a header row then one row per
// target: codebase, team (the team it was ticketed to, else its owner,
// else empty), state, ticket URL and
// state, pull request URL and state, first evidence (path:line), and the
// times found, ticketed, change request opened and done in RFC 3339 (UTC),
// empty when unknown. Every cell that a spreadsheet would read as a
// formula is neutralised (CSVCell). It returns the first error writing to
// w.
func WriteCSV(w io.Writer, targets []tandem.Target) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, t := range targets {
		var ticketURL, ticketState, prURL, prState, evidence string
		if t.Ticket != nil {
			ticketURL, ticketState = t.Ticket.URL, t.Ticket.State
		}
		if t.PullRequest != nil {
			prURL, prState = t.PullRequest.URL, t.PullRequest.State
		}
		if len(t.Evidence) > 0 {
			evidence = t.Evidence[0].String()
		}
		row := []string{
			t.Codebase, teamOf(t), t.State, ticketURL, ticketState,
			prURL, prState, evidence,
			rfc3339(&t.FoundAt), rfc3339(t.TicketedAt), rfc3339(t.PROpenedAt), rfc3339(t.DoneAt),
		}
		for i := range row {
			row[i] = CSVCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// CSVCell returns s as a spreadsheet cell that is never a formula: s
// behind a single quote when it begins with =, +, -, @, a tab or a
// carriage return (OWASP's advice against CSV injection), else s as it is.
// File names, codebase and team names come from other teams' repositories,
// and a cell such as =HYPERLINK(…) would run in whoever opens the export.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// rfc3339 returns t in RFC 3339 (UTC), or "" when t is nil or zero.
func rfc3339(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Change is the number of targets open from At until the next change.
type Change struct {
	At   time.Time `json:"at"`
	Open int       `json:"open"`
}

// Changes returns the number of open targets each time it changed, oldest
// first: a target opens when found (FoundAt) and closes when done or gone
// from its host (DoneAt) or exempted (Exemption.At). The first change is
// the first target found, even when it closed at once. It returns nil
// when there are no targets.
func Changes(targets []tandem.Target) []Change {
	deltas := map[time.Time]int{}
	for _, t := range targets {
		deltas[t.FoundAt.UTC()]++
		if c := closedAt(t); c != nil {
			deltas[c.UTC()]--
		}
	}
	return changesOf(deltas)
}

// DayChanges returns the changes of the number of open targets from the
// counts a store keeps by day (tandem.TargetStats.Days), each at the start
// of its day (UTC): targets done or gone count as closed on the day they
// were done or left their host; exempt ones, whose day of exemption is
// not kept, as never open.
func DayChanges(days []tandem.DayCount) []Change {
	deltas := map[time.Time]int{}
	for _, d := range days {
		found, err := time.Parse(dateLayout, d.Found)
		if err != nil {
			continue
		}
		deltas[found] += d.Count
		switch {
		case d.State == tandem.TargetExempt:
			deltas[found] -= d.Count
		case (d.State == tandem.TargetDone || d.State == tandem.TargetGone) && d.Done != "":
			if done, err := time.Parse(dateLayout, d.Done); err == nil {
				deltas[done] -= d.Count
			}
		}
	}
	return changesOf(deltas)
}

// changesOf returns the running total of deltas by time, keeping the
// first time and each time the total changed.
func changesOf(deltas map[time.Time]int) []Change {
	times := make([]time.Time, 0, len(deltas))
	for t := range deltas {
		times = append(times, t)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	var out []Change
	open := 0
	for i, t := range times {
		open += deltas[t]
		if i == 0 || open != out[len(out)-1].Open {
			out = append(out, Change{At: t, Open: open})
		}
	}
	return out
}

// OpenAt returns the number of targets open at t by changes: the last
// change at or before t, else the first.
func OpenAt(changes []Change, t time.Time) int {
	if len(changes) == 0 {
		return 0
	}
	open := changes[0].Open
	for _, c := range changes {
		if c.At.After(t) {
			break
		}
		open = c.Open
	}
	return open
}

// DayBurndown is Burndown from the counts a store keeps by day
// (tandem.TargetStats.Days): for each day (UTC) from the first a target
// was found to now's, the targets open at its end. Exempt targets count
// as never open (DayChanges).
func DayBurndown(days []tandem.DayCount, now time.Time) []Point {
	changes := DayChanges(days)
	points := []Point{}
	if len(changes) == 0 {
		return points
	}
	for day := changes[0].At; !day.After(now); day = day.AddDate(0, 0, 1) {
		points = append(points, Point{Day: day.Format(dateLayout), Open: OpenAt(changes, day)})
	}
	return points
}

// Ideal returns the ideal burndown: a straight line from the targets open
// at launch to none at the deadline (YYYY-MM-DD, at the start of its day
// in UTC). Launch is the first ticket filed; when the migration was never
// launched (a zero launch), the first change. It returns nil without
// changes, without a parsable deadline, or when the deadline is not after
// the launch.
func Ideal(changes []Change, launch time.Time, deadline string) []Change {
	if len(changes) == 0 {
		return nil
	}
	end, err := time.Parse(dateLayout, deadline)
	if err != nil {
		return nil
	}
	if launch.IsZero() {
		launch = changes[0].At
	}
	if !end.After(launch) {
		return nil
	}
	return []Change{{At: launch.UTC(), Open: OpenAt(changes, launch)}, {At: end, Open: 0}}
}
