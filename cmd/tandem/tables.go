package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
	"github.com/tandem-dev/tandem/web"
)

// A table prints what the API returned for a view (raw, JSON) as aligned
// columns, for people.
type table func(w io.Writer, raw json.RawMessage) error

// tables holds the table of every view that prints one, by view name.
var tables = viewTables(time.Now)

// printTable prints raw, what the API returned for view, as its table; a
// view without a table prints nothing.
func printTable(w io.Writer, view string, raw json.RawMessage) error {
	if t, ok := tables[view]; ok {
		return t(w, raw)
	}
	return nil
}

// viewTables returns the table of every view, by view name; now is the
// clock that ages requests.
func viewTables(now func() time.Time) map[string]table {
	return map[string]table{
		"teams": columns([]string{"NAME", "TYPE", "MEMBERS", "ALIASES"}, func(t tandem.Team) []string {
			return []string{t.Name, string(t.Type), list(t.Members), list(t.Aliases)}
		}),
		"people": columns([]string{"NAME", "FULL NAME", "TEAMS"}, func(p tandem.Person) []string {
			return []string{p.Handle, orDash(p.Name), list(p.Teams)}
		}),
		"codebases": columns([]string{"NAME", "OWNER", "FROM", "CONTRIBUTIONS", "BRANCH", "HEAD", "PROBLEMS"}, codebaseRow),
		"codehosts": columns([]string{"NAME", "TYPE", "PATH"}, func(h tandem.CodeHost) []string {
			return []string{h.Name, h.Type, orDash(h.Path)}
		}),
		"platforms": columns([]string{"NAME", "OWNER", "SUPPORT", "CODEBASES"}, func(p tandem.Platform) []string {
			return []string{p.Name, p.Owner, orDash(p.Support), list(p.Codebases)}
		}),
		"migrations": columns([]string{"NAME", "PLATFORM", "DEADLINE", "TITLE"}, func(m tandem.Migration) []string {
			return []string{m.Name, m.Platform, orDash(m.Deadline), m.Title}
		}),
		"adoption": columns([]string{"PLATFORM", "CODEBASES", "TEAMS", "UNOWNED", "TREND"}, adoptionRow),
		"tickets": columns([]string{"ID", "MIGRATION", "TEAM", "STATE", "NUDGES", "COMMENTS", "TITLE"}, func(t tandem.Ticket) []string {
			return []string{fmt.Sprint(t.ID), t.Migration, t.Team, t.State, fmt.Sprint(t.Nudges), fmt.Sprint(len(t.Comments)), t.Title}
		}),
		"change-requests": columns([]string{"ID", "MIGRATION", "CODEBASE", "BRANCH", "STATE", "TITLE"}, func(c tandem.ChangeRequest) []string {
			return []string{fmt.Sprint(c.ID), c.Migration, c.Codebase, orDash(c.Branch), c.State, c.Title}
		}),
		"engagements": columns([]string{"ID", "TYPE", "STATE", "PERSON", "FROM", "TO", "UNTIL", "HOURS", "WARNINGS"}, engagementRow),
		"requests": columns([]string{"ID", "TYPE", "FROM", "PLATFORM", "STATE", "PATTERN", "SIZE", "AGE", "TITLE"}, func(q tandem.Request) []string {
			age := now().Sub(q.CreatedAt).Round(time.Hour).String()
			return []string{fmt.Sprint(q.ID), q.Type, q.FromTeam, q.Platform, q.State, orDash(q.Pattern), q.Size, age, q.Title}
		}),
		"sessions": columns([]string{"ID", "PLATFORM", "KIND", "AT", "HOST", "TEAMS", "QUESTIONS"}, func(x tandem.Session) []string {
			return []string{fmt.Sprint(x.ID), x.Platform, x.Kind, x.At.Format("2006-01-02 15:04"), x.Host, fmt.Sprint(len(x.Attendees)), fmt.Sprint(len(x.Questions))}
		}),
		"load": tableOf([]string{"MONTH", "HOURS", "HANDS-ON REQUESTS", "CONSUMING TEAMS", "PER TEAM", "ADOPTION"}, func(l consumption.Figures) [][]string {
			return rowsOf(monthRow)(l.Load.Months)
		}, printLoadSummary),
		"support": columns([]string{"ID", "FROM", "TO", "EFFECTIVE", "STATE", "TEAMS"}, func(c tandem.SupportChange) []string {
			return []string{fmt.Sprint(c.ID), orDash(c.From), string(c.To), c.Effective, c.State, orDash(strings.Join(c.Teams, ", "))}
		}),
		"contributions": columns([]string{"ID", "CODEBASE", "AUTHOR", "TEAM", "STATE", "TITLE"}, func(c tandem.Contribution) []string {
			return []string{fmt.Sprint(c.ID), c.Codebase, c.Author, c.Team, c.State, c.Title}
		}),
		"contributors": columns([]string{"PERSON", "TEAM", "MERGED", "TRUSTED", "PROPOSED"}, contributorRow),
		"readiness": tableOf([]string{"CODEBASE", "CONTRIBUTIONS", "SCORE", "MISSING"}, rowsOf(func(r consumption.Readiness) []string {
			return []string{r.Codebase, r.Contributions, fmt.Sprintf("%d%%", r.Score), orDash(strings.Join(r.Missing, ", "))}
		}), printReadinessWarnings),
		"interactions": columns([]string{"TEAM", "TEAM", "MODE", "SINCE", "EVIDENCE"}, func(x consumption.Interaction) []string {
			return []string{x.A, x.B, x.Mode, orDash(x.Since), orDash(strings.Join(x.Evidence, "; "))}
		}),
		"campaigns": columns([]string{"NAME", "PLATFORM", "DEADLINE", "OPEN", "DONE", "TOTAL", "TITLE"}, func(c web.CampaignSummary) []string {
			return []string{c.Name, c.Platform, orDash(c.Deadline), fmt.Sprint(c.Open), fmt.Sprint(c.Counts[tandem.TargetDone]), fmt.Sprint(c.Total), c.Title}
		}),
		"campaign": tableOf([]string{"CODEBASE", "TEAM", "STATE", "TICKET", "CHANGE", "EVIDENCE"}, func(c tandem.Campaign) [][]string {
			return rowsOf(targetRow)(c.Targets)
		}, nil),
	}
}

