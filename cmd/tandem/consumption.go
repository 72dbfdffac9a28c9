package main

import (
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/web"
)

func requestCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "request", Short: "Ask a platform team for something, and follow the asks (consumption, evolution)"}
	var r tandem.Request
	var createOut, updateOut, closeOut string
	create := &cobra.Command{
		Use:   "create --from TEAM --platform NAME --type support|change|onboarding --title TEXT",
		Short: "File a request from a team to a platform",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if r.CreatedBy == "" {
				r.CreatedBy = whoami(e)
			}
			var out tandem.Request
			if err := client(e, *server).Post(cmd.Context(), "requests", r, &out); err != nil {
				return err
			}
			return printAs(e, createOut, out, func() {
				printf(e.stdout, "request %d filed: %s asks %s: %s\n", out.ID, out.FromTeam, out.Platform, out.Title)
			})
		},
	}
	outputFlag(create, &createOut, "text")
	create.Flags().StringVar(&r.FromTeam, "from", "", "the asking team")
	create.Flags().StringVar(&r.Platform, "platform", "", "the platform asked")
	create.Flags().StringVar(&r.Type, "type", tandem.RequestSupport, "support, change or onboarding")
	create.Flags().StringVar(&r.Title, "title", "", "what is asked, in a line")
	create.Flags().StringVar(&r.Body, "body", "", "details")
	create.Flags().StringVar(&r.Size, "size", tandem.SizeSmall, "small or large")
	create.Flags().StringVar(&r.NeededBy, "needed-by", "", "YYYY-MM-DD")
	create.Flags().StringVar(&r.CreatedBy, "by", "", "who asks, of the asking team (default: the token's person; an admin names one)")
	for _, f := range []string{"from", "platform", "title"} {
		_ = create.MarkFlagRequired(f)
	}

	var u tandem.RequestUpdate
	update := &cobra.Command{
		Use:   "update ID [--state S] [--reason TEXT] [--pattern P] [--link URL]",
		Short: "Move a request on: accepted, in-progress, done, declined (with a reason); record the pattern chosen",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return updateRequest(cmd, e, *server, args[0], u, updateOut)
		},
	}
	outputFlag(update, &updateOut, "text")
	update.Flags().StringVar(&u.State, "state", "", strings.Join(tandem.RequestStates, ", "))
	update.Flags().StringVar(&u.Reason, "reason", "", "why (required to decline)")
	update.Flags().StringVar(&u.Pattern, "pattern", "", strings.Join(tandem.Patterns, ", "))
	update.Flags().StringArrayVar(&u.Links, "link", nil, "a ticket or pull request URL (repeatable)")
	update.Flags().StringVar(&u.By, "by", "", "who changes it, of the asking team or the platform's (default: the token's person; an admin names one)")
	var closeBy string
	closeCmd := &cobra.Command{
		Use:   "close ID",
		Short: "Mark a request done",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return updateRequest(cmd, e, *server, args[0], tandem.RequestUpdate{State: tandem.RequestDone, By: closeBy}, closeOut)
		},
	}
	outputFlag(closeCmd, &closeOut, "text")
	closeCmd.Flags().StringVar(&closeBy, "by", "", "who closes it, of the asking team or the platform's (default: the token's person; an admin names one)")
	list := viewCommand(e, server, "list", "List requests, newest first", "requests", "requests", cobra.NoArgs, "platform", "team", "state")
	show := showCommand(e, server, "show ID", "Show one request: its body, links, history and who changed it", "requests", func(raw json.RawMessage) error {
		var rs []tandem.Request
		if err := json.Unmarshal(raw, &rs); err != nil {
			return err
		}
		for _, q := range rs {
			printRequest(e.stdout, q)
		}
		return nil
	})
	cmd.AddCommand(create, list, show, update, closeCmd)
	return cmd
}

