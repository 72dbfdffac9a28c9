package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem/bench"
)

func benchCommand(e env) *cobra.Command {
	var o bench.FleetOptions
	var dir string
	var touched int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure scanning speed on a generated fleet, against ripgrep over the same files",
		Long: `Generates a fleet of git repositories (kept in --dir and reused), then measures in
one run: ripgrep over checked-out copies (the baseline, when rg is installed),
Tandem's cold scan of a literal check on **/*.go, and its rescan after some
repositories get a new commit. Prints times, ratios and peak memory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := bench.Generate(cmd.Context(), dir, o)
			if err != nil {
				return err
			}
			rep, err := bench.Run(cmd.Context(), f, touched, e.stderr)
			if err != nil {
				return err
			}
			rep.Print(e.stdout)
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Repos, "repos", 1000, "repositories in the fleet")
	cmd.Flags().IntVar(&o.Files, "files", 100, "Go files per repository (besides vendored, docs, binary and large files)")
	cmd.Flags().IntVar(&touched, "touch", 10, "repositories that get a new commit before the rescan")
	cmd.Flags().StringVar(&dir, "dir", filepath.Join(os.TempDir(), "tandem-bench"), "where the fleet is generated")
	return cmd
}
