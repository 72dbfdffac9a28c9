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
			return printView(cmd, e, *server, collection, name, q, view, output)
		},
	}
	outputFlag(cmd, &output, "table")
	for i, f := range filters {
		cmd.Flags().StringVar(&values[i], f, "", "only those of this "+f)
	}
	return cmd
}

// partCommand is a command that reads a part of one object of an API
// collection, collection/NAME/part with NAME its argument, and prints it as
// a view: a table, JSON or YAML.
func partCommand(e env, server *string, use, short, collection, part, view string) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return printView(cmd, e, *server, collection+"/"+url.PathEscape(args[0])+"/"+part, "", nil, view, output)
		},
	}
	outputFlag(cmd, &output, "table")
	return cmd
}

// printView reads an API collection (or one object of it, when name is
// not "") and prints it as view in the output format.
func printView(cmd *cobra.Command, e env, server, collection, name string, q url.Values, view, output string) error {
	var raw json.RawMessage
	if err := client(e, server).Get(cmd.Context(), collection, name, q, &raw); err != nil {
		return err
	}
	return printObjects(e.stdout, view, raw, output)
}

// showCommand reads one object of an API collection, named by the
// command's argument, and prints it whole for people (text), or as JSON
// or YAML.
func showCommand(e env, server *string, use, short, collection string, text func(json.RawMessage) error) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := client(e, *server).Get(cmd.Context(), collection, args[0], nil, &raw); err != nil {
				return err
			}
			if output != "text" {
				return encode(e.stdout, output, raw)
			}
			return text(raw)
		},
	}
	outputFlag(cmd, &output, "text")
	return cmd
}
