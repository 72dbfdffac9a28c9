package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/web"
)

func campaignCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "campaign",
		Short: "Run migration campaigns: launch tickets, follow targets, escalate stragglers",
	}
	cmd.AddCommand(
		campaignListCommand(e, server),
		campaignStatusCommand(e, server),
		campaignLaunchCommand(e, server),
		campaignEscalateCommand(e, server),
		campaignApproveCommand(e, server),
		campaignExemptCommand(e, server),
		campaignUnexemptCommand(e, server),
		campaignAdoptCommand(e, server),
		campaignExportCommand(e, server),
		campaignStatsCommand(e, server),
	)
	return cmd
}

func campaignListCommand(e env, server *string) *cobra.Command {
	return viewCommand(e, server, "list", "List migration campaigns with their progress", "campaigns", "campaigns", cobra.NoArgs)
}

func campaignStatusCommand(e env, server *string) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status NAME",
		Short: "Show a migration's targets: owner, state, ticket, change request and evidence",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := campaignStatus(cmd.Context(), client(e, *server), args[0])
			if err != nil {
				return err
			}
			raw, err := json.Marshal(st)
			if err != nil {
				return err
			}
			return printObjects(e.stdout, "campaign", raw, output)
		},
	}
	outputFlag(cmd, &output, "table")
	return cmd
}

// campaignStatus reads a campaign's status and every one of its targets,
// the list a page at a time, and adds the targets and their lead times
// to the status.
func campaignStatus(ctx context.Context, c *web.Client, name string) (web.CampaignStatus, error) {
	var st web.CampaignStatus
	if err := c.Get(ctx, "campaigns", name, nil, &st); err != nil {
		return st, err
	}
	if err := c.Get(ctx, "campaigns/"+url.PathEscape(st.Migration.Name)+"/targets", "", nil, &st.Targets); err != nil {
		return st, err
	}
	if st.Targets == nil {
		st.Targets = []tandem.Target{}
	}
	st.LeadTimes = campaign.LeadTimes(st.Targets)
	return st, nil
}

