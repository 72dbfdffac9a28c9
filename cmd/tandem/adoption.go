package main

import "github.com/spf13/cobra"

func adoptionCommand(e env, server *string) *cobra.Command {
	return viewCommand(e, server, "adoption [PLATFORM]", "Show which codebases and teams adopted each platform, with the trend",
		"adoption", "adoption", cobra.MaximumNArgs(1))
}