func updateRequest(cmd *cobra.Command, e env, server, id string, u tandem.RequestUpdate, output string) error {
	if u.By == "" {
		u.By = whoami(e)
	}
	var out tandem.Request
	if err := client(e, server).Post(cmd.Context(), "requests/"+url.PathEscape(id), u, &out); err != nil {
		return err
	}
	return printAs(e, output, out, func() {
		printf(e.stdout, "request %d: %s%s\n", out.ID, out.State, map[bool]string{true: " (" + out.Pattern + ")", false: ""}[out.Pattern != ""])
	})
}

func engagementCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "engagement", Short: "Move people between teams for a time box: Tour of Duty, Embedded Expert, white-glove"}
	var x tandem.Engagement
	var createOut, logOut, endOut string
	create := &cobra.Command{
		Use:   "create --type T --person P --home TEAM --host TEAM --purpose TEXT [--ends DATE]",
		Short: "Start an engagement (time box: 6 weeks unless --ends)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var out tandem.Engagement
			if err := client(e, *server).Post(cmd.Context(), "engagements", x, &out); err != nil {
				return err
			}
			return printAs(e, createOut, out, func() {
				printf(e.stdout, "engagement %d: %s from %s joins %s until %s\n", out.ID, out.Person, out.HomeTeam, out.HostTeam, out.Ends)
				for _, w := range out.Warnings {
					printf(e.stdout, "warning: %s\n", w)
				}
			})
		},
	}
	outputFlag(create, &createOut, "text")
	create.Flags().StringVar(&x.Type, "type", tandem.TourOfDuty, "tour-of-duty, embedded-expert or white-glove")
	create.Flags().StringVar(&x.Person, "person", "", "who moves")
	create.Flags().StringVar(&x.HomeTeam, "home", "", "the person's team")
	create.Flags().StringVar(&x.HostTeam, "host", "", "the team joined")
	create.Flags().StringVar(&x.Purpose, "purpose", "", "what for")
	create.Flags().StringVar(&x.Platform, "platform", "", "the platform it serves")
	create.Flags().StringVar(&x.Phase, "phase", "", "migration, consumption or evolution: derived from the type, the teams and the platform; one that contradicts it is refused")
	create.Flags().StringVar(&x.Starts, "starts", "", "YYYY-MM-DD (default today)")
	create.Flags().StringVar(&x.Ends, "ends", "", "YYYY-MM-DD: the end of the time box (default 6 weeks after the start)")
	for _, f := range []string{"person", "home", "host", "purpose"} {
		_ = create.MarkFlagRequired(f)
	}

	var w tandem.WorkLog
	logCmd := &cobra.Command{
		Use:   "log ID --hours H --category platform|consumption|other [--day DATE] [--note TEXT]",
		Short: "Log hours on an engagement",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if w.By == "" {
				w.By = whoami(e)
			}
			var out tandem.WorkLog
			if err := client(e, *server).Post(cmd.Context(), "engagements/"+url.PathEscape(args[0])+"/log", w, &out); err != nil {
				return err
			}
			return printAs(e, logOut, out, func() { printf(e.stdout, "logged %gh of %s work on %s\n", out.Hours, out.Category, out.Day) })
		},
	}
	outputFlag(logCmd, &logOut, "text")
	logCmd.Flags().Float64Var(&w.Hours, "hours", 0, "hours")
	logCmd.Flags().StringVar(&w.Category, "category", tandem.WorkPlatform, "platform, consumption or other")
	logCmd.Flags().StringVar(&w.Day, "day", "", "YYYY-MM-DD (default today)")
	logCmd.Flags().StringVar(&w.Note, "note", "", "what was done")
	logCmd.Flags().StringVar(&w.By, "by", "", "who logs, the person engaged or of its teams (default: the token's person; an admin names one)")
	_ = logCmd.MarkFlagRequired("hours")
	var endBy string
	end := &cobra.Command{
		Use:   "end ID",
		Short: "End an engagement",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if endBy == "" {
				endBy = whoami(e)
			}
			var out tandem.Engagement
			if err := client(e, *server).Post(cmd.Context(), "engagements/"+url.PathEscape(args[0])+"/end", web.ByRequest{By: endBy}, &out); err != nil {
				return err
			}
			return printAs(e, endOut, out, func() { printf(e.stdout, "engagement %d ended\n", out.ID) })
		},
	}
	outputFlag(end, &endOut, "text")
	end.Flags().StringVar(&endBy, "by", "", "who ends it, of its teams (default: the token's person; an admin names one)")
	staff, start, withdraw := proposalCommands(e, server)
	list := viewCommand(e, server, "list", "List engagements", "engagements", "engagements", cobra.NoArgs, "platform", "team", "migration", "state")
	show := showCommand(e, server, "show ID", "Show an engagement with its work log and warnings", "engagements", func(raw json.RawMessage) error {
		var es []tandem.Engagement
		if err := json.Unmarshal(raw, &es); err != nil {
			return err
		}
		for _, x := range es {
			printEngagement(e.stdout, x)
		}
		return nil
	})
	cmd.AddCommand(create, staff, start, withdraw, logCmd, end, list, show)
	return cmd
}

