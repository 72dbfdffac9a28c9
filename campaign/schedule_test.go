package campaign

import (
	"strings"
	"testing"
	"time"

	tandem "github.com/tandem-dev/tandem"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func TestNudgeDue(t *testing.T) {
	weekly := tandem.NudgeSpec{Every: "7d"}
	// 2026-03-02 is a Monday.
	for _, tt := range []struct {
		name      string
		spec      tandem.NudgeSpec
		deadline  string
		created   time.Time
		lastNudge *time.Time
		now       time.Time
		want      bool
	}{
		{name: "the first nudge is due Every after the ticket was created", spec: weekly, created: at("2026-03-02T10:00:00Z"), now: at("2026-03-09T10:00:00Z"), want: true},
		{name: "the first nudge is not due before Every has passed since creation", spec: weekly, created: at("2026-03-02T10:00:00Z"), now: at("2026-03-09T09:59:59Z"), want: false},
		{name: "a later nudge is measured from the last one", spec: weekly, created: at("2026-03-02T10:00:00Z"), lastNudge: ptr(at("2026-03-09T10:00:00Z")), now: at("2026-03-12T10:00:00Z"), want: false},
		{name: "a later nudge is due Every after the last one", spec: weekly, created: at("2026-03-02T10:00:00Z"), lastNudge: ptr(at("2026-03-09T10:00:00Z")), now: at("2026-03-16T10:00:00Z"), want: true},
		{name: "a nudge before the deadline day ends is due", spec: weekly, deadline: "2026-03-09", created: at("2026-03-02T00:00:00Z"), now: at("2026-03-09T23:59:00Z"), want: true},
		{name: "a nudge after the deadline is not due", spec: weekly, deadline: "2026-03-09", created: at("2026-03-02T00:00:00Z"), now: at("2026-03-10T00:00:00Z"), want: false},
		{
			name:     "the deadline day ends in the nudge's time zone",
			spec:     tandem.NudgeSpec{Every: "1d", TimeZone: "America/Los_Angeles"},
			deadline: "2026-03-09", created: at("2026-03-02T00:00:00Z"),
			now:  at("2026-03-10T05:00:00Z"), // 22:00 on the 9th in Los Angeles
			want: true,
		},
		{name: "a nudge on an allowed weekday is due", spec: tandem.NudgeSpec{Every: "1d", Weekdays: []string{"mon", "Wednesday"}}, created: at("2026-03-01T00:00:00Z"), now: at("2026-03-04T12:00:00Z"), want: true},
		{name: "a nudge on another weekday is not due", spec: tandem.NudgeSpec{Every: "1d", Weekdays: []string{"MON", "wednesday"}}, created: at("2026-03-01T00:00:00Z"), now: at("2026-03-05T12:00:00Z"), want: false},
		{
			name:    "the weekday is the one in the nudge's time zone",
			spec:    tandem.NudgeSpec{Every: "1d", Weekdays: []string{"tue"}, TimeZone: "Asia/Tokyo"},
			created: at("2026-03-01T00:00:00Z"),
			now:     at("2026-03-02T20:00:00Z"), // Monday in UTC, Tuesday 05:00 in Tokyo
			want:    true,
		},
		{name: "a nudge before At is not due", spec: tandem.NudgeSpec{Every: "1d", At: "09:30"}, created: at("2026-03-01T00:00:00Z"), now: at("2026-03-04T09:29:59Z"), want: false},
		{name: "a nudge at At is due", spec: tandem.NudgeSpec{Every: "1d", At: "09:30"}, created: at("2026-03-01T00:00:00Z"), now: at("2026-03-04T09:30:00Z"), want: true},
		{
			name:    "At is local time in the nudge's time zone",
			spec:    tandem.NudgeSpec{Every: "1d", At: "09:30", TimeZone: "Europe/Paris"},
			created: at("2026-03-01T00:00:00Z"),
			now:     at("2026-03-04T09:00:00Z"), // 10:00 in Paris
			want:    true,
		},
		{
			name:    "before At in the nudge's time zone is not due though it is later in UTC",
			spec:    tandem.NudgeSpec{Every: "1d", At: "09:30", TimeZone: "America/New_York"},
			created: at("2026-03-01T00:00:00Z"),
			now:     at("2026-03-04T14:00:00Z"), // 09:00 in New York
			want:    false,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NudgeDue(tt.spec, tt.deadline, tt.created, tt.lastNudge, tt.now)
			if err != nil {
				t.Fatalf("NudgeDue() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("NudgeDue() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNudgeDueRefusesABadDeadline(t *testing.T) {
	_, err := NudgeDue(tandem.NudgeSpec{Every: "1d"}, "31/01/2027", time.Time{}, nil, at("2026-03-04T09:00:00Z"))
	if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
		t.Errorf("ErrorCode() = %q, want %q", got, want)
	}
}

func TestValidateNudge(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec tandem.NudgeSpec
		want string // start of the error, "" for none
	}{
		{name: "a full spec is valid", spec: tandem.NudgeSpec{Every: "2w", Weekdays: []string{"Mon", "fri"}, At: "17:05", TimeZone: "Europe/Berlin"}},
		{name: "Every alone is valid", spec: tandem.NudgeSpec{Every: "36h"}},
		{name: "a missing Every is named", spec: tandem.NudgeSpec{}, want: "nudge.every: required"},
		{name: "an Every that is not a duration is named", spec: tandem.NudgeSpec{Every: "weekly"}, want: "nudge.every: "},
		{name: "a zero Every is named", spec: tandem.NudgeSpec{Every: "0d"}, want: "nudge.every: "},
		{name: "a weekday that is not one is named", spec: tandem.NudgeSpec{Every: "1d", Weekdays: []string{"mon", "funday"}}, want: `nudge.weekdays: "funday"`},
		{name: "an At that is not HH:MM is named", spec: tandem.NudgeSpec{Every: "1d", At: "9:30"}, want: `nudge.at: "9:30"`},
		{name: "an At past midnight is named", spec: tandem.NudgeSpec{Every: "1d", At: "24:00"}, want: `nudge.at: "24:00"`},
		{name: "an unknown time zone is named", spec: tandem.NudgeSpec{Every: "1d", TimeZone: "Mars/Olympus"}, want: `nudge.timeZone: unknown time zone "Mars/Olympus"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateNudge(tt.spec)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateNudge() error = %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("ValidateNudge() = %v, want error starting %q", err, tt.want)
			}
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Errorf("ErrorCode() = %q, want %q", got, want)
			}
		})
	}
}

func TestEscalationDue(t *testing.T) {
	ticketed := at("2026-03-01T12:00:00Z")
	for _, tt := range []struct {
		name     string
		spec     *tandem.EscalateSpec
		deadline string
		now      time.Time
		want     bool
	}{
		{name: "a nil spec never escalates", spec: nil, deadline: "2026-03-02", now: at("2030-01-01T00:00:00Z"), want: false},
		{name: "on deadline, a target is not a straggler during the deadline day", spec: &tandem.EscalateSpec{After: "deadline"}, deadline: "2026-03-10", now: at("2026-03-10T23:59:59Z"), want: false},
		{name: "on deadline, a target is a straggler once the deadline day ends", spec: &tandem.EscalateSpec{After: "deadline"}, deadline: "2026-03-10", now: at("2026-03-11T00:00:00Z"), want: true},
		{name: "on deadline, a migration without one never escalates", spec: &tandem.EscalateSpec{After: "deadline"}, now: at("2030-01-01T00:00:00Z"), want: false},
		{name: "a duration is not up before it has passed since the ticket", spec: &tandem.EscalateSpec{After: "30d"}, deadline: "2026-03-02", now: at("2026-03-31T11:59:59Z"), want: false},
		{name: "a duration is up once it has passed since the ticket", spec: &tandem.EscalateSpec{After: "30d"}, now: at("2026-03-31T12:00:00Z"), want: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EscalationDue(tt.spec, tt.deadline, ticketed, tt.now)
			if err != nil {
				t.Fatalf("EscalationDue() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("EscalationDue() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEscalationDueRefusesABadAfter(t *testing.T) {
	_, err := EscalationDue(&tandem.EscalateSpec{After: "soon"}, "", time.Time{}, time.Time{})
	if err == nil || !strings.HasPrefix(err.Error(), "escalate.after: ") {
		t.Fatalf("EscalationDue() error = %v, want one naming escalate.after", err)
	}
}

func TestRolloutBudget(t *testing.T) {
	now := at("2026-03-10T12:00:00Z")
	created := []time.Time{
		at("2026-03-09T11:00:00Z"), // more than a day ago
		at("2026-03-09T12:00:00Z"), // exactly a day ago: outside the window
		at("2026-03-09T12:00:01Z"),
		at("2026-03-10T08:00:00Z"),
		at("2026-03-10T12:00:00Z"),
	}
	for _, tt := range []struct {
		name    string
		spec    *tandem.RolloutSpec
		created []time.Time
		want    int
		wantErr string
	}{
		{name: "no rollout limit is -1", spec: nil, created: created, want: -1},
		{name: "nothing created leaves the whole budget", spec: &tandem.RolloutSpec{Max: 5, Per: "day"}, want: 5},
		{name: "only what was created in the last period counts", spec: &tandem.RolloutSpec{Max: 5, Per: "day"}, created: created, want: 2},
		{name: "a period may be a duration", spec: &tandem.RolloutSpec{Max: 5, Per: "6h"}, created: created, want: 3},
		{name: "a period may be in weeks", spec: &tandem.RolloutSpec{Max: 10, Per: "1w"}, created: created, want: 5},
		{name: "the budget never goes below zero", spec: &tandem.RolloutSpec{Max: 2, Per: "Week"}, created: created, want: 0},
		{name: "a Max below one is refused", spec: &tandem.RolloutSpec{Max: 0, Per: "day"}, wantErr: "rollout.max: "},
		{name: "a Per that is not a period is refused", spec: &tandem.RolloutSpec{Max: 5, Per: "fortnight"}, wantErr: "rollout.per: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RolloutBudget(tt.spec, tt.created, now)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("RolloutBudget() = %d, %v, want error starting %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("RolloutBudget() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("RolloutBudget() = %d, want %d", got, tt.want)
			}
		})
	}
}
