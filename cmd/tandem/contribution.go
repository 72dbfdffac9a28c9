package main

import (
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/web"
)

func contributionCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "contribution", Short: "Record outside contributions to platform codebases (internal open source)"}
	cmd.AddCommand(contributionRecordCommand(e, server), contributionUpdateCommand(e, server),
		viewCommand(e, server, "list", "List contributions", "contributions", "contributions", cobra.NoArgs, "codebase"))
	return cmd
}

func contributionRecordCommand(e env, server *string) *cobra.Command {
	var c tandem.Contribution
	var opened, output string
	cmd := &cobra.Command{
		Use:   "record --codebase X --author PERSON --title TEXT [--state open|merged|closed] [--url URL]",
		Short: "Record a contribution (code hosts report theirs; local hosts need this)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opened != "" {
				t, err := time.Parse(time.DateOnly, opened)
				if err != nil {
					return tandem.Errorf(tandem.EINVALID, "--opened %q: expected YYYY-MM-DD", opened)
				}
				c.OpenedAt = t
			}
			return post(cmd, e, *server, "contributions", c, output, func(out tandem.Contribution) {
				printf(e.stdout, "contribution %d to %s by %s (%s): %s\n", out.ID, out.Codebase, out.Author, out.Team, out.State)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&c.Codebase, "codebase", "", "the codebase changed")
	cmd.Flags().StringVar(&c.Author, "author", "", "who sent it")
	cmd.Flags().StringVar(&c.Title, "title", "", "what it changes")
	cmd.Flags().StringVar(&c.URL, "url", "", "the pull request")
	cmd.Flags().StringVar(&c.State, "state", tandem.ContributionOpen, "open, merged or closed")
	cmd.Flags().StringVar(&opened, "opened", "", "YYYY-MM-DD (default today)")
	for _, f := range []string{"codebase", "author", "title"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func contributionUpdateCommand(e env, server *string) *cobra.Command {
	var state, output string
	cmd := &cobra.Command{
		Use:   "update ID --state merged|closed|reverted",
		Short: "Change a contribution's state",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return post(cmd, e, *server, "contributions/"+url.PathEscape(args[0]), web.StateRequest{State: state}, output, func(out tandem.Contribution) {
				printf(e.stdout, "contribution %d: %s\n", out.ID, out.State)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&state, "state", tandem.ContributionMerged, "merged, closed or reverted")
	return cmd
}

func contributorsCommand(e env, server *string) *cobra.Command {
	cmd := partCommand(e, server, "contributors CODEBASE", "Outside contributors of a codebase on the trust ladder, and who is proposed for the commit bit",
		"codebases", "contributors", "contributors")
	var by, output string
	trust := &cobra.Command{
		Use:   "trust CODEBASE PERSON",
		Short: "Accept a proposal: give an outside contributor the commit bit (Trusted Outsider)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := web.TrustRequest{Person: args[1], By: whoami(e, by)}
			return post(cmd, e, *server, "codebases/"+url.PathEscape(args[0])+"/trust", body, output, func(out tandem.Codebase) {
				printf(e.stdout, "%s now trusts %s\n", out.Name, strings.Join(out.Trusted, ", "))
			})
		},
	}
	outputFlag(trust, &output, "text")
	trust.Flags().StringVar(&by, "by", "", "who grants it, of the owner team (default: the token's person; an admin names one)")
	cmd.AddCommand(trust)
	return cmd
}
