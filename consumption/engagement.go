package consumption

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// DefaultTimeBox is an engagement's time box when none is given: long
// enough to learn, short enough to stay an engagement.
const DefaultTimeBox = 42 * day

// minTimeBox is the shortest time box that is not more disruptive than
// helpful.
const minTimeBox = 14 * day

// quietDays is how long an active engagement may go without logged work.
const quietDays = 14

// ValidateTimeBox returns an EINVALID *tandem.Error naming the field
// ("starts: …" or "ends: …") unless starts and ends are dates
// (YYYY-MM-DD) and ends comes after starts.
func ValidateTimeBox(starts, ends string) error {
	s, err := parseDate("starts", starts)
	if err != nil {
		return err
	}
	e, err := parseDate("ends", ends)
	if err != nil {
		return err
	}
	if !e.After(s) {
		return tandem.Errorf(tandem.EINVALID, "ends: %s must come after starts (%s)", ends, starts)
	}
	return nil
}

// DefaultEnds returns the end of a DefaultTimeBox starting on starts, as
// YYYY-MM-DD, or an EINVALID error when starts is not a date.
func DefaultEnds(starts string) (string, error) {
	s, err := parseDate("starts", starts)
	if err != nil {
		return "", err
	}
	return s.Add(DefaultTimeBox).Format(time.DateOnly), nil
}

// parseDate parses a YYYY-MM-DD date, or returns an EINVALID error naming
// field.
func parseDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, tandem.Errorf(tandem.EINVALID, "%s: required", field)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, tandem.Errorf(tandem.EINVALID, "%s: %q is not a date (YYYY-MM-DD)", field, s)
	}
	return t, nil
}

// EngagementWarnings returns what the data says is going wrong with e at
// now, as sentences, or an empty list:
//   - its time box is under two weeks;
//   - it is active past the end of its time box;
//   - it is an embedded expert whose logged hours are mostly consumption
//     work rather than platform work;
//   - it is active, started at least two weeks ago, and has logged no work
//     in the last two weeks;
//   - it is proposed, and was to start at least two weeks ago.
//
// A withdrawn engagement has no warnings. Dates that do not parse give no
// warning.
func EngagementWarnings(e tandem.Engagement, now time.Time) []string {
	warnings := []string{}
	if e.State == tandem.EngagementWithdrawn {
		return warnings
	}
	today := dateOf(now)
	starts, errStarts := time.Parse(time.DateOnly, e.Starts)
	ends, errEnds := time.Parse(time.DateOnly, e.Ends)
	if errStarts == nil && errEnds == nil && ends.Sub(starts) < minTimeBox {
		warnings = append(warnings, fmt.Sprintf("a time box under two weeks (%s) is more disruptive than helpful",
			plural(int(ends.Sub(starts)/day), "day")))
	}
	if errEnds == nil && e.State == tandem.EngagementActive && today.After(ends) {
		warnings = append(warnings, fmt.Sprintf("overran its time box by %s: collaborative, but only for a bit",
			plural(int(today.Sub(ends)/day), "day")))
	}
	if e.Type == tandem.EmbeddedExpert {
		var total, consumption float64
		for _, l := range e.Log {
			total += l.Hours
			if l.Category == tandem.WorkConsumption {
				consumption += l.Hours
			}
		}
		if total > 0 && consumption > total/2 {
			warnings = append(warnings, fmt.Sprintf("drifting into an extra pair of hands: %d%% of logged hours are consumption work",
				int(math.Round(100*consumption/total))))
		}
	}
	quietSince := today.AddDate(0, 0, -quietDays)
	if e.State == tandem.EngagementProposed && errStarts == nil && !starts.After(quietSince) {
		next := "staff it, start it"
		if e.Person != "" {
			next = "start it"
		}
		warnings = append(warnings, fmt.Sprintf("proposed to start on %s and not started %s later: %s, or withdraw it",
			e.Starts, plural(int(today.Sub(starts)/day), "day"), next))
	}
	if e.State == tandem.EngagementActive && errStarts == nil && !starts.After(quietSince) {
		last := ""
		for _, l := range e.Log {
			if l.Hours > 0 && l.Day > last && l.Day <= today.Format(time.DateOnly) {
				last = l.Day
			}
		}
		if last <= quietSince.Format(time.DateOnly) {
			since := "none logged yet"
			if last != "" {
				since = "the last on " + last
			}
			warnings = append(warnings, fmt.Sprintf("no work logged in the last %d days (%s): is the engagement still on?", quietDays, since))
		}
	}
	return warnings
}

// NewEngagement returns e as it is to be created: starting today (of now)
// unless it says when, for DefaultTimeBox unless it says until when. It
// returns an EINVALID error naming the field unless its type is one of
// tandem.EngagementTypes and its time box is valid (ValidateTimeBox).
func NewEngagement(e tandem.Engagement, now time.Time) (tandem.Engagement, error) {
	if !slices.Contains(tandem.EngagementTypes, e.Type) {
		return e, tandem.Errorf(tandem.EINVALID, "engagement type %q is not tour-of-duty, embedded-expert or white-glove", e.Type)
	}
	if e.Starts == "" {
		e.Starts = now.Format(time.DateOnly)
	}
	if e.Ends == "" {
		ends, err := DefaultEnds(e.Starts)
		if err != nil {
			return e, err
		}
		e.Ends = ends
	}
	return e, ValidateTimeBox(e.Starts, e.Ends)
}

// NewWorkLog returns l as it is to be logged, on today (of now) unless it
// says which day. It returns an EINVALID error naming the field unless the
// day is a date, the hours are more than 0 and at most 24, and the
// category is one of tandem.WorkCategories.
func NewWorkLog(l tandem.WorkLog, now time.Time) (tandem.WorkLog, error) {
	if l.Day == "" {
		l.Day = now.Format(time.DateOnly)
	}
	switch _, err := time.Parse(time.DateOnly, l.Day); {
	case err != nil:
		return l, tandem.Errorf(tandem.EINVALID, "day: %q is not a date (YYYY-MM-DD)", l.Day)
	case l.Hours <= 0 || l.Hours > 24:
		return l, tandem.Errorf(tandem.EINVALID, "hours: %g is not between 0 and 24", l.Hours)
	case !slices.Contains(tandem.WorkCategories, l.Category):
		return l, tandem.Errorf(tandem.EINVALID, "category: %q is not platform, consumption or other", l.Category)
	}
	return l, nil
}
