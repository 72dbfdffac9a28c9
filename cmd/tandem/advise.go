package main

import (
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/advisor"
)

func adviseCommand(e env, server *string) *cobra.Command {
	var output, follow, request, by string
	flags := map[string]*string{}
	var trusted bool
	cmd := &cobra.Command{
		Use:   "advise [--driver TEAM --owner TEAM | --codebase NAME | --phase P] [--policy P] [--trusted] [--maturity M] [--size S] [--teams N] [--notice D] [--needed-by DATE]",
		Short: "Which collaboration pattern fits a piece of cross-team work, why, and at what cost",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			for name, v := range flags {
				if *v != "" {
					q.Set(strings.ReplaceAll(name, "-", "_"), *v)
				}
			}
			if trusted {
				q.Set("trusted", "true")
			}
			var advice advisor.Advice
			if err := client(e, *server).Get(cmd.Context(), "advice", "", q, &advice); err != nil {
				return err
			}
			if follow != "" {
				if request == "" {
					return tandem.Errorf(tandem.EINVALID, "--follow records the pattern chosen on a request: give --request ID")
				}
				if err := client(e, *server).Post(cmd.Context(), "requests/"+url.PathEscape(request), tandem.RequestUpdate{Pattern: tandem.Pattern(follow), By: whoami(e, by)}, nil); err != nil {
					return err
				}
			}
			if output != "table" {
				return encode(e.stdout, output, advice)
			}
			printAdvice(e, advice)
			if follow != "" {
				printf(e.stdout, "\nrecorded: request %s follows %s\n", request, follow)
			}
			return nil
		},
	}
	for _, f := range []struct{ name, usage string }{
		{"driver", "the team that wants the work done"}, {"owner", "the team that owns the code to change"},
		{"codebase", "the codebase to change (its owner, policy and readiness)"}, {"platform", "the platform concerned (its support model and maturity)"},
		{"phase", "migration, consumption or evolution (default: from driver and owner)"}, {"policy", "closed, trusted or open (default: the codebase's)"},
		{"maturity", "low, medium or high (default: from the platform's support model)"}, {"size", "small or large"},
		{"teams", "how many teams the work touches"}, {"notice", "notice before the work must start (4w, 10d)"},
		{"needed-by", "YYYY-MM-DD"}, {"tour-weeks", "the time box of a planned engagement, in weeks"},
		{"collaborating-weeks", "how long the teams have collaborated closely already, in weeks"},
	} {
		flags[f.name] = cmd.Flags().String(f.name, "", f.usage)
	}
	cmd.Flags().BoolVar(&trusted, "trusted", false, "the driver is trusted on the codebase")
	outputFlag(cmd, &output, "table")
	cmd.Flags().StringVar(&follow, "follow", "", "record that this pattern was chosen (with --request)")
	cmd.Flags().StringVar(&request, "request", "", "the request the chosen pattern is recorded on")
	cmd.Flags().StringVar(&by, "by", "", "who chooses (default: this user)")
	return cmd
}

// printAdvice prints ranked patterns with their reasons and trade-offs.
func printAdvice(e env, a advisor.Advice) {
	w := e.stdout
	if !a.CrossTeam {
		printf(w, "This is not cross-team work: the team that drives it owns the code.\n")
	} else {
		printf(w, "phase: %s\n\n", a.Phase)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	printf(tw, "RANK\tPATTERN\tSCORE\tSCALES\tLEAD TIME\tCOST TO DRIVER\tCOST TO OWNER\tCOGNITIVE LOAD\n")
	for i, p := range a.Patterns {
		t := p.Tradeoffs
		printf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, p.Pattern, strconv.FormatFloat(p.Score, 'f', -1, 64),
			t.Scalability, t.LeadTime, t.CostDriver, t.CostOwner, t.CognitiveLoad)
	}
	tw.Flush()
	for _, p := range a.Patterns {
		printf(w, "\n%s:\n", p.Pattern)
		if p.Tie != "" {
			printf(w, "  %s\n", p.Tie)
		}
		for _, r := range p.Reasons {
			printf(w, "  + %s\n", r)
		}
		for _, r := range p.Cons {
			printf(w, "  - against: %s\n", r)
		}
	}
	for _, warn := range a.Warnings {
		printf(w, "\nwarning: %s", warn)
	}
	if len(a.Warnings) > 0 {
		printf(w, "\n")
	}
	for _, ev := range a.Evidence {
		printf(w, "evidence: %s\n", ev)
	}
}