func campaignLaunchCommand(e env, server *string) *cobra.Command {
	var dryRun bool
	var output string
	cmd := &cobra.Command{
		Use:   "launch NAME",
		Short: "File one ticket per owning team for the migration's targets (again: only what is new)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "campaigns/" + url.PathEscape(args[0]) + "/launch"
			if dryRun {
				path += "?dry_run=true"
			}
			return post(cmd, e, *server, path, nil, output, func(out campaign.Launched) { printLaunched(e, out, dryRun) })
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show every ticket that would be filed, file none")
	outputFlag(cmd, &output, "text")
	return cmd
}

// printLaunched prints what a launch filed, or would file.
func printLaunched(e env, out campaign.Launched, dryRun bool) {
	verb := map[string]string{"create": "filed", "comment": "added to", "none": "unchanged"}
	if dryRun {
		verb = map[string]string{"create": "would file", "comment": "would add to", "none": "unchanged"}
	}
	for _, t := range out.Tickets {
		printf(e.stdout, "%s ticket for %s: %s (%s)\n", verb[t.Action], t.Team, t.Title, strings.Join(t.Codebases, ", "))
		if dryRun {
			printf(e.stdout, "%s\n\n", multiline(indent(t.Body)))
		}
	}
	if len(out.Tickets) == 0 {
		printf(e.stdout, "no new tickets: every owned target is ticketed\n")
	}
	if len(out.Unowned) > 0 {
		printf(e.stdout, "unowned, not ticketed: %s\n", strings.Join(out.Unowned, ", "))
	}
	if len(out.Waiting) > 0 {
		printf(e.stdout, "waiting for the rollout limit: %s\n", strings.Join(out.Waiting, ", "))
	}
	for c, msg := range out.Errors {
		printf(e.stderr, "error: %s: %s\n", c, msg)
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}

func campaignEscalateCommand(e env, server *string) *cobra.Command {
	var codebase, output string
	cmd := &cobra.Command{
		Use:   "escalate NAME",
		Short: "Do the stragglers' work: change requests where policy allows, Tour of Duty proposals elsewhere",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "campaigns/" + url.PathEscape(args[0]) + "/escalate"
			return post(cmd, e, *server, path, web.TargetRequest{Codebase: codebase}, output, func(out []campaign.Escalated) {
				if len(out) == 0 {
					printf(e.stdout, "no stragglers to escalate\n")
				}
				for _, x := range out {
					line := fmt.Sprintf("%s: %s", x.Codebase, x.Action)
					if x.Detail != "" {
						line += " (" + x.Detail + ")"
					}
					if x.URL != "" {
						line += " " + x.URL
					}
					printf(e.stdout, "%s\n", line)
				}
			})
		},
	}
	cmd.Flags().StringVar(&codebase, "codebase", "", "escalate only this codebase")
	outputFlag(cmd, &output, "text")
	return cmd
}

func campaignApproveCommand(e env, server *string) *cobra.Command {
	var req web.TargetRequest
	var output string
	cmd := &cobra.Command{
		Use:   "approve NAME --codebase X",
		Short: "Approve a target's change request as its owners; Tandem merges it where the codebase opted in to autoMerge",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.By = whoami(e, req.By)
			return post(cmd, e, *server, "campaigns/"+url.PathEscape(args[0])+"/approve", req, output, func(out campaign.Approved) {
				printf(e.stdout, "%s: change request #%d approved by %s\n", req.Codebase, out.ChangeRequest.ID, out.ChangeRequest.ApprovedBy)
				if out.Merged != "" {
					printf(e.stdout, "merged into %s (now at %s); the next scan tells whether %s still needs the change\n",
						req.Codebase, out.Merged[:min(12, len(out.Merged))], req.Codebase)
				}
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&req.Codebase, "codebase", "", "the target's codebase (required)")
	_ = cmd.MarkFlagRequired("codebase")
	cmd.Flags().StringVar(&req.By, "by", "", "who approves, a person of the owning team (default: the token's person; an admin names one)")
	return cmd
}

func campaignExemptCommand(e env, server *string) *cobra.Command {
	var req web.TargetRequest
	cmd := targetCommand(e, server, "exempt NAME --codebase X --reason TEXT --until YYYY-MM-DD", "Excuse a target until a date, with a reason",
		"exempt", &req)
	// Who grants it is recorded: unlike the other target commands, it
	// acts as whoami unless --by names someone.
	cmd.PreRun = func(*cobra.Command, []string) { req.By = whoami(e, req.By) }
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why (required)")
	cmd.Flags().StringVar(&req.Until, "until", "", "the last day of the exemption, YYYY-MM-DD (required)")
	for _, f := range []string{"reason", "until"} {
		_ = cmd.MarkFlagRequired(f)
	}
	cmd.Flags().StringVar(&req.By, "by", "", "who grants it, of the owning team or the platform's (default: the token's person)")
	return cmd
}

func campaignUnexemptCommand(e env, server *string) *cobra.Command {
	var req web.TargetRequest
	cmd := targetCommand(e, server, "unexempt NAME --codebase X [--reason TEXT]", "Revoke a target's exemption", "unexempt", &req)
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why it is revoked")
	return cmd
}

func campaignAdoptCommand(e env, server *string) *cobra.Command {
	var req web.TargetRequest
	cmd := targetCommand(e, server, "adopt NAME --codebase X --ticket URL | --pr URL",
		"Track an existing ticket or pull request for a target instead of making a new one", "adopt", &req)
	cmd.Flags().StringVar(&req.Ticket, "ticket", "", "URL of the existing ticket")
	cmd.Flags().StringVar(&req.PR, "pr", "", "URL of the existing pull request")
	cmd.MarkFlagsOneRequired("ticket", "pr")
	return cmd
}

// targetCommand is a command that posts req, which its flags fill (the
// caller adds those beyond --codebase), to a campaign's action on one
// target, and prints the target's new state.
func targetCommand(e env, server *string, use, short, action string, req *web.TargetRequest) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "campaigns/" + url.PathEscape(args[0]) + "/" + action
			return post(cmd, e, *server, path, *req, output, func(t json.RawMessage) {
				var target tandem.Target
				_ = json.Unmarshal(t, &target)
				printf(e.stdout, "%s: %s\n", target.Address(), target.State)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&req.Codebase, "codebase", "", "the target's codebase (required)")
	_ = cmd.MarkFlagRequired("codebase")
	return cmd
}

func campaignExportCommand(e env, server *string) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export NAME",
		Short: "Export progress by team and codebase, for spreadsheets",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := client(e, *server).Raw(cmd.Context(), "campaigns/"+url.PathEscape(args[0])+"/export?format="+url.QueryEscape(format))
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(body)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "csv or json")
	return cmd
}