// columns is the table of a JSON list of T: header, then a row per
// element.
func columns[T any](header []string, row func(T) []string) table {
	return tableOf(header, rowsOf(row), nil)
}

// tableOf is the table of a JSON document of type D: header, then the
// rows drawn from it, aligned, then what after (when not nil) prints of
// it below them.
func tableOf[D any](header []string, rows func(D) [][]string, after func(io.Writer, D)) table {
	return func(w io.Writer, raw json.RawMessage) error {
		var doc D
		if err := json.Unmarshal(raw, &doc); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		printRow(tw, header)
		for _, r := range rows(doc) {
			printRow(tw, r)
		}
		tw.Flush()
		if after != nil {
			after(w, doc)
		}
		return nil
	}
}

// rowsOf returns the rows of a list: row of each element.
func rowsOf[T any](row func(T) []string) func([]T) [][]string {
	return func(items []T) [][]string {
		rows := make([][]string, len(items))
		for i, x := range items {
			rows[i] = row(x)
		}
		return rows
	}
}

// printRow prints cells as one line of a table, separated by tabs.
func printRow(w io.Writer, cells []string) {
	args := make([]any, len(cells))
	for i, c := range cells {
		args[i] = c
	}
	printf(w, strings.TrimSuffix(strings.Repeat("%s\t", len(cells)), "\t")+"\n", args...)
}

// list is a table cell of names: comma-separated, or "-" for none.
func list(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ",")
}

// firstOf is a table cell of a list that is too long for one: its first
// element, and how many follow in the format more (with one %d), or "-"
// for none.
func firstOf[T fmt.Stringer](xs []T, more string) string {
	if len(xs) == 0 {
		return "-"
	}
	s := xs[0].String()
	if n := len(xs); n > 1 {
		s += fmt.Sprintf(more, n-1)
	}
	return s
}

// orDash is a table cell of s, or "-" when s is empty.
func orDash[T ~string](s T) string {
	if s == "" {
		return "-"
	}
	return string(s)
}

