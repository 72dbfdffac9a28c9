package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

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
	cmd.AddCommand(benchReadsCommand(e))
	return cmd
}

// benchReadsCommand is `tandem bench reads`: the read path under load.
func benchReadsCommand(e env) *cobra.Command {
	var o bench.ReadOptions
	load := "auto"
	cmd := &cobra.Command{
		Use:   "reads",
		Short: "Measure how many page and API reads per second serve answers, and how fast",
		Long: `Serves fleets with this binary's serve, as users run it, and loads its read
routes one after the other, each for --duration, with anonymous GETs on
--connections keep-alive connections at once (each connection one request at
a time, every body read to its end, as wrk does). Prints, for each engine,
fleet and route, the requests per second, the median and 99th percentile
latency, the errors (answers other than 2xx and 3xx, and requests without an
answer), the target the route is held to, whether it met it, and the serve
process's peak memory.

Fleets (--fleet):
  demo   serve --demo's nine codebases, once its first scan is done: the home
         page, a campaign, a team, a platform and the codebases, as pages and
         as /api/v1 JSON; held to 5,000 req/s with p99 under 50 ms.
  large  a store seeded with --targets codebases over 200 teams and one
         migration, "big", with a target in every state for each (seeded
         once on SQLite and kept in --dir; seeded each run on PostgreSQL):
         the home page, /api/v1/codebases, the campaign page, its filtered
         view, its last page of targets and its JSON; held to 2,000 req/s
         with p99 under 50 ms.

With --postgres, each fleet is served again on a database of that server,
created and dropped by the run, and held to SQLite's rate on the same route
divided by 1.5. The run fails only when a server does not start or a route
does not answer 200 before its load; errors under load are in the table.

The load comes from wrk where it is installed (--load wrk, the default when
wrk is on the PATH), otherwise from a bounded load generator in this process
(--load go), which costs the shared CPUs more than wrk does. Either way it
runs on the same machine as the server, and both share its CPUs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			binary, err := os.Executable()
			if err != nil {
				return err
			}
			o.Binary, o.Log = binary, e.stderr
			if o.Wrk, err = loadGenerator(load); err != nil {
				return err
			}
			if o.Wrk != "" {
				fmt.Fprintf(e.stdout, "load: %s -t2 -c%d -d%s --latency\n", o.Wrk, o.Connections, o.Duration)
			} else {
				fmt.Fprintf(e.stdout, "load: built in, %d connections, %s\n", o.Connections, o.Duration)
			}
			results, err := bench.RunReads(cmd.Context(), o)
			if len(results) > 0 {
				bench.PrintReads(e.stdout, results)
			}
			return err
		},
	}
	cmd.Flags().IntVar(&o.Connections, "connections", 64, "connections loading each route at once")
	cmd.Flags().DurationVar(&o.Duration, "duration", 30*time.Second, "how long each route is loaded")
	cmd.Flags().IntVar(&o.Targets, "targets", 50000, "codebases, each a target of the campaign, of the large fleet")
	cmd.Flags().StringVar(&o.Postgres, "postgres", "", "also measure on this PostgreSQL server (postgres://…), on databases tandem_reads_PID_* created and dropped by the run")
	cmd.Flags().StringVar(&o.Dir, "dir", filepath.Join(os.TempDir(), "tandem-bench"), "where the seeded SQLite database of the large fleet is kept")
	cmd.Flags().StringVar(&load, "load", load, "what loads the routes: wrk, go (built in), or auto (wrk when installed)")
	cmd.Flags().StringSliceVar(&o.Fleets, "fleet", []string{bench.FleetDemo, bench.FleetLarge}, "fleets to serve: demo, large or both")
	return cmd
}

// loadGenerator returns the path of wrk for --load wrk (or auto, when wrk
// is installed), "" for the built-in load generator.
func loadGenerator(load string) (string, error) {
	switch load {
	case "go":
		return "", nil
	case "wrk", "auto":
		path, err := exec.LookPath("wrk")
		if err != nil && load == "wrk" {
			return "", tandem.Errorf(tandem.EINVALID, "--load wrk: wrk is not installed (Debian: apt-get install wrk); --load go uses the built-in load generator")
		}
		return path, nil
	}
	return "", tandem.Errorf(tandem.EINVALID, "--load %q: want wrk, go or auto", load)
}
