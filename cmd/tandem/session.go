package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
)

func sessionCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "session", Short: "Record office hours and community-of-practice sessions of a platform"}
	cmd.AddCommand(sessionRecordCommand(e, server), viewCommand(e, server, "list", "List sessions", "sessions", "sessions", cobra.NoArgs, "platform"))
	return cmd
}

func sessionRecordCommand(e env, server *string) *cobra.Command {
	var s tandem.Session
	var at, output string
	var attendees []string
	cmd := &cobra.Command{
		Use:   "record --platform NAME --kind office-hours|community --host PERSON [--attendee TEAM=N]... [--question TEXT]...",
		Short: "Record a session",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if s.Attendees, err = parseAttendees(attendees); err != nil {
				return err
			}
			if at != "" {
				t, err := time.Parse("2006-01-02T15:04", at)
				if err != nil {
					return tandem.Errorf(tandem.EINVALID, "--at %q: expected YYYY-MM-DDTHH:MM", at)
				}
				s.At = t
			}
			return post(cmd, e, *server, "sessions", s, output, func(out tandem.Session) {
				printf(e.stdout, "session %d: %s of %s, %d teams\n", out.ID, out.Kind, out.Platform, len(out.Attendees))
			})
		},
	}
	outputFlag(cmd, &output, "text")
	_ = cmd.MarkFlagRequired("platform")
	_ = cmd.MarkFlagRequired("host")
	cmd.Flags().StringVar(&s.Platform, "platform", "", "the platform")
	cmd.Flags().StringVar(&s.Kind, "kind", tandem.SessionOfficeHours, "office-hours or community")
	cmd.Flags().StringVar(&s.Host, "host", "", "who hosted")
	cmd.Flags().StringVar(&at, "at", "", "when, YYYY-MM-DDTHH:MM UTC (default now)")
	cmd.Flags().StringArrayVar(&attendees, "attendee", nil, "a team that came, as TEAM or TEAM=people (repeatable)")
	cmd.Flags().StringArrayVar(&s.Questions, "question", nil, "a question asked (repeatable)")
	return cmd
}

// parseAttendees returns the people who came by team, from --attendee
// values TEAM (one person) or TEAM=N; a team named twice adds up.
func parseAttendees(attendees []string) (map[string]int, error) {
	byTeam := map[string]int{}
	for _, a := range attendees {
		team, n, _ := strings.Cut(a, "=")
		count := 1
		if n != "" {
			var err error
			if count, err = strconv.Atoi(n); err != nil {
				return nil, tandem.Errorf(tandem.EINVALID, "--attendee %q: expected TEAM=N", a)
			}
		}
		byTeam[team] += count
	}
	return byTeam, nil
}
