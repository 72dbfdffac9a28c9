package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
	"github.com/tandem-dev/tandem/web"
)

// collections maps every accepted spelling of a kind to its API collection.
var collections = map[string]string{
	"team": "teams", "teams": "teams",
	"person": "people", "people": "people",
	"codebase": "codebases", "codebases": "codebases", "cb": "codebases",
	"codehost": "codehosts", "codehosts": "codehosts",
	"platform": "platforms", "platforms": "platforms",
	"migration": "migrations", "migrations": "migrations",
	"ticket": "tickets", "tickets": "tickets",
	"change-request": "change-requests", "change-requests": "change-requests", "cr": "change-requests",
	"engagement": "engagements", "engagements": "engagements",
}

func getCommand(e env, server *string) *cobra.Command {
	var output, owner, host, migration, team string
	var gone bool
	cmd := &cobra.Command{
		Use:   "get KIND [NAME]",
		Short: "List teams, people, codebases, codehosts, platforms, migrations, tickets, change-requests or engagements",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			coll, ok := collections[strings.ToLower(args[0])]
			if !ok {
				kinds := []string{"teams", "people", "codebases", "codehosts", "platforms", "migrations", "tickets", "change-requests", "engagements"}
				return tandem.Errorf(tandem.EINVALID, "unknown kind %q%s (valid: %s)", args[0], tandem.DidYouMean(args[0], kinds), strings.Join(kinds, ", "))
			}
			name := ""
			if len(args) == 2 {
				name = args[1]
			}
			q := url.Values{}
			if owner != "" {
				q.Set("owner", owner)
			}
			if host != "" {
				q.Set("host", host)
			}
			if migration != "" {
				q.Set("migration", migration)
			}
			if team != "" {
				q.Set("team", team)
			}
			if gone {
				if coll != "codebases" {
					return tandem.Errorf(tandem.EINVALID, "--gone lists codebases, not %s", coll)
				}
				q.Set("gone", "true")
			}
			var raw json.RawMessage
			if err := client(e, *server).Get(cmd.Context(), coll, name, q, &raw); err != nil {
				return err
			}
			return printObjects(e.stdout, coll, raw, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or yaml")
	cmd.Flags().StringVar(&owner, "owner", "", "codebases: only those of this team")
	cmd.Flags().StringVar(&host, "host", "", "codebases: only those of this code host")
	cmd.Flags().BoolVar(&gone, "gone", false, "codebases: those gone from their host (deleted, renamed or archived there) instead")
	cmd.Flags().StringVar(&migration, "migration", "", "tickets, change-requests, engagements: only those of this migration")
	cmd.Flags().StringVar(&team, "team", "", "tickets: only those of this team")
	return cmd
}

// printObjects prints the JSON list an API returned in the asked format.
func printObjects(w io.Writer, coll string, raw json.RawMessage, output string) error {
	switch output {
	case "json", "yaml":
		return encode(w, output, raw)
	case "table":
		return printTable(w, coll, raw)
	default:
		return tandem.Errorf(tandem.EINVALID, "unknown output %q (valid: table, json, yaml)", output)
	}
}

// outputFlag adds -o to a command that prints data: its own text, named
// def, or json or yaml.
func outputFlag(cmd *cobra.Command, output *string, def string) {
	cmd.Flags().StringVarP(output, "output", "o", def, "output format: "+def+", json or yaml")
}

// printAs prints v as JSON or YAML when output asks for them, and calls
// text to print it for people otherwise.
func printAs(e env, output string, v any, text func()) error {
	if output == "json" || output == "yaml" {
		return encode(e.stdout, output, v)
	}
	text()
	return nil
}

// encode prints v, exact, as JSON or YAML (with the JSON names, which
// are the API's).
func encode(w io.Writer, output string, v any) error {
	raw, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return err
		}
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return err
	}
	if output == "yaml" {
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		return enc.Encode(tree)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(tree)
}

func printTable(w io.Writer, coll string, raw json.RawMessage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	row := func(cells ...string) {
		args := make([]any, len(cells))
		for i, c := range cells {
			args[i] = c
		}
		printf(tw, strings.TrimSuffix(strings.Repeat("%s\t", len(cells)), "\t")+"\n", args...)
	}
	list := func(s []string) string {
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, ",")
	}
	switch coll {
	case "teams":
		var ts []tandem.Team
		if err := json.Unmarshal(raw, &ts); err != nil {
			return err
		}
		row("NAME", "TYPE", "MEMBERS", "ALIASES")
		for _, t := range ts {
			row(t.Name, string(t.Type), list(t.Members), list(t.Aliases))
		}
	case "people":
		var ps []tandem.Person
		if err := json.Unmarshal(raw, &ps); err != nil {
			return err
		}
		row("NAME", "FULL NAME", "TEAMS")
		for _, p := range ps {
			row(p.Handle, orDash(p.Name), list(p.Teams))
		}
	case "codebases":
		var cs []tandem.Codebase
		if err := json.Unmarshal(raw, &cs); err != nil {
			return err
		}
		row("NAME", "OWNER", "FROM", "CONTRIBUTIONS", "BRANCH", "HEAD", "PROBLEMS")
		for _, c := range cs {
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
			problems := "-"
			if len(c.Problems) > 0 {
				problems = c.Problems[0].String()
				if n := len(c.Problems); n > 1 {
					problems += fmt.Sprintf(" (+%d more: -o yaml shows them)", n-1)
				}
			}
			name := c.Name
			if c.GoneAt != nil {
				name += " (gone since " + c.GoneAt.Format(time.DateOnly) + ")"
			}
			row(name, owner, orDash(c.OwnerSource), c.Contributions, orDash(c.DefaultBranch), orDash(head), problems)
		}
	case "codehosts":
		var hs []tandem.CodeHost
		if err := json.Unmarshal(raw, &hs); err != nil {
			return err
		}
		row("NAME", "TYPE", "PATH")
		for _, h := range hs {
			row(h.Name, h.Type, orDash(h.Path))
		}
	case "platforms":
		var ps []tandem.Platform
		if err := json.Unmarshal(raw, &ps); err != nil {
			return err
		}
		row("NAME", "OWNER", "SUPPORT", "CODEBASES")
		for _, p := range ps {
			row(p.Name, p.Owner, orDash(p.Support), list(p.Codebases))
		}
	case "migrations":
		var ms []tandem.Migration
		if err := json.Unmarshal(raw, &ms); err != nil {
			return err
		}
		row("NAME", "PLATFORM", "DEADLINE", "TITLE")
		for _, m := range ms {
			row(m.Name, m.Platform, orDash(m.Deadline), m.Title)
		}
	case "adoption":
		var as []tandem.Adoption
		if err := json.Unmarshal(raw, &as); err != nil {
			return err
		}
		row("PLATFORM", "CODEBASES", "TEAMS", "UNOWNED", "TREND")
		for _, a := range as {
			trend := make([]string, len(a.Trend))
			for i, p := range a.Trend {
				trend[i] = fmt.Sprint(p.Count)
			}
			row(a.Platform, fmt.Sprint(len(a.Codebases)), list(a.Teams), fmt.Sprint(a.Unowned), strings.Join(trend, "→"))
		}
	case "tickets":
		var ts []tandem.Ticket
		if err := json.Unmarshal(raw, &ts); err != nil {
			return err
		}
		row("ID", "MIGRATION", "TEAM", "STATE", "NUDGES", "COMMENTS", "TITLE")
		for _, t := range ts {
			row(fmt.Sprint(t.ID), t.Migration, t.Team, t.State, fmt.Sprint(t.Nudges), fmt.Sprint(len(t.Comments)), t.Title)
		}
	case "change-requests":
		var crs []tandem.ChangeRequest
		if err := json.Unmarshal(raw, &crs); err != nil {
			return err
		}
		row("ID", "MIGRATION", "CODEBASE", "BRANCH", "STATE", "TITLE")
		for _, c := range crs {
			row(fmt.Sprint(c.ID), c.Migration, c.Codebase, orDash(c.Branch), c.State, c.Title)
		}
	case "engagements":
		var es []tandem.Engagement
		if err := json.Unmarshal(raw, &es); err != nil {
			return err
		}
		row("ID", "TYPE", "STATE", "PERSON", "FROM", "TO", "UNTIL", "HOURS", "WARNINGS")
		for _, x := range es {
			hours := 0.0
			for _, l := range x.Log {
				hours += l.Hours
			}
			row(fmt.Sprint(x.ID), x.Type, x.State, orDash(x.Person), x.HomeTeam, x.HostTeam, orDash(x.Ends), fmt.Sprint(hours), orDash(strings.Join(x.Warnings, "; ")))
		}
	case "requests":
		var rs []tandem.Request
		if err := json.Unmarshal(raw, &rs); err != nil {
			return err
		}
		row("ID", "TYPE", "FROM", "PLATFORM", "STATE", "PATTERN", "SIZE", "AGE", "TITLE")
		for _, q := range rs {
			row(fmt.Sprint(q.ID), q.Type, q.FromTeam, q.Platform, q.State, orDash(q.Pattern), q.Size, time.Since(q.CreatedAt).Round(time.Hour).String(), q.Title)
		}
	case "sessions":
		var ss []tandem.Session
		if err := json.Unmarshal(raw, &ss); err != nil {
			return err
		}
		row("ID", "PLATFORM", "KIND", "AT", "HOST", "TEAMS", "QUESTIONS")
		for _, x := range ss {
			row(fmt.Sprint(x.ID), x.Platform, x.Kind, x.At.Format("2006-01-02 15:04"), x.Host, fmt.Sprint(len(x.Attendees)), fmt.Sprint(len(x.Questions)))
		}
	case "load":
		var l web.PlatformLoad
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
		row("MONTH", "HOURS", "HANDS-ON REQUESTS", "CONSUMING TEAMS", "PER TEAM", "ADOPTION")
		for _, m := range l.Load.Months {
			adoption := "-"
			if m.Adoption != nil {
				adoption = fmt.Sprint(*m.Adoption)
			}
			row(m.Month, fmt.Sprint(m.Hours), fmt.Sprint(m.HandsOnRequests), fmt.Sprint(m.ConsumingTeams), fmt.Sprintf("%.1f", m.PerTeam), adoption)
		}
		tw.Flush()
		printf(w, "\nsupport: %s · open requests: %d (median age %s) · sessions: %d\n", orDash(l.Support), l.Backlog.Open, orDash(l.Backlog.MedianAgeText), l.Sessions)
		lt := l.LeadTimes
		printf(w, "lead times: first response %s (%d) · accepted %s (%d) · done %s (%d) · declined %s (%d)\n", orDash(lt.FirstResponseText), lt.Responded,
			orDash(lt.AcceptedText), lt.AcceptedCount, orDash(lt.DoneText), lt.DoneCount, orDash(lt.DeclinedText), lt.DeclinedCount)
		for _, warn := range l.Warnings {
			printf(w, "warning: %s\n", warn)
		}
	case "support":
		var cs []tandem.SupportChange
		if err := json.Unmarshal(raw, &cs); err != nil {
			return err
		}
		row("ID", "FROM", "TO", "EFFECTIVE", "STATE", "TEAMS")
		for _, c := range cs {
			row(fmt.Sprint(c.ID), orDash(c.From), c.To, c.Effective, c.State, orDash(strings.Join(c.Teams, ", ")))
		}
	case "contributions":
		var cs []tandem.Contribution
		if err := json.Unmarshal(raw, &cs); err != nil {
			return err
		}
		row("ID", "CODEBASE", "AUTHOR", "TEAM", "STATE", "TITLE")
		for _, c := range cs {
			row(fmt.Sprint(c.ID), c.Codebase, c.Author, c.Team, c.State, c.Title)
		}
	case "contributors":
		var cs []tandem.Contributor
		if err := json.Unmarshal(raw, &cs); err != nil {
			return err
		}
		row("PERSON", "TEAM", "MERGED", "TRUSTED", "PROPOSED")
		for _, c := range cs {
			proposed := "-"
			if c.Proposed {
				proposed = "propose the commit bit: tandem contributors trust " + c.Codebase + " " + c.Person
			}
			row(c.Person, c.Team, fmt.Sprint(c.Merged), fmt.Sprint(c.Trusted), proposed)
		}
	case "readiness":
		var rs []consumption.Readiness
		if err := json.Unmarshal(raw, &rs); err != nil {
			return err
		}
		row("CODEBASE", "CONTRIBUTIONS", "SCORE", "MISSING")
		for _, r := range rs {
			row(r.Codebase, r.Contributions, fmt.Sprintf("%d%%", r.Score), orDash(strings.Join(r.Missing, ", ")))
		}
		tw.Flush()
		for _, r := range rs {
			if r.Warning != "" {
				printf(w, "warning: %s\n", r.Warning)
			}
		}
	case "interactions":
		var is []consumption.Interaction
		if err := json.Unmarshal(raw, &is); err != nil {
			return err
		}
		row("TEAM", "TEAM", "MODE", "SINCE", "EVIDENCE")
		for _, x := range is {
			row(x.A, x.B, x.Mode, orDash(x.Since), orDash(strings.Join(x.Evidence, "; ")))
		}
	case "campaigns":
		var cs []web.CampaignSummary
		if err := json.Unmarshal(raw, &cs); err != nil {
			return err
		}
		row("NAME", "PLATFORM", "DEADLINE", "OPEN", "DONE", "TOTAL", "TITLE")
		for _, c := range cs {
			row(c.Name, c.Platform, orDash(c.Deadline), fmt.Sprint(c.Open), fmt.Sprint(c.Counts[tandem.TargetDone]), fmt.Sprint(c.Total), c.Title)
		}
	case "campaign":
		var c tandem.Campaign
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		row("CODEBASE", "TEAM", "STATE", "TICKET", "CHANGE", "EVIDENCE")
		for _, t := range c.Targets {
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
			evidence := "-"
			if len(t.Evidence) > 0 {
				evidence = t.Evidence[0].String()
				if n := len(t.Evidence); n > 1 {
					evidence += fmt.Sprintf(" (+%d)", n-1)
				}
			}
			state := t.State
			if t.Error != "" {
				state += " (error)"
			}
			row(t.Codebase, orDash(team), state, ticket, change, evidence)
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
