package main

import (
	"encoding/json"

	"github.com/spf13/cobra"
)

func adoptionCommand(e env, server *string) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "adoption [PLATFORM]",
		Short: "Show which codebases and teams adopted each platform, with the trend",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			var raw json.RawMessage
			if err := client(e, *server).Get(cmd.Context(), "adoption", name, nil, &raw); err != nil {
				return err
			}
			return printObjects(e.stdout, "adoption", raw, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or yaml")
	return cmd
}