// proposalCommands are the commands that take a proposal (a campaign's
// Tour of Duty, say) forward: name its person, start it, or withdraw it.
func proposalCommands(e env, server *string) (staff, start, withdraw *cobra.Command) {
	var staffOut, startOut, withdrawOut string
	var s web.StaffRequest
	staff = &cobra.Command{
		Use:   "staff ID --person P",
		Short: "Name the person of a proposed engagement, a member of its home team",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if s.By == "" {
				s.By = whoami(e)
			}
			var out tandem.Engagement
			if err := client(e, *server).Post(cmd.Context(), "engagements/"+url.PathEscape(args[0])+"/staff", s, &out); err != nil {
				return err
			}
			return printAs(e, staffOut, out, func() {
				printf(e.stdout, "engagement %d: %s from %s joins %s once started (tandem engagement start %d)\n", out.ID, out.Person, out.HomeTeam, out.HostTeam, out.ID)
			})
		},
	}
	outputFlag(staff, &staffOut, "text")
	staff.Flags().StringVar(&s.Person, "person", "", "who moves, of the home team")
	staff.Flags().StringVar(&s.By, "by", "", "who staffs it, of its teams (default: the token's person; an admin names one)")
	_ = staff.MarkFlagRequired("person")

	var startBy string
	start = &cobra.Command{
		Use:   "start ID",
		Short: "Start a staffed proposal: it becomes active, and hours can be logged",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if startBy == "" {
				startBy = whoami(e)
			}
			var out tandem.Engagement
			if err := client(e, *server).Post(cmd.Context(), "engagements/"+url.PathEscape(args[0])+"/start", web.ByRequest{By: startBy}, &out); err != nil {
				return err
			}
			return printAs(e, startOut, out, func() {
				printf(e.stdout, "engagement %d started: %s from %s joins %s from %s until %s\n", out.ID, out.Person, out.HomeTeam, out.HostTeam, out.Starts, out.Ends)
			})
		},
	}
	outputFlag(start, &startOut, "text")
	start.Flags().StringVar(&startBy, "by", "", "who starts it, of its teams (default: the token's person; an admin names one)")

	var w web.WithdrawRequest
	withdraw = &cobra.Command{
		Use:   "withdraw ID --reason TEXT",
		Short: "Withdraw a proposed engagement, saying why; a campaign's targets go back to their ticket",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if w.By == "" {
				w.By = whoami(e)
			}
			var out tandem.Engagement
			if err := client(e, *server).Post(cmd.Context(), "engagements/"+url.PathEscape(args[0])+"/withdraw", w, &out); err != nil {
				return err
			}
			return printAs(e, withdrawOut, out, func() { printf(e.stdout, "engagement %d withdrawn: %s\n", out.ID, out.Reason) })
		},
	}
	outputFlag(withdraw, &withdrawOut, "text")
	withdraw.Flags().StringVar(&w.Reason, "reason", "", "why it will not happen")
	withdraw.Flags().StringVar(&w.By, "by", "", "who withdraws it, of its teams (default: the token's person; an admin names one)")
	_ = withdraw.MarkFlagRequired("reason")
	return staff, start, withdraw
}

func sessionCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "session", Short: "Record office hours and community-of-practice sessions of a platform"}
	var s tandem.Session
	var at string
	var attendees []string
	var output string
	record := &cobra.Command{
		Use:   "record --platform NAME --kind office-hours|community --host PERSON [--attendee TEAM=N]... [--question TEXT]...",
		Short: "Record a session",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s.Attendees = map[string]int{}
			for _, a := range attendees {
				team, n, _ := strings.Cut(a, "=")
				count := 1
				if n != "" {
					var err error
					if count, err = strconv.Atoi(n); err != nil {
						return tandem.Errorf(tandem.EINVALID, "--attendee %q: expected TEAM=N", a)
					}
				}
				s.Attendees[team] += count
			}
			if at != "" {
				t, err := time.Parse("2006-01-02T15:04", at)
				if err != nil {
					return tandem.Errorf(tandem.EINVALID, "--at %q: expected YYYY-MM-DDTHH:MM", at)
				}
				s.At = t
			}
			var out tandem.Session
			if err := client(e, *server).Post(cmd.Context(), "sessions", s, &out); err != nil {
				return err
			}
			return printAs(e, output, out, func() {
				printf(e.stdout, "session %d: %s of %s, %d teams\n", out.ID, out.Kind, out.Platform, len(out.Attendees))
			})
		},
	}
	outputFlag(record, &output, "text")
	_ = record.MarkFlagRequired("platform")
	_ = record.MarkFlagRequired("host")
	record.Flags().StringVar(&s.Platform, "platform", "", "the platform")
	record.Flags().StringVar(&s.Kind, "kind", tandem.SessionOfficeHours, "office-hours or community")
	record.Flags().StringVar(&s.Host, "host", "", "who hosted")
	record.Flags().StringVar(&at, "at", "", "when, YYYY-MM-DDTHH:MM UTC (default now)")
	record.Flags().StringArrayVar(&attendees, "attendee", nil, "a team that came, as TEAM or TEAM=people (repeatable)")
	record.Flags().StringArrayVar(&s.Questions, "question", nil, "a question asked (repeatable)")
	cmd.AddCommand(record, viewCommand(e, server, "list", "List sessions", "sessions", "sessions", cobra.NoArgs, "platform"))
	return cmd
}

func platformCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "platform", Short: "A platform's support model and hands-on load"}
	var c tandem.SupportChange
	var supportOut string
	support := &cobra.Command{
		Use:   "support NAME --to MODEL --effective DATE --announcement TEXT",
		Short: "Announce a change of support model: one ticket per consuming team, effective after the notice period",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if c.By == "" {
				c.By = whoami(e)
			}
			var out tandem.SupportChange
			if err := client(e, *server).Post(cmd.Context(), "platforms/"+url.PathEscape(args[0])+"/support", c, &out); err != nil {
				return err
			}
			return printAs(e, supportOut, out, func() {
				printf(e.stdout, "%s: support changes from %s to %s on %s; announced to %d teams (%s)\n",
					out.Platform, orDash(out.From), out.To, out.Effective, len(out.Teams), strings.Join(out.Teams, ", "))
			})
		},
	}
	outputFlag(support, &supportOut, "text")
	support.Flags().StringVar(&c.To, "to", "", strings.Join(tandem.SupportModels, ", "))
	support.Flags().StringVar(&c.Effective, "effective", "", "YYYY-MM-DD, after the platform's notice period")
	support.Flags().StringVar(&c.Announcement, "announcement", "", "how support changes and why")
	support.Flags().StringVar(&c.By, "by", "", "who announces, of the owner team (default: the token's person; an admin names one)")
	for _, f := range []string{"to", "effective", "announcement"} {
		_ = support.MarkFlagRequired(f)
	}
	var output string
	load := &cobra.Command{
		Use:   "load NAME",
		Short: "Hands-on load per consuming team per month, request backlog, lead times and warnings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := client(e, *server).Get(cmd.Context(), "platforms/"+url.PathEscape(args[0])+"/load", "", nil, &raw); err != nil {
				return err
			}
			return printObjects(e.stdout, "load", raw, output)
		},
	}
	load.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or yaml")
	readiness := viewCommand(e, server, "readiness NAME", "How ready each codebase of a platform is for outside contributions",
		"platforms", "readiness", cobra.ExactArgs(1))
	readiness.RunE = func(cmd *cobra.Command, args []string) error {
		var raw json.RawMessage
		if err := client(e, *server).Get(cmd.Context(), "platforms/"+url.PathEscape(args[0])+"/readiness", "", nil, &raw); err != nil {
			return err
		}
		out, _ := cmd.Flags().GetString("output")
		return printObjects(e.stdout, "readiness", raw, out)
	}
	var reason, withdrawBy, withdrawOut string
	withdraw := &cobra.Command{
		Use:   "withdraw-support NAME ID --reason TEXT",
		Short: "Withdraw an announced support model change before it takes effect, closing its announcement tickets",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			by := withdrawBy
			if by == "" {
				by = whoami(e)
			}
			var out tandem.SupportChange
			path := "platforms/" + url.PathEscape(args[0]) + "/support/" + url.PathEscape(args[1]) + "/withdraw"
			if err := client(e, *server).Post(cmd.Context(), path, web.WithdrawRequest{Reason: reason, By: by}, &out); err != nil {
				return err
			}
			return printAs(e, withdrawOut, out, func() {
				printf(e.stdout, "%s: support change %d withdrawn; support stays %s; %d announcement tickets closed\n",
					out.Platform, out.ID, orDash(out.From), len(out.Teams))
			})
		},
	}
	outputFlag(withdraw, &withdrawOut, "text")
	withdraw.Flags().StringVar(&reason, "reason", "", "why, for the consuming teams")
	withdraw.Flags().StringVar(&withdrawBy, "by", "", "who withdraws it, of the owner team (default: the token's person; an admin names one)")
	_ = withdraw.MarkFlagRequired("reason")
	var historyOut string
	history := &cobra.Command{
		Use:   "support-history NAME",
		Short: "A platform's support model changes: announced, applied or withdrawn, and the teams told",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := client(e, *server).Get(cmd.Context(), "platforms/"+url.PathEscape(args[0])+"/support", "", nil, &raw); err != nil {
				return err
			}
			return printObjects(e.stdout, "support", raw, historyOut)
		},
	}
	history.Flags().StringVarP(&historyOut, "output", "o", "table", "output format: table, json or yaml")
	cmd.AddCommand(support, withdraw, history, load, readiness)
	return cmd
}

func contributionCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "contribution", Short: "Record outside contributions to platform codebases (internal open source)"}
	var c tandem.Contribution
	var opened, recordOut, updateOut string
	record := &cobra.Command{
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
			var out tandem.Contribution
			if err := client(e, *server).Post(cmd.Context(), "contributions", c, &out); err != nil {
				return err
			}
			return printAs(e, recordOut, out, func() {
				printf(e.stdout, "contribution %d to %s by %s (%s): %s\n", out.ID, out.Codebase, out.Author, out.Team, out.State)
			})
		},
	}
	outputFlag(record, &recordOut, "text")
	record.Flags().StringVar(&c.Codebase, "codebase", "", "the codebase changed")
	record.Flags().StringVar(&c.Author, "author", "", "who sent it")
	record.Flags().StringVar(&c.Title, "title", "", "what it changes")
	record.Flags().StringVar(&c.URL, "url", "", "the pull request")
	record.Flags().StringVar(&c.State, "state", tandem.ContributionOpen, "open, merged or closed")
	record.Flags().StringVar(&opened, "opened", "", "YYYY-MM-DD (default today)")
	for _, f := range []string{"codebase", "author", "title"} {
		_ = record.MarkFlagRequired(f)
	}
	var state string
	update := &cobra.Command{
		Use:   "update ID --state merged|closed|reverted",
		Short: "Change a contribution's state",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out tandem.Contribution
			if err := client(e, *server).Post(cmd.Context(), "contributions/"+url.PathEscape(args[0]), web.StateRequest{State: state}, &out); err != nil {
				return err
			}
			return printAs(e, updateOut, out, func() { printf(e.stdout, "contribution %d: %s\n", out.ID, out.State) })
		},
	}
	outputFlag(update, &updateOut, "text")
	update.Flags().StringVar(&state, "state", tandem.ContributionMerged, "merged, closed or reverted")
	cmd.AddCommand(record, update, viewCommand(e, server, "list", "List contributions", "contributions", "contributions", cobra.NoArgs, "codebase"))
	return cmd
}

func contributorsCommand(e env, server *string) *cobra.Command {
	var output, trustOut string
	cmd := &cobra.Command{
		Use:   "contributors CODEBASE",
		Short: "Outside contributors of a codebase on the trust ladder, and who is proposed for the commit bit",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := client(e, *server).Get(cmd.Context(), "codebases/"+url.PathEscape(args[0])+"/contributors", "", nil, &raw); err != nil {
				return err
			}
			return printObjects(e.stdout, "contributors", raw, output)
		},
	}
	outputFlag(cmd, &output, "table")
	var by string
	trust := &cobra.Command{
		Use:   "trust CODEBASE PERSON",
		Short: "Accept a proposal: give an outside contributor the commit bit (Trusted Outsider)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if by == "" {
				by = whoami(e)
			}
			var out tandem.Codebase
			if err := client(e, *server).Post(cmd.Context(), "codebases/"+url.PathEscape(args[0])+"/trust", web.TrustRequest{Person: args[1], By: by}, &out); err != nil {
				return err
			}
			return printAs(e, trustOut, out, func() { printf(e.stdout, "%s now trusts %s\n", out.Name, strings.Join(out.Trusted, ", ")) })
		},
	}
	outputFlag(trust, &trustOut, "text")
	trust.Flags().StringVar(&by, "by", "", "who grants it, of the owner team (default: the token's person; an admin names one)")
	cmd.AddCommand(trust)
	return cmd
}

// showCommand reads one object of an API collection, named by the
// command's argument, and prints it whole for people (text), or as JSON
// or YAML.
func showCommand(e env, server *string, use, short, collection string, text func(json.RawMessage) error) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := client(e, *server).Get(cmd.Context(), collection, args[0], nil, &raw); err != nil {
				return err
			}
			if output != "text" {
				return encode(e.stdout, output, raw)
			}
			return text(raw)
		},
	}
	outputFlag(cmd, &output, "text")
	return cmd
}

// printRequest prints a request whole: what is asked, by whom, its state,
// links, history and body.
func printRequest(w io.Writer, q tandem.Request) {
	printf(w, "request %d: %s\n", q.ID, q.Title)
	printf(w, "  type:       %s, %s\n", q.Type, q.Size)
	printf(w, "  from:       %s, to platform %s\n", q.FromTeam, q.Platform)
	state := q.State
	if q.Pattern != "" {
		state += ", pattern " + q.Pattern
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
	hours := 0.0
	for _, l := range x.Log {
		hours += l.Hours
	}
	printf(w, "  work log:  %d entries, %gh\n", len(x.Log), hours)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range x.Log {
		printf(tw, "    %s\t%gh\t%s\t%s\t%s\n", l.Day, l.Hours, l.Category, orDash(l.By), orDash(l.Note))
	}
	tw.Flush()
	for _, warn := range x.Warnings {
		printf(w, "warning: %s\n", warn)
	}
}
