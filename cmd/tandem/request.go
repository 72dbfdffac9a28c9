package main

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
)

func requestCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "request", Short: "Ask a platform team for something, and follow the asks (consumption, evolution)"}
	list := viewCommand(e, server, "list", "List requests, newest first", "requests", "requests", cobra.NoArgs, "platform", "team", "state")
	cmd.AddCommand(requestCreateCommand(e, server), list, requestShowCommand(e, server), requestUpdateCommand(e, server), requestCloseCommand(e, server))
	return cmd
}

func requestCreateCommand(e env, server *string) *cobra.Command {
	var r tandem.Request
	var output string
	cmd := &cobra.Command{
		Use:   "create --from TEAM --platform NAME --type support|change|onboarding --title TEXT",
		Short: "File a request from a team to a platform",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r.CreatedBy = whoami(e, r.CreatedBy)
			return post(cmd, e, *server, "requests", r, output, func(out tandem.Request) {
				printf(e.stdout, "request %d filed: %s asks %s: %s\n", out.ID, out.FromTeam, out.Platform, out.Title)
			})
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&r.FromTeam, "from", "", "the asking team")
	cmd.Flags().StringVar(&r.Platform, "platform", "", "the platform asked")
	cmd.Flags().StringVar(&r.Type, "type", tandem.RequestSupport, "support, change or onboarding")
	cmd.Flags().StringVar(&r.Title, "title", "", "what is asked, in a line")
	cmd.Flags().StringVar(&r.Body, "body", "", "details")
	cmd.Flags().StringVar(&r.Size, "size", tandem.SizeSmall, "small or large")
	cmd.Flags().StringVar(&r.NeededBy, "needed-by", "", "YYYY-MM-DD")
	cmd.Flags().StringVar(&r.CreatedBy, "by", "", "who asks, of the asking team (default: the token's person; an admin names one)")
	for _, f := range []string{"from", "platform", "title"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func requestUpdateCommand(e env, server *string) *cobra.Command {
	var u tandem.RequestUpdate
	var output string
	cmd := &cobra.Command{
		Use:   "update ID [--state S] [--reason TEXT] [--pattern P] [--link URL]",
		Short: "Move a request on: accepted, in-progress, done, declined (with a reason); record the pattern chosen",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return updateRequest(cmd, e, *server, args[0], u, output)
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&u.State, "state", "", strings.Join(tandem.RequestStates, ", "))
	cmd.Flags().StringVar(&u.Reason, "reason", "", "why (required to decline)")
	cmd.Flags().StringVar((*string)(&u.Pattern), "pattern", "", strings.Join(tandem.Strings(tandem.Patterns), ", "))
	cmd.Flags().StringArrayVar(&u.Links, "link", nil, "a ticket or pull request URL (repeatable)")
	cmd.Flags().StringVar(&u.By, "by", "", "who changes it, of the asking team or the platform's (default: the token's person; an admin names one)")
	return cmd
}

func requestCloseCommand(e env, server *string) *cobra.Command {
	var by, output string
	cmd := &cobra.Command{
		Use:   "close ID",
		Short: "Mark a request done",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return updateRequest(cmd, e, *server, args[0], tandem.RequestUpdate{State: tandem.RequestDone, By: by}, output)
		},
	}
	outputFlag(cmd, &output, "text")
	cmd.Flags().StringVar(&by, "by", "", "who closes it, of the asking team or the platform's (default: the token's person; an admin names one)")
	return cmd
}

func requestShowCommand(e env, server *string) *cobra.Command {
	return showCommand(e, server, "show ID", "Show one request: its body, links, history and who changed it", "requests", func(raw json.RawMessage) error {
		var rs []tandem.Request
		if err := json.Unmarshal(raw, &rs); err != nil {
			return err
		}
		for _, q := range rs {
			printRequest(e.stdout, q)
		}
		return nil
	})
}

func updateRequest(cmd *cobra.Command, e env, server, id string, u tandem.RequestUpdate, output string) error {
	u.By = whoami(e, u.By)
	return post(cmd, e, server, "requests/"+url.PathEscape(id), u, output, func(out tandem.Request) {
		printf(e.stdout, "request %d: %s%s\n", out.ID, out.State, map[bool]string{true: " (" + string(out.Pattern) + ")", false: ""}[out.Pattern != ""])
	})
}

// printRequest prints a request whole: what is asked, by whom, its state,
// links, history and body.
func printRequest(w io.Writer, q tandem.Request) {
	printf(w, "request %d: %s\n", q.ID, q.Title)
	printf(w, "  type:       %s, %s\n", q.Type, q.Size)
	printf(w, "  from:       %s, to platform %s\n", q.FromTeam, q.Platform)
	state := q.State
	if q.Pattern != "" {
		state += ", pattern " + string(q.Pattern)
	}
	printf(w, "  state:      %s\n", state)
	if q.Reason != "" {
		printf(w, "  reason:     %s\n", q.Reason)
	}
	if q.NeededBy != "" {
		printf(w, "  needed by:  %s\n", q.NeededBy)
	}
	for i, l := range q.Links {
		label := "  links:      "
		if i > 0 {
			label = "              "
		}
		printf(w, label+"%s\n", l)
	}
	printf(w, "  history:\n")
	printf(w, "    %s  filed%s\n", q.CreatedAt.UTC().Format("2006-01-02 15:04"), byWhom(q.CreatedBy))
	for _, h := range []struct {
		at   *time.Time
		what string
	}{{q.RespondedAt, "first response from the platform team"}, {q.AcceptedAt, "accepted"}, {q.DoneAt, q.State}} {
		if h.at != nil {
			printf(w, "    %s  %s\n", h.at.UTC().Format("2006-01-02 15:04"), h.what)
		}
	}
	if q.UpdatedBy != "" {
		printf(w, "    last changed by %s\n", q.UpdatedBy)
	}
	if q.Body != "" {
		printf(w, "  body:\n%s\n", multiline(indent(q.Body)))
	}
}

// byWhom is " by PERSON", or "" for nobody named.
func byWhom(person string) string {
	if person == "" {
		return ""
	}
	return " by " + person
}
