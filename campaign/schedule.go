package campaign

import (
	"strconv"
	"strings"
	"time"

	tandem "github.com/tandem-dev/tandem"
)

// dateLayout is the layout of a migration's deadline.
const dateLayout = "2006-01-02"

// EscalateAtDeadline is the EscalateSpec.After that makes targets
// stragglers once the deadline has passed.
const EscalateAtDeadline = "deadline"

// nudgeRule is a NudgeSpec, parsed.
type nudgeRule struct {
	every    time.Duration
	weekdays map[time.Weekday]bool // nil: every day
	at       time.Duration         // since local midnight
	loc      *time.Location
}

var weekdayNames = map[string]time.Weekday{}

func init() {
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		weekdayNames[name] = d
		weekdayNames[name[:3]] = d
	}
}

// parseNudge returns n parsed, or an EINVALID error naming its bad field.
func parseNudge(n tandem.NudgeSpec) (nudgeRule, error) {
	var r nudgeRule
	if n.Every == "" {
		return r, tandem.Errorf(tandem.EINVALID, "nudge.every: required")
	}
	every, err := tandem.ParseDuration(n.Every)
	if err != nil || every <= 0 {
		return r, tandem.Errorf(tandem.EINVALID, "nudge.every: invalid duration %q (use 36h, 7d or 2w)", n.Every)
	}
	r.every = every
	for _, w := range n.Weekdays {
		d, ok := weekdayNames[strings.ToLower(strings.TrimSpace(w))]
		if !ok {
			return r, tandem.Errorf(tandem.EINVALID, "nudge.weekdays: %q is not a weekday (use mon or Monday)", w)
		}
		if r.weekdays == nil {
			r.weekdays = map[time.Weekday]bool{}
		}
		r.weekdays[d] = true
	}
	if n.At != "" {
		at, ok := parseClock(n.At)
		if !ok {
			return r, tandem.Errorf(tandem.EINVALID, "nudge.at: %q is not a time of day HH:MM", n.At)
		}
		r.at = at
	}
	r.loc = time.UTC
	if n.TimeZone != "" {
		loc, err := time.LoadLocation(n.TimeZone)
		if err != nil || n.TimeZone == "Local" {
			return r, tandem.Errorf(tandem.EINVALID, "nudge.timeZone: unknown time zone %q", n.TimeZone)
		}
		r.loc = loc
	}
	return r, nil
}

// parseClock parses "HH:MM" (24-hour clock) into the time since midnight.
func parseClock(s string) (time.Duration, bool) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) != 2 || len(mm) != 2 {
		return 0, false
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

// endOfDay returns the first instant after the date day (YYYY-MM-DD) in loc.
func endOfDay(day string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(dateLayout, day, loc)
	if err != nil {
		return time.Time{}, tandem.Errorf(tandem.EINVALID, "deadline: %q is not a date YYYY-MM-DD", day)
	}
	return d.AddDate(0, 0, 1), nil
}

// ValidateNudge returns an EINVALID error naming the bad field of n (every
// missing or not a duration, a weekday that is not one, At not HH:MM, an
// unknown time zone), or nil when n is valid.
func ValidateNudge(n tandem.NudgeSpec) error {
	_, err := parseNudge(n)
	return err
}

// NudgeDue reports whether an open ticket created at created and last
// nudged at lastNudge (nil when never) is due a nudge at now: before the
// end of the deadline day (in the nudge's time zone; no limit when the
// deadline is empty), at least Every after the later of creation and the
// last nudge, on an allowed weekday and at or after At, local time. It
// returns an EINVALID error for an invalid spec or deadline.
func NudgeDue(n tandem.NudgeSpec, deadline string, created time.Time, lastNudge *time.Time, now time.Time) (bool, error) {
	r, err := parseNudge(n)
	if err != nil {
		return false, err
	}
	if deadline != "" {
		end, err := endOfDay(deadline, r.loc)
		if err != nil {
			return false, err
		}
		if !now.Before(end) {
			return false, nil
		}
	}
	last := created
	if lastNudge != nil && lastNudge.After(last) {
		last = *lastNudge
	}
	if now.Sub(last) < r.every {
		return false, nil
	}
	local := now.In(r.loc)
	if r.weekdays != nil && !r.weekdays[local.Weekday()] {
		return false, nil
	}
	sinceMidnight := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute + time.Duration(local.Second())*time.Second
	return sinceMidnight >= r.at, nil
}

// EscalationDue reports whether a target ticketed at ticketed is a
// straggler at now. With After "deadline" it is one from the end of the
// deadline day (UTC), and never when the migration has no deadline; with
// a duration, from that long after ticketed. A nil spec never escalates
// automatically. It returns an EINVALID error for an invalid After or
// deadline.
func EscalationDue(e *tandem.EscalateSpec, deadline string, ticketed time.Time, now time.Time) (bool, error) {
	if e == nil {
		return false, nil
	}
	if e.After == EscalateAtDeadline {
		if deadline == "" {
			return false, nil
		}
		end, err := endOfDay(deadline, time.UTC)
		if err != nil {
			return false, err
		}
		return !now.Before(end), nil
	}
	d, err := tandem.ParseDuration(e.After)
	if err != nil {
		return false, tandem.Errorf(tandem.EINVALID, "escalate.after: %q is neither %q nor a duration", e.After, EscalateAtDeadline)
	}
	return !now.Before(ticketed.Add(d)), nil
}

// rolloutPeriods are the names RolloutSpec.Per accepts besides durations.
var rolloutPeriods = map[string]time.Duration{
	"hour": time.Hour,
	"day":  24 * time.Hour,
	"week": 7 * 24 * time.Hour,
}

// RolloutBudget returns how many more tickets and change requests a
// campaign may create at now, given the times it created earlier ones:
// Max less those created in the period (Per: "hour", "day", "week" or a
// duration such as "12h" or "2d") that ends at now, never below zero. It
// returns -1 when r is nil (no rollout limit), and an EINVALID error when
// Max is below 1 or Per is not a period.
func RolloutBudget(r *tandem.RolloutSpec, created []time.Time, now time.Time) (int, error) {
	if r == nil {
		return -1, nil
	}
	if r.Max < 1 {
		return 0, tandem.Errorf(tandem.EINVALID, "rollout.max: must be at least 1, not %d", r.Max)
	}
	per, ok := rolloutPeriods[strings.ToLower(r.Per)]
	if !ok {
		d, err := tandem.ParseDuration(r.Per)
		if err != nil || d <= 0 {
			return 0, tandem.Errorf(tandem.EINVALID, "rollout.per: %q is not a period (use day, week or a duration such as 12h)", r.Per)
		}
		per = d
	}
	start := now.Add(-per)
	used := 0
	for _, c := range created {
		if c.After(start) && !c.After(now) {
			used++
		}
	}
	return max(r.Max-used, 0), nil
}
