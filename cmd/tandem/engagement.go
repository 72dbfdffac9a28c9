package main

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/web"
)

func engagementCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "engagement", Short: "Move people between teams for a time box: Tour of Duty, Embedded Expert, white-glove"}
	list := viewCommand(e, server, "list", "List engagements", "engagements", "engagements", cobra.NoArgs, "platform", "team", "migration", "state")
	cmd.AddCommand(
		engagementCreateCommand(e, server),
		engagementStaffCommand(e, server),
		engagementStartCommand(e, server),
		engagementWithdrawCommand(e, server),
		engagementLogCommand(e, server),
		engagementEndCommand(e, server),
		list,
		engagementShowCommand(e, server),
	)
	return cmd
}

func engagementCreateCommand(e env, server *string) *cobra.Command {
	var x tandem.Engagement
	var output string
	cmd := &cobra.Command{
		Use:   "create --type T --person P --home TEAM --host TEAM --purpose TEXT [--ends DATE]",
		Short: "Start an engagement (time box: 6 weeks unless --ends)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return post(cmd, e, *server, "engagements", x, output, func(out tandem.Engagement) {
				printf(e.stdout, "engagement %d: %s from %s joins %s until %s\n", out.ID, out.Person, out.HomeTeam, out.HostTeam, out.Ends)
				for _, w := range out.Warnings {
					printf(e.stdout, "warning: %s\n", w)
				}
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar((*string)(&x.Type), "type", string(tandem.TourOfDuty), "tour-of-duty, embedded-expert or white-glove")
	cmd.Flags().StringVar(&x.Person, "person", "", "who moves")
	cmd.Flags().StringVar(&x.HomeTeam, "home", "", "the person's team")
	cmd.Flags().StringVar(&x.HostTeam, "host", "", "the team joined")
	cmd.Flags().StringVar(&x.Purpose, "purpose", "", "what for")
	cmd.Flags().StringVar(&x.Platform, "platform", "", "the platform it serves")
	cmd.Flags().StringVar((*string)(&x.Phase), "phase", "", "migration, consumption or evolution: derived from the type, the teams and the platform; one that contradicts it is refused")
	cmd.Flags().StringVar(&x.Starts, "starts", "", "YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&x.Ends, "ends", "", "YYYY-MM-DD: the end of the time box (default 6 weeks after the start)")
	for _, f := range []string{"person", "home", "host", "purpose"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func engagementLogCommand(e env, server *string) *cobra.Command {
	var w tandem.WorkLog
	var output string
	cmd := &cobra.Command{
		Use:   "log ID --hours H --category platform|consumption|other [--day DATE] [--note TEXT]",
		Short: "Log hours on an engagement",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w.By = whoami(e, w.By)
			return post(cmd, e, *server, engagementPath(args[0], "log"), w, output, func(out tandem.WorkLog) {
				printf(e.stdout, "logged %gh of %s work on %s\n", out.Hours, out.Category, out.Day)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().Float64Var(&w.Hours, "hours", 0, "hours")
	cmd.Flags().StringVar(&w.Category, "category", tandem.WorkPlatform, "platform, consumption or other")
	cmd.Flags().StringVar(&w.Day, "day", "", "YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&w.Note, "note", "", "what was done")
	cmd.Flags().StringVar(&w.By, "by", "", "who logs, the person engaged or of its teams (default: the token's person; an admin names one)")
	_ = cmd.MarkFlagRequired("hours")
	return cmd
}

func engagementEndCommand(e env, server *string) *cobra.Command {
	var by, output string
	cmd := &cobra.Command{
		Use:   "end ID",
		Short: "End an engagement",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return post(cmd, e, *server, engagementPath(args[0], "end"), web.ByRequest{By: whoami(e, by)}, output, func(out tandem.Engagement) {
				printf(e.stdout, "engagement %d ended\n", out.ID)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&by, "by", "", "who ends it, of its teams (default: the token's person; an admin names one)")
	return cmd
}

// The next three commands take a proposal (a campaign's Tour of Duty, say)
// forward: name its person, start it, or withdraw it.

func engagementStaffCommand(e env, server *string) *cobra.Command {
	var s web.StaffRequest
	var output string
	cmd := &cobra.Command{
		Use:   "staff ID --person P",
		Short: "Name the person of a proposed engagement, a member of its home team",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s.By = whoami(e, s.By)
			return post(cmd, e, *server, engagementPath(args[0], "staff"), s, output, func(out tandem.Engagement) {
				printf(e.stdout, "engagement %d: %s from %s joins %s once started (tandem engagement start %d)\n", out.ID, out.Person, out.HomeTeam, out.HostTeam, out.ID)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&s.Person, "person", "", "who moves, of the home team")
	cmd.Flags().StringVar(&s.By, "by", "", "who staffs it, of its teams (default: the token's person; an admin names one)")
	_ = cmd.MarkFlagRequired("person")
	return cmd
}

func engagementStartCommand(e env, server *string) *cobra.Command {
	var by, output string
	cmd := &cobra.Command{
		Use:   "start ID",
		Short: "Start a staffed proposal: it becomes active, and hours can be logged",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return post(cmd, e, *server, engagementPath(args[0], "start"), web.ByRequest{By: whoami(e, by)}, output, func(out tandem.Engagement) {
				printf(e.stdout, "engagement %d started: %s from %s joins %s from %s until %s\n", out.ID, out.Person, out.HomeTeam, out.HostTeam, out.Starts, out.Ends)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&by, "by", "", "who starts it, of its teams (default: the token's person; an admin names one)")
	return cmd
}

func engagementWithdrawCommand(e env, server *string) *cobra.Command {
	var w web.WithdrawRequest
	var output string
	cmd := &cobra.Command{
		Use:   "withdraw ID --reason TEXT",
		Short: "Withdraw a proposed engagement, saying why; a campaign's targets go back to their ticket",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w.By = whoami(e, w.By)
			return post(cmd, e, *server, engagementPath(args[0], "withdraw"), w, output, func(out tandem.Engagement) {
				printf(e.stdout, "engagement %d withdrawn: %s\n", out.ID, out.Reason)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&w.Reason, "reason", "", "why it will not happen")
	cmd.Flags().StringVar(&w.By, "by", "", "who withdraws it, of its teams (default: the token's person; an admin names one)")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

// engagementPath is the API path of an action on the engagement id.
func engagementPath(id, action string) string {
	return "engagements/" + url.PathEscape(id) + "/" + action
}

func engagementShowCommand(e env, server *string) *cobra.Command {
	return showCommand(e, server, "show ID", "Show an engagement with its work log and warnings", "engagements", func(raw json.RawMessage) error {
		var es []tandem.Engagement
		if err := json.Unmarshal(raw, &es); err != nil {
			return err
		}
		for _, x := range es {
			printEngagement(e.stdout, x)
		}
		return nil
	})
}

// printEngagement prints an engagement whole: who moves where, what for,
// its time box, its work log and warnings.
func printEngagement(w io.Writer, x tandem.Engagement) {
	printf(w, "engagement %d: %s, %s\n", x.ID, x.Type, x.State)
	printf(w, "  person:    %s, from %s to %s\n", orDash(x.Person), x.HomeTeam, x.HostTeam)
	printf(w, "  purpose:   %s\n", x.Purpose)
	if x.Platform != "" || x.Phase != "" {
		printf(w, "  platform:  %s (phase: %s)\n", orDash(x.Platform), orDash(x.Phase))
	}
	if x.Migration != "" || len(x.Codebases) > 0 {
		printf(w, "  migration: %s, codebases %s\n", orDash(x.Migration), orDash(strings.Join(x.Codebases, ", ")))
	}
	printf(w, "  time box:  %s to %s\n", x.Starts, x.Ends)
	if x.EndedOn != "" {
		printf(w, "  ended:     %s\n", x.EndedOn)
	}
	if x.State == tandem.EngagementWithdrawn {
		printf(w, "  withdrawn: %s%s\n", x.Reason, byWhom(x.WithdrawnBy))
	}
	printf(w, "  work log:  %d entries, %gh\n", len(x.Log), loggedHours(x))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range x.Log {
		printf(tw, "    %s\t%gh\t%s\t%s\t%s\n", l.Day, l.Hours, l.Category, orDash(l.By), orDash(l.Note))
	}
	tw.Flush()
	for _, warn := range x.Warnings {
		printf(w, "warning: %s\n", warn)
	}
}

// loggedHours is the sum of the hours logged on an engagement.
func loggedHours(x tandem.Engagement) float64 {
	hours := 0.0
	for _, l := range x.Log {
		hours += l.Hours
	}
	return hours
}