// codebaseRow is a codebase: who owns it and why, where it stands, and
// its first problem.
func codebaseRow(c tandem.Codebase) []string {
	owner := "<none>"
	switch {
	case c.Owner != nil:
		owner = *c.Owner
	case c.Host == "":
		owner = "-" // a Codebase document no scan matched: its problem says so
	}
	head := c.Head
	if len(head) > 12 {
		head = head[:12]
	}
	problems := firstOf(c.Problems, " (+%d more: -o yaml shows them)")
	name := c.Name
	if c.GoneAt != nil {
		name += " (gone since " + c.GoneAt.Format(time.DateOnly) + ")"
	}
	return []string{name, owner, orDash(c.OwnerSource), c.Contributions, orDash(c.DefaultBranch), orDash(head), problems}
}

// adoptionRow is a platform's adoption, with its trend as counts.
func adoptionRow(a tandem.Adoption) []string {
	trend := make([]string, len(a.Trend))
	for i, p := range a.Trend {
		trend[i] = fmt.Sprint(p.Count)
	}
	return []string{a.Platform, fmt.Sprint(len(a.Codebases)), list(a.Teams), fmt.Sprint(a.Unowned), strings.Join(trend, "→")}
}

// engagementRow is an engagement, with the hours logged on it.
func engagementRow(x tandem.Engagement) []string {
	return []string{fmt.Sprint(x.ID), string(x.Type), x.State, orDash(x.Person), x.HomeTeam, x.HostTeam, orDash(x.Ends), fmt.Sprint(loggedHours(x)), orDash(strings.Join(x.Warnings, "; "))}
}

// contributorRow is an outside contributor, with the command that gives
// them the commit bit where they are proposed for it.
func contributorRow(c tandem.Contributor) []string {
	proposed := "-"
	if c.Proposed {
		proposed = "propose the commit bit: tandem contributors trust " + c.Codebase + " " + c.Person
	}
	return []string{c.Person, c.Team, fmt.Sprint(c.Merged), fmt.Sprint(c.Trusted), proposed}
}

// targetRow is a campaign target: who owns it, how far it is, and what
// shows it.
func targetRow(t tandem.Target) []string {
	team := t.Team
	if team == "" && t.Owner != nil {
		team = *t.Owner
	}
	ticket, change := "-", "-"
	if t.Ticket != nil {
		ticket = fmt.Sprintf("#%d %s", t.Ticket.ID, t.Ticket.State)
	}
	if t.PullRequest != nil {
		change = fmt.Sprintf("#%d %s", t.PullRequest.ID, t.PullRequest.State)
	}
	evidence := firstOf(t.Evidence, " (+%d)")
	state := t.State
	if t.Error != "" {
		state += " (error)"
	}
	return []string{t.Address(), orDash(team), state, ticket, change, evidence}
}

// monthRow is a platform's hands-on load in a month.
func monthRow(m consumption.MonthLoad) []string {
	adoption := "-"
	if m.Adoption != nil {
		adoption = fmt.Sprint(*m.Adoption)
	}
	return []string{m.Month, fmt.Sprint(m.Hours), fmt.Sprint(m.HandsOnRequests), fmt.Sprint(m.ConsumingTeams), fmt.Sprintf("%.1f", m.PerTeam), adoption}
}

// printLoadSummary prints, below a platform's load, its support model,
// request backlog, lead times and warnings.
func printLoadSummary(w io.Writer, l consumption.Figures) {
	printf(w, "\nsupport: %s · open requests: %d (median age %s) · sessions: %d\n", orDash(l.Support), l.Backlog.Open, orDash(l.Backlog.MedianAgeText), l.Sessions)
	lt := l.LeadTimes
	printf(w, "lead times: first response %s (%d) · accepted %s (%d) · done %s (%d) · declined %s (%d)\n", orDash(lt.FirstResponseText), lt.Responded,
		orDash(lt.AcceptedText), lt.AcceptedCount, orDash(lt.DoneText), lt.DoneCount, orDash(lt.DeclinedText), lt.DeclinedCount)
	for _, warn := range l.Warnings {
		printf(w, "warning: %s\n", warn)
	}
}

// printReadinessWarnings prints, below the readiness of codebases, the
// warning of each that has one.
func printReadinessWarnings(w io.Writer, rs []consumption.Readiness) {
	for _, r := range rs {
		if r.Warning != "" {
			printf(w, "warning: %s\n", r.Warning)
		}
	}
}
