package consumption

import (
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestEngagementWarnings(t *testing.T) {
	now := at(t, "2024-03-13T12:00:00Z")
	work := func(day string, hours float64, category string) tandem.WorkLog {
		return tandem.WorkLog{Day: day, Hours: hours, Category: category}
	}
	recent := []tandem.WorkLog{work("2024-03-12", 5, tandem.WorkPlatform)}
	const (
		short   = "a time box under two weeks (10 days) is more disruptive than helpful"
		overran = "overran its time box by 3 days: collaborative, but only for a bit"
		drift   = "drifting into an extra pair of hands: 60% of logged hours are consumption work"
	)
	for _, tt := range []struct {
		name string
		e    tandem.Engagement
		want []string
	}{
		{
			name: "a six-week engagement with recent work has no warnings",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-03-01", Ends: "2024-04-12", Log: recent},
			want: []string{},
		},
		{
			name: "a ten-day time box is too short",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementProposed, Starts: "2024-03-20", Ends: "2024-03-30"},
			want: []string{short},
		},
		{
			name: "a two-week time box is long enough",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementProposed, Starts: "2024-03-20", Ends: "2024-04-03"},
			want: []string{},
		},
		{
			name: "an active engagement three days past its end overran",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-01-29", Ends: "2024-03-10", Log: recent},
			want: []string{overran},
		},
		{
			name: "an active engagement on its last day has not overrun",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-02-01", Ends: "2024-03-13", Log: recent},
			want: []string{},
		},
		{
			name: "an ended engagement past its end did not overrun",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementEnded, Starts: "2024-01-29", Ends: "2024-03-10"},
			want: []string{},
		},
		{
			name: "an embedded expert logging mostly consumption work drifts",
			e: tandem.Engagement{Type: tandem.EmbeddedExpert, State: tandem.EngagementActive, Starts: "2024-03-01", Ends: "2024-04-12",
				Log: []tandem.WorkLog{work("2024-03-04", 6, tandem.WorkConsumption), work("2024-03-12", 3, tandem.WorkPlatform), work("2024-03-12", 1, tandem.WorkOther)}},
			want: []string{drift},
		},
		{
			name: "an embedded expert logging half consumption work does not drift",
			e: tandem.Engagement{Type: tandem.EmbeddedExpert, State: tandem.EngagementActive, Starts: "2024-03-01", Ends: "2024-04-12",
				Log: []tandem.WorkLog{work("2024-03-04", 5, tandem.WorkConsumption), work("2024-03-12", 5, tandem.WorkPlatform)}},
			want: []string{},
		},
		{
			name: "a tour of duty logging consumption work does not drift",
			e: tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-03-01", Ends: "2024-04-12",
				Log: []tandem.WorkLog{work("2024-03-12", 8, tandem.WorkConsumption)}},
			want: []string{},
		},
		{
			name: "an active engagement with its last work three weeks ago has gone quiet",
			e: tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-02-01", Ends: "2024-04-01",
				Log: []tandem.WorkLog{work("2024-02-20", 4, tandem.WorkPlatform)}},
			want: []string{"no work logged in the last 14 days (the last on 2024-02-20): is the engagement still on?"},
		},
		{
			name: "an active engagement with work logged fourteen days ago has gone quiet",
			e: tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-02-01", Ends: "2024-04-01",
				Log: []tandem.WorkLog{work("2024-02-28", 4, tandem.WorkPlatform)}},
			want: []string{"no work logged in the last 14 days (the last on 2024-02-28): is the engagement still on?"},
		},
		{
			name: "an active engagement with work logged thirteen days ago is not quiet",
			e: tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-02-01", Ends: "2024-04-01",
				Log: []tandem.WorkLog{work("2024-02-29", 4, tandem.WorkPlatform)}},
			want: []string{},
		},
		{
			name: "an active engagement that never logged work since it started a month ago has gone quiet",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-02-12", Ends: "2024-03-25"},
			want: []string{"no work logged in the last 14 days (none logged yet): is the engagement still on?"},
		},
		{
			name: "an active engagement started a week ago without work is not quiet yet",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementActive, Starts: "2024-03-06", Ends: "2024-04-17"},
			want: []string{},
		},
		{
			name: "a proposed engagement without work is not quiet, but waits to be started",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementProposed, Starts: "2024-02-12", Ends: "2024-03-25"},
			want: []string{"proposed to start on 2024-02-12 and not started 30 days later: staff it, start it, or withdraw it"},
		},
		{
			name: "a staffed proposal two weeks past its start waits to be started",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementProposed, Person: "carol", Starts: "2024-02-28", Ends: "2024-04-10"},
			want: []string{"proposed to start on 2024-02-28 and not started 14 days later: start it, or withdraw it"},
		},
		{
			name: "a proposal thirteen days past its start does not warn yet",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementProposed, Starts: "2024-02-29", Ends: "2024-04-11"},
			want: []string{},
		},
		{
			name: "a withdrawn proposal has no warnings, however short or late",
			e:    tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementWithdrawn, Starts: "2024-01-01", Ends: "2024-01-05"},
			want: []string{},
		},
		{
			name: "a short, overrun, drifting embedded expert gets every warning",
			e: tandem.Engagement{Type: tandem.EmbeddedExpert, State: tandem.EngagementActive, Starts: "2024-02-29", Ends: "2024-03-10",
				Log: []tandem.WorkLog{work("2024-03-11", 6, tandem.WorkConsumption), work("2024-03-12", 4, tandem.WorkPlatform)}},
			want: []string{short, overran, drift},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := EngagementWarnings(tt.e, now)
			if got == nil {
				t.Fatal("EngagementWarnings() = nil, want a non-nil list")
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("EngagementWarnings() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateTimeBox(t *testing.T) {
	for _, tt := range []struct {
		name         string
		starts, ends string
		field        string // "" when valid
	}{
		{"a six-week time box is valid", "2024-03-01", "2024-04-12", ""},
		{"a missing end is invalid", "2024-03-01", "", "ends"},
		{"an end before the start is invalid", "2024-03-01", "2024-02-01", "ends"},
		{"an end on the start is invalid", "2024-03-01", "2024-03-01", "ends"},
		{"an end that is not a date is invalid", "2024-03-01", "in six weeks", "ends"},
		{"a missing start is invalid", "", "2024-04-12", "starts"},
		{"a start that is not a date is invalid", "2024-13-01", "2024-04-12", "starts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTimeBox(tt.starts, tt.ends)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("ValidateTimeBox() = %v, want nil", err)
				}
				return
			}
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Fatalf("code = %q, want %q (err %v)", got, want, err)
			}
			if got, want := tandem.ErrorMessage(err), tt.field+": "; !strings.HasPrefix(got, want) {
				t.Errorf("message = %q, want it to start with %q", got, want)
			}
		})
	}
}

func TestDefaultEnds(t *testing.T) {
	t.Run("the default time box ends six weeks after the start", func(t *testing.T) {
		got, err := DefaultEnds("2024-03-01")
		if err != nil {
			t.Fatal(err)
		}
		if want := "2024-04-12"; got != want {
			t.Errorf("DefaultEnds() = %q, want %q", got, want)
		}
		if err := ValidateTimeBox("2024-03-01", got); err != nil {
			t.Errorf("the default time box is invalid: %v", err)
		}
	})
	t.Run("a start that is not a date is invalid", func(t *testing.T) {
		_, err := DefaultEnds("March")
		if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
			t.Errorf("code = %q, want %q", got, want)
		}
	})
}
