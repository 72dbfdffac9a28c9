package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/tandem-dev/tandem"
)

// collections maps every accepted spelling of a kind to its API collection.
var collections = map[string]string{
	"team": "teams", "teams": "teams",
	"person": "people", "people": "people",
	"codebase": "codebases", "codebases": "codebases", "cb": "codebases",
	"codehost": "codehosts", "codehosts": "codehosts",
	"platform": "platforms", "platforms": "platforms",
	"migration": "migrations", "migrations": "migrations",
}

func getCommand(e env, server *string) *cobra.Command {
	var output, owner, host string
	cmd := &cobra.Command{
		Use:   "get KIND [NAME]",
		Short: "List teams, people, codebases, codehosts, platforms or migrations",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			coll, ok := collections[strings.ToLower(args[0])]
			if !ok {
				return tandem.Errorf(tandem.EINVALID, "unknown kind %q (valid: teams, people, codebases, codehosts, platforms, migrations)", args[0])
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
	return cmd
}

// printObjects prints the JSON list an API returned in the asked format.
func printObjects(w io.Writer, coll string, raw json.RawMessage, output string) error {
	switch output {
	case "json":
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "yaml":
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		return enc.Encode(v)
	case "table":
		return printTable(w, coll, raw)
	default:
		return tandem.Errorf(tandem.EINVALID, "unknown output %q (valid: table, json, yaml)", output)
	}
}

func printTable(w io.Writer, coll string, raw json.RawMessage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
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
			if c.Owner != nil {
				owner = *c.Owner
			}
			head := c.Head
			if len(head) > 12 {
				head = head[:12]
			}
			row(c.Name, owner, orDash(c.OwnerSource), c.Contributions, orDash(c.DefaultBranch), orDash(head), fmt.Sprint(len(c.Problems)))
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
	case "campaign":
		var c tandem.Campaign
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		row("CODEBASE", "OWNER", "STATE", "EVIDENCE")
		for _, t := range c.Targets {
			owner := "<none>"
			if t.Owner != nil {
				owner = *t.Owner
			}
			evidence := "-"
			if len(t.Evidence) > 0 {
				evidence = t.Evidence[0].String()
				if n := len(t.Evidence); n > 1 {
					evidence += fmt.Sprintf(" (+%d)", n-1)
				}
			}
			row(t.Codebase, owner, t.State, evidence)
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
