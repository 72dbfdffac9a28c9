package main

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"

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
			return printView(cmd, e, *server, coll, name, q, coll, output)
		},
	}
	outputFlag(cmd, &output, "table")
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
