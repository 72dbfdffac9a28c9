package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/bench"
)

func benchCommand(e env) *cobra.Command {
	var o bench.FleetOptions
	var sizes []int
	var dir, postgres string
	var touched int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure scanning speed on a generated fleet, against ripgrep over the same files",
		Long: `Generates a fleet of git repositories (kept in --dir and reused), then measures in
one run: ripgrep over checked-out copies (the baseline, when rg is installed),
Tandem's cold scan of a literal check on **/*.go in process, and its rescan
after some repositories get a new commit; then the whole path users run:
this binary's serve on a fresh SQLite database (and on PostgreSQL with
--postgres, as one api and one worker process), apply of a catalog with the
same check, and scan --wait cold, with nothing changed, and after 1% of the
repositories get a commit. Prints times, ratios and peak memory; with
several --repos, time per 1,000 repositories at each size.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			binary, err := os.Executable()
			if err != nil {
				return err
			}
			var reps []bench.Report
			for _, n := range sizes {
				if n <= 0 {
					return tandem.Errorf(tandem.EINVALID, "--repos %d: want a positive number of repositories", n)
				}
				o.Repos = n
				fmt.Fprintf(e.stderr, "fleet of %d repositories in %s\n", n, dir)
				f, err := bench.Generate(cmd.Context(), dir, o)
				if err != nil {
					return err
				}
				rep, err := bench.Run(cmd.Context(), f, touched, e.stderr)
				if err != nil {
					return err
				}
				engines := []string{""}
				if postgres != "" {
					engines = append(engines, postgres)
				}
				for _, dsn := range engines {
					run, err := bench.RunServer(cmd.Context(), f, bench.ServerOptions{Binary: binary, Postgres: dsn, Log: e.stderr})
					if err != nil {
						return err
					}
					rep.Server = append(rep.Server, run)
				}
				rep.Print(e.stdout)
				fmt.Fprintln(e.stdout)
				reps = append(reps, rep)
			}
			if len(reps) > 1 {
				bench.PrintScaling(e.stdout, reps)
			}
			return nil
		},
	}
	cmd.Flags().IntSliceVar(&sizes, "repos", []int{1000}, "repositories in the fleet; several (1000,10000) measure each size")
	cmd.Flags().IntVar(&o.Files, "files", 100, "Go files per repository (besides vendored, docs, binary and large files)")
	cmd.Flags().IntVar(&touched, "touch", 10, "repositories that get a new commit before the in-process rescan")
	cmd.Flags().StringVar(&dir, "dir", filepath.Join(os.TempDir(), "tandem-bench"), "where the fleet is generated")
	cmd.Flags().StringVar(&postgres, "postgres", "", "also measure serve on this PostgreSQL server (postgres://…), on a database tandem_bench_PID created and dropped by the run")
	return cmd
}
