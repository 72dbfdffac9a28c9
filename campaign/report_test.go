package campaign

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tandem "github.com/tandem-dev/tandem"
)

func TestBurndown(t *testing.T) {
	targets := []tandem.Target{
		{Codebase: "a", State: tandem.TargetDone, FoundAt: at("2026-03-01T09:00:00Z"), DoneAt: ptr(at("2026-03-03T10:00:00Z"))},
		{Codebase: "b", State: tandem.TargetTicketed, FoundAt: at("2026-03-01T23:59:00Z")},
		{Codebase: "c", State: tandem.TargetPending, FoundAt: at("2026-03-02T00:00:00Z")},
		{Codebase: "d", State: tandem.TargetExempt, FoundAt: at("2026-03-02T08:00:00Z"), Exemption: &tandem.Exemption{Reason: "sunset", At: at("2026-03-04T00:00:00Z")}},
		// Done on the day it was found: never open at the end of a day.
		{Codebase: "e", State: tandem.TargetDone, FoundAt: at("2026-03-03T08:00:00Z"), DoneAt: ptr(at("2026-03-03T09:00:00Z"))},
		// Open again after a regression: its old DoneAt does not count.
		{Codebase: "f", State: tandem.TargetTicketed, FoundAt: at("2026-03-02T10:00:00Z"), DoneAt: ptr(at("2026-03-03T09:00:00Z"))},
	}
	for _, tt := range []struct {
		name    string
		targets []tandem.Target
		now     time.Time
		want    []Point
	}{
		{name: "no targets is no points", now: at("2026-03-05T12:00:00Z"), want: nil},
		{
			name:    "each day from the first found to today counts the targets open at its end",
			targets: targets,
			now:     at("2026-03-05T12:00:00+02:00"),
			want: []Point{
				{Day: "2026-03-01", Open: 2},
				{Day: "2026-03-02", Open: 5},
				{Day: "2026-03-03", Open: 4},
				{Day: "2026-03-04", Open: 3},
				{Day: "2026-03-05", Open: 3},
			},
		},
		{
			name:    "a day is a UTC day whatever the zone of the times",
			targets: []tandem.Target{{State: tandem.TargetPending, FoundAt: at("2026-03-02T01:00:00+03:00")}},
			now:     at("2026-03-02T00:00:00Z"),
			want:    []Point{{Day: "2026-03-01", Open: 1}, {Day: "2026-03-02", Open: 1}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Burndown(tt.targets, tt.now); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Burndown() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLeadTimes(t *testing.T) {
	start := at("2026-03-01T00:00:00Z")
	ticketDone := func(d time.Duration) tandem.Target {
		return tandem.Target{State: tandem.TargetDone, TicketedAt: &start, DoneAt: ptr(start.Add(d))}
	}
	prDone := func(d time.Duration) tandem.Target {
		return tandem.Target{State: tandem.TargetDone, TicketedAt: ptr(start.Add(-90 * 24 * time.Hour)), PROpenedAt: &start, DoneAt: ptr(start.Add(d))}
	}
	day := 24 * time.Hour
	for _, tt := range []struct {
		name    string
		targets []tandem.Target
		want    []LeadTime
	}{
		{
			name: "no finished targets lists both patterns with no count",
			targets: []tandem.Target{
				{State: tandem.TargetTicketed, TicketedAt: &start},
				{State: tandem.TargetDone, TicketedAt: &start}, // no DoneAt
				{State: tandem.TargetDone, DoneAt: &start},     // neither ticket nor change request
			},
			want: []LeadTime{{Pattern: PatternFileATicket}, {Pattern: PatternPullRequest}},
		},
		{
			name:    "an odd count has the middle time as median",
			targets: []tandem.Target{ticketDone(10 * day), ticketDone(2 * day), ticketDone(3*day + 4*time.Hour)},
			want: []LeadTime{
				{Pattern: PatternFileATicket, Count: 3, Median: 3*day + 4*time.Hour, MedianText: "3d 4h"},
				{Pattern: PatternPullRequest},
			},
		},
		{
			name: "an even count has the mean of the two middle times as median",
			targets: []tandem.Target{
				prDone(4 * time.Hour), prDone(day), prDone(2 * time.Hour), prDone(90 * time.Minute),
				ticketDone(7 * day), ticketDone(5 * day),
			},
			want: []LeadTime{
				{Pattern: PatternFileATicket, Count: 2, Median: 6 * day, MedianText: "6d"},
				{Pattern: PatternPullRequest, Count: 4, Median: 3 * time.Hour, MedianText: "3h"},
			},
		},
		{
			name:    "a change request open again after its target regressed does not count",
			targets: []tandem.Target{{State: tandem.TargetPROpen, PROpenedAt: &start, DoneAt: ptr(start.Add(day))}, prDone(45*time.Minute + 30*time.Second)},
			want: []LeadTime{
				{Pattern: PatternFileATicket},
				{Pattern: PatternPullRequest, Count: 1, Median: 45*time.Minute + 30*time.Second, MedianText: "45m"},
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := LeadTimes(tt.targets); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LeadTimes() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestByTeam(t *testing.T) {
	payTicket := &tandem.TicketRef{ID: 1, URL: "https://t/1", State: tandem.TicketOpen}
	targets := []tandem.Target{
		{Codebase: "billing", Team: "payments", State: tandem.TargetTicketed, Ticket: payTicket},
		{Codebase: "ledger", Team: "payments", State: tandem.TargetDone, Ticket: payTicket},
		{Codebase: "refunds", Team: "payments", State: tandem.TargetTicketed, Ticket: payTicket},
		{Codebase: "web", Team: "frontend", State: tandem.TargetTicketed, Ticket: &tandem.TicketRef{ID: 2, URL: "https://t/2"}},
		{Codebase: "app", Team: "frontend", State: tandem.TargetPROpen, Ticket: &tandem.TicketRef{ID: 3, URL: "https://t/3"}},
		{Codebase: "search", Owner: ptr("discovery"), State: tandem.TargetPending},
		{Codebase: "legacy", State: tandem.TargetUnowned},
		{Codebase: "old", State: tandem.TargetUnowned},
	}
	want := []TeamProgress{
		{Team: "(unowned)", Total: 2, States: map[string]int{"unowned": 2}},
		{Team: "discovery", Total: 1, States: map[string]int{"pending": 1}},
		{Team: "frontend", Total: 2, States: map[string]int{"ticketed": 1, "pr-open": 1}},
		{Team: "payments", Total: 3, States: map[string]int{"ticketed": 2, "done": 1}, Ticket: payTicket},
	}
	got := ByTeam(targets)
	if len(got) != len(want) {
		t.Fatalf("ByTeam() = %+v, want %+v", got, want)
	}
	for i := range want {
		t.Run("team "+want[i].Team+" has its counts and shared ticket", func(t *testing.T) {
			g, w := got[i], want[i]
			if g.Team != w.Team || g.Total != w.Total || !maps.Equal(g.States, w.States) {
				t.Errorf("ByTeam()[%d] = %+v, want %+v", i, g, w)
			}
			if !reflect.DeepEqual(g.Ticket, w.Ticket) {
				t.Errorf("ByTeam()[%d].Ticket = %+v, want %+v", i, g.Ticket, w.Ticket)
			}
		})
	}
}

func TestWriteCSV(t *testing.T) {
	for _, tt := range []struct {
		name    string
		targets []tandem.Target
		want    string
	}{
		{name: "no targets is the header alone", want: "codebase,team,state,ticket_url,ticket_state,pull_request_url,pull_request_state,evidence,found_at,ticketed_at,pr_opened_at,done_at\n"},
		{
			name: "each target is a row with its links, first evidence and times in UTC",
			targets: []tandem.Target{
				{
					Codebase: "billing", Team: "payments", State: tandem.TargetDone,
					Evidence:    []tandem.Match{{Path: "go.mod", Line: 7}, {Path: "main.go", Line: 1}},
					Ticket:      &tandem.TicketRef{ID: 1, URL: "https://t/1", State: tandem.TicketClosed},
					PullRequest: &tandem.ChangeRequestRef{ID: 9, URL: "https://git/pr/9", State: tandem.ChangeMerged},
					FoundAt:     at("2026-03-01T09:00:00+01:00"),
					TicketedAt:  ptr(at("2026-03-01T10:00:00Z")),
					PROpenedAt:  ptr(at("2026-03-20T10:00:00Z")),
					DoneAt:      ptr(at("2026-03-21T10:30:00Z")),
				},
				{Codebase: "search, v2", Owner: ptr("discovery"), State: tandem.TargetPending, Evidence: []tandem.Match{{Path: "a \"b\".go"}}, FoundAt: at("2026-03-02T00:00:00Z")},
				{Codebase: "legacy", State: tandem.TargetUnowned, FoundAt: at("2026-03-02T00:00:00Z")},
			},
			want: "codebase,team,state,ticket_url,ticket_state,pull_request_url,pull_request_state,evidence,found_at,ticketed_at,pr_opened_at,done_at\n" +
				"billing,payments,done,https://t/1,closed,https://git/pr/9,merged,go.mod:7,2026-03-01T08:00:00Z,2026-03-01T10:00:00Z,2026-03-20T10:00:00Z,2026-03-21T10:30:00Z\n" +
				"\"search, v2\",discovery,pending,,,,,\"a \"\"b\"\".go\",2026-03-02T00:00:00Z,,,\n" +
				"legacy,,unowned,,,,,,2026-03-02T00:00:00Z,,,\n",
		},
		{
			name: "a cell a spreadsheet would read as a formula is quoted",
			targets: []tandem.Target{{
				Codebase: "-2+3", Team: "@payments", State: tandem.TargetTicketed,
				Evidence:    []tandem.Match{{Path: `=HYPERLINK("http://x","y").go`, Line: 1}},
				Ticket:      &tandem.TicketRef{ID: 1, URL: "=cmd|' /C calc'!A0", State: tandem.TicketOpen},
				PullRequest: &tandem.ChangeRequestRef{ID: 2, URL: "+1", State: "\topen"},
				FoundAt:     at("2026-03-02T00:00:00Z"),
			}},
			want: "codebase,team,state,ticket_url,ticket_state,pull_request_url,pull_request_state,evidence,found_at,ticketed_at,pr_opened_at,done_at\n" +
				"'-2+3,'@payments,ticketed,'=cmd|' /C calc'!A0,open,'+1,'\topen,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\").go:1\",2026-03-02T00:00:00Z,,,\n",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteCSV(&b, tt.targets); err != nil {
				t.Fatalf("WriteCSV() error = %v", err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("WriteCSV() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteCSVReturnsTheWriteError(t *testing.T) {
	err := WriteCSV(failingWriter{}, []tandem.Target{{Codebase: "a"}})
	if !errors.Is(err, errDiskFull) {
		t.Errorf("WriteCSV() error = %v, want %v", err, errDiskFull)
	}
}

func TestCSVCell(t *testing.T) {
	for _, tt := range []struct{ cell, want string }{
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
		{"payments-api", "payments-api"},
		{"https://t/1", "https://t/1"},
		{"", ""},
	} {
		if got := CSVCell(tt.cell); got != tt.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tt.cell, got, tt.want)
		}
	}
}

func TestChanges(t *testing.T) {
	found, later := at("2025-03-01T09:00:00Z"), at("2025-03-01T09:05:00Z")
	targets := []tandem.Target{
		{Codebase: "a", State: tandem.TargetTicketed, FoundAt: found},
		{Codebase: "b", State: tandem.TargetDone, FoundAt: found, DoneAt: ptr(at("2025-03-01T15:00:00Z"))},
		{Codebase: "c", State: tandem.TargetExempt, FoundAt: later, Exemption: &tandem.Exemption{At: at("2025-03-03T10:00:00Z")}},
	}
	t.Run("there is a change each time the number open changed, within a day too", func(t *testing.T) {
		want := []Change{{found, 2}, {later, 3}, {at("2025-03-01T15:00:00Z"), 2}, {at("2025-03-03T10:00:00Z"), 1}}
		if got := Changes(targets); !slices.Equal(got, want) {
			t.Errorf("Changes = %v, want %v", got, want)
		}
	})
	t.Run("the kept counts give a change per day", func(t *testing.T) {
		days := []tandem.DayCount{{Found: "2025-03-01", State: tandem.TargetTicketed, Count: 1}, {Found: "2025-03-01", Done: "2025-03-04", State: tandem.TargetDone, Count: 2},
			{Found: "2025-03-02", State: tandem.TargetExempt, Count: 5}}
		want := []Change{{at("2025-03-01T00:00:00Z"), 3}, {at("2025-03-04T00:00:00Z"), 1}}
		if got := DayChanges(days); !slices.Equal(got, want) {
			t.Errorf("DayChanges = %v, want %v", got, want)
		}
	})
	t.Run("the ideal runs from the open targets at launch to none at the deadline", func(t *testing.T) {
		launch := at("2025-03-01T12:00:00Z")
		want := []Change{{launch, 3}, {at("2025-03-31T00:00:00Z"), 0}}
		if got := Ideal(Changes(targets), launch, "2025-03-31"); !slices.Equal(got, want) {
			t.Errorf("Ideal = %v, want %v", got, want)
		}
	})
	t.Run("never launched, the ideal runs from the first target found", func(t *testing.T) {
		if got := Ideal(Changes(targets), time.Time{}, "2025-03-31"); len(got) != 2 || !got[0].At.Equal(found) || got[0].Open != 2 {
			t.Errorf("Ideal = %v", got)
		}
	})
	t.Run("no deadline or one before launch draws no ideal", func(t *testing.T) {
		if got := Ideal(Changes(targets), time.Time{}, ""); got != nil {
			t.Errorf("Ideal = %v, want nil", got)
		}
		if got := Ideal(Changes(targets), time.Time{}, "2025-02-01"); got != nil {
			t.Errorf("Ideal = %v, want nil", got)
		}
	})
}
