package main

import (
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/web"
)

func platformCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "platform", Short: "A platform's support model and hands-on load"}
	cmd.AddCommand(
		platformSupportCommand(e, server),
		platformWithdrawSupportCommand(e, server),
		partCommand(e, server, "support-history NAME", "A platform's support model changes: announced, applied or withdrawn, and the teams told",
			"platforms", "support", "support"),
		partCommand(e, server, "load NAME", "Hands-on load per consuming team per month, request backlog, lead times and warnings",
			"platforms", "load", "load"),
		partCommand(e, server, "readiness NAME", "How ready each codebase of a platform is for outside contributions",
			"platforms", "readiness", "readiness"),
	)
	return cmd
}

func platformSupportCommand(e env, server *string) *cobra.Command {
	var c tandem.SupportChange
	var output string
	cmd := &cobra.Command{
		Use:   "support NAME --to MODEL --effective DATE --announcement TEXT",
		Short: "Announce a change of support model: one ticket per consuming team, effective after the notice period",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c.By = whoami(e, c.By)
			return post(cmd, e, *server, "platforms/"+url.PathEscape(args[0])+"/support", c, output, func(out tandem.SupportChange) {
				printf(e.stdout, "%s: support changes from %s to %s on %s; announced to %d teams (%s)\n",
					out.Platform, orDash(out.From), out.To, out.Effective, len(out.Teams), strings.Join(out.Teams, ", "))
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar((*string)(&c.To), "to", "", strings.Join(tandem.Strings(tandem.SupportModels), ", "))
	cmd.Flags().StringVar(&c.Effective, "effective", "", "YYYY-MM-DD, after the platform's notice period")
	cmd.Flags().StringVar(&c.Announcement, "announcement", "", "how support changes and why")
	cmd.Flags().StringVar(&c.By, "by", "", "who announces, of the owner team (default: the token's person; an admin names one)")
	for _, f := range []string{"to", "effective", "announcement"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func platformWithdrawSupportCommand(e env, server *string) *cobra.Command {
	var reason, by, output string
	cmd := &cobra.Command{
		Use:   "withdraw-support NAME ID --reason TEXT",
		Short: "Withdraw an announced support model change before it takes effect, closing its announcement tickets",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "platforms/" + url.PathEscape(args[0]) + "/support/" + url.PathEscape(args[1]) + "/withdraw"
			return post(cmd, e, *server, path, web.WithdrawRequest{Reason: reason, By: whoami(e, by)}, output, func(out tandem.SupportChange) {
				printf(e.stdout, "%s: support change %d withdrawn; support stays %s; %d announcement tickets closed\n",
					out.Platform, out.ID, orDash(out.From), len(out.Teams))
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the consuming teams")
	cmd.Flags().StringVar(&by, "by", "", "who withdraws it, of the owner team (default: the token's person; an admin names one)")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}
