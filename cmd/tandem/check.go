package main

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/ci"
	"github.com/tandem-dev/tandem/proc"
	"github.com/tandem-dev/tandem/scan"
	"github.com/tandem-dev/tandem/web"
)

func checkCommand(e env, server *string) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [--dir DIR] [-f PATH] [--push [--codebase NAME]]",
		Short: "Evaluate the catalog's checks on a checkout, as the server's scan does; with --push, send CI's results",
		Long: `Evaluates every active check of the catalog on the commit checked out in --dir
(HEAD, detached or not) with the scanner and check language of the server's
scan: the verdicts and evidence are those a scan of that commit finds. Checks of
source ci run their commands in the checkout itself, where the build is.

The catalog is the server's (GET platforms and migrations), or, with -f, the
YAML files tandem apply takes: no server is needed then until --push.

It exits 1 when a migration with guard.mode: block has its target holding at
this commit (each printed as an error with its evidence); a guard of mode warn
prints a warning and exits 0.

With --push, the results of the checks of source ci are sent to the server for
--codebase (default: the origin remote's repository name, else the folder's),
with the commit evaluated; a token of role ci bound to that codebase may push.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runCheck(cmd, e, *server, o) },
	}
	cmd.Flags().StringVar(&o.dir, "dir", ".", "the checkout to evaluate")
	cmd.Flags().StringArrayVarP(&o.files, "filename", "f", nil, "YAML file or folder of the catalog (repeatable) instead of the server's")
	cmd.Flags().BoolVar(&o.push, "push", false, "push the results of the checks of source ci to the server")
	cmd.Flags().StringVar(&o.codebase, "codebase", "", "the codebase's name on the server (default: the origin remote's repository name, else the folder's)")
	cmd.Flags().BoolVar(&o.unsandboxed, "unsandboxed-commands", false, "run command checks as plain processes, without a sandbox")
	cmd.Flags().DurationVar(&o.timeout, "command-timeout", proc.DefaultTimeout, "how long each command check may run")
	outputFlag(cmd, &o.output, "table")
	return cmd
}

type checkOptions struct {
	dir, codebase, output string
	files                 []string
	push, unsandboxed     bool
	timeout               time.Duration
}

func runCheck(cmd *cobra.Command, e env, server string, o checkOptions) error {
	ctx := cmd.Context()
	var platforms []tandem.Platform
	var migrations []tandem.Migration
	var err error
	if len(o.files) > 0 {
		platforms, migrations, err = ci.Catalog(o.files)
	} else {
		platforms, migrations, err = serverCatalog(cmd, e, server)
	}
	if err != nil {
		return err
	}
	if o.codebase == "" {
		if o.codebase, err = ci.CodebaseName(ctx, o.dir); err != nil {
			return err
		}
	}
	s := scan.New()
	s.Runner, s.CommandTimeout = proc.Runner{Unsandboxed: o.unsandboxed}, o.timeout
	report, err := ci.Evaluate(ctx, s, o.dir, o.codebase, platforms, migrations, time.Now())
	if err != nil {
		return err
	}
	if o.push {
		if err := pushResults(cmd, e, server, report); err != nil {
			return err
		}
	}
	if err := printAs(e, o.output, report, func() { printCheckTable(e, report) }); err != nil {
		return err
	}
	return guardVerdict(e, report)
}

// serverCatalog returns the server's platforms and migrations.
func serverCatalog(cmd *cobra.Command, e env, server string) ([]tandem.Platform, []tandem.Migration, error) {
	c := client(e, server)
	var platforms []tandem.Platform
	var migrations []tandem.Migration
	if err := c.Get(cmd.Context(), "platforms", "", nil, &platforms); err != nil {
		return nil, nil, fmt.Errorf("read the catalog's platforms (or give its files with -f): %w", err)
	}
	if err := c.Get(cmd.Context(), "migrations", "", nil, &migrations); err != nil {
		return nil, nil, fmt.Errorf("read the catalog's migrations (or give its files with -f): %w", err)
	}
	return platforms, migrations, nil
}

// pushResults sends the results of the checks of source ci in report.
func pushResults(cmd *cobra.Command, e env, server string, report ci.Report) error {
	in := web.ResultsPush{Commit: report.Commit, Results: []web.PushedResult{}}
	for _, r := range report.Results {
		if r.Source == tandem.SourceCI {
			in.Results = append(in.Results, web.PushedResult{Check: r.Check, Digest: r.Digest, Holds: r.Holds, Evidence: r.Evidence, Error: r.Error})
		}
	}
	if len(in.Results) == 0 {
		printf(e.stderr, "warning: no check of source ci to push\n")
		return nil
	}
	var out web.ResultsPushed
	if err := client(e, server).Post(cmd.Context(), "codebases/"+report.Codebase+"/results", in, &out); err != nil {
		return fmt.Errorf("push results for %s: %w", report.Codebase, err)
	}
	if !out.Current {
		printf(e.stderr, "warning: %s is not the head the server last scanned of %s: the results are kept as history only\n", short(out.Commit), out.Codebase)
	}
	return nil
}

// printCheckTable prints a row per check: whether it holds, who
// evaluates it, and its evidence as path:line.
func printCheckTable(e env, r ci.Report) {
	printf(e.stdout, "%s at %s\n", r.Codebase, short(r.Commit))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	printRow(tw, []string{"CHECK", "HOLDS", "SOURCE", "EVIDENCE"})
	for _, res := range r.Results {
		holds := "no"
		if res.Holds {
			holds = "yes"
		}
		if res.Error != "" {
			holds = "error: " + res.Error
		}
		ev := make([]string, len(res.Evidence))
		for i, m := range res.Evidence {
			ev[i] = m.String()
		}
		printRow(tw, []string{res.Check, holds, cmp.Or(res.Source, "scan"), strings.Join(ev, " ")})
	}
	tw.Flush()
	for _, p := range r.Problems {
		printf(e.stderr, "warning: %s\n", p)
	}
}

// guardVerdict prints the tripped guards: warnings for warn, errors for
// block, and returns an error, the exit status 1, when any blocks.
func guardVerdict(e env, r ci.Report) error {
	var blocked []string
	for _, g := range r.Guards {
		ev := make([]string, len(g.Evidence))
		for i, m := range g.Evidence {
			ev[i] = m.String()
		}
		level := "warning"
		if g.Mode == tandem.GuardBlock {
			level = "error"
			blocked = append(blocked, g.Migration)
		}
		printf(e.stderr, "%s: migration %s: its target holds at %s (guard: %s): %s\n", level, g.Migration, short(r.Commit), g.Mode, strings.Join(ev, ", "))
	}
	if len(blocked) > 0 {
		return errors.New("guarded migrations blocked: " + strings.Join(blocked, ", "))
	}
	return nil
}

// short is a commit's first 12 digits.
func short(commit string) string { return commit[:min(12, len(commit))] }
