package main

import (
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
)

func campaignStatsCommand(e env, server *string) *cobra.Command {
	var output, after string
	cmd := &cobra.Command{
		Use:   "stats NAME [-o json] [--stuck-after 14d]",
		Short: "Which way of working works: first responses, merges, merged-unmodified and stuck work by team, pattern and fix",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			if after != "" {
				q.Set("stuck_after", after)
			}
			var st tandem.CampaignStats
			if err := client(e, *server).Get(cmd.Context(), "campaigns/"+url.PathEscape(args[0])+"/stats", "", q, &st); err != nil {
				return err
			}
			return printAs(e, output, st, func() { printStats(e.stdout, st) })
		},
	}
	outputFlag(cmd, &output, "table")
	cmd.Flags().StringVar(&after, "stuck-after", "", "open work with no action for this long is stuck (default 14d)")
	return cmd
}

// printStats prints a campaign's figures, overall then by team, pattern
// and fix, one row each.
func printStats(w io.Writer, st tandem.CampaignStats) {
	printf(w, "%s: stuck after %s\n\n", st.Migration, tandem.DurationText(st.StuckAfter.Duration()))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	printf(tw, "GROUP\tTICKETS\tCHANGES\tRESPONSE MEDIAN\tRESPONSE P90\tMERGED\tMERGE MEDIAN\tMERGE P90\tUNMODIFIED\tCLOSED UNMERGED\tSTUCK\tNUDGES/TICKET\n")
	row := func(group string, f tandem.Figures) {
		printf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t%.1f\n", group, f.Tickets, f.ChangeRequests,
			secondsText(f.FirstResponseMedian, f.Responded), secondsText(f.FirstResponseP90, f.Responded),
			f.Merged, secondsText(f.MergeMedian, f.Merged), secondsText(f.MergeP90, f.Merged),
			shareText(f.MergedUnmodified, f.MergedKnown), shareText(f.ClosedUnmerged, f.ChangeRequests),
			f.StuckTickets+f.StuckChangeRequests, f.NudgesPerTicket)
	}
	row("all", st.All)
	for _, k := range slices.Sorted(maps.Keys(st.Teams)) {
		row("team "+k, st.Teams[k])
	}
	for _, k := range slices.Sorted(maps.Keys(st.Patterns)) {
		row("pattern "+string(k), st.Patterns[k])
	}
	for _, k := range slices.Sorted(maps.Keys(st.Fixes)) {
		row("fix "+k, st.Fixes[k])
	}
	tw.Flush()
}

// secondsText prints a duration of n pieces of work: "-" for none.
func secondsText(s tandem.Seconds, n int) string {
	if n == 0 {
		return "-"
	}
	return tandem.DurationText(s.Duration())
}

// shareText prints n of total as a percentage with its counts: "-" for
// none.
func shareText(n, total int) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%% (%d/%d)", 100*float64(n)/float64(total), n, total)
}
