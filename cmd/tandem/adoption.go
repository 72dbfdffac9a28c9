package main

import (
	"encoding/json"
	"net/url"

	"github.com/spf13/cobra"
)

// viewCommand is a command that reads one API collection (or one object of
// it, named by the first argument) and prints it as a view: a table, JSON
// or YAML. Each filter becomes a flag sent as a query parameter.
func viewCommand(e env, server *string, use, short, collection, view string, args cobra.PositionalArgs, filters ...string) *cobra.Command {
	var output string
	values := make([]string, len(filters))
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			q := url.Values{}
			for i, f := range filters {
				if values[i] != "" {
					q.Set(f, values[i])
				}
			}
			var raw json.RawMessage
			if err := client(e, *server).Get(cmd.Context(), collection, name, q, &raw); err != nil {
				return err
			}
			return printObjects(e.stdout, view, raw, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or yaml")
	for i, f := range filters {
		cmd.Flags().StringVar(&values[i], f, "", "only those of this "+f)
	}
	return cmd
}

func adoptionCommand(e env, server *string) *cobra.Command {
	return viewCommand(e, server, "adoption [PLATFORM]", "Show which codebases and teams adopted each platform, with the trend",
		"adoption", "adoption", cobra.MaximumNArgs(1))
}
