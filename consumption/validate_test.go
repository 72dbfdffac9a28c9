package consumption

import (
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
)

func TestValidateRequest(t *testing.T) {
	ok := tandem.Request{Type: "support", Title: "help", Size: tandem.SizeSmall}
	for _, tt := range []struct {
		name string
		edit func(*tandem.Request)
		want string // "" for valid
	}{
		{"a typed request is valid", func(*tandem.Request) {}, ""},
		{"an unknown type is named first", func(q *tandem.Request) { q.Type, q.Title = "wish", "" }, `request type: "wish" is not support, change or onboarding`},
		{"a title is required", func(q *tandem.Request) { q.Title = "" }, "request title: required"},
		{"a size is small or large", func(q *tandem.Request) { q.Size = "" }, `request size: "" is not small or large`},
		{"needed by is a date", func(q *tandem.Request) { q.NeededBy = "soon" }, `request needed_by: "soon" is not a date (YYYY-MM-DD)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := ok
			tt.edit(&q)
			if got := errorText(ValidateRequest(q)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewEngagement(t *testing.T) {
	now := time.Date(2025, 3, 10, 15, 0, 0, 0, time.UTC)
	t.Run("the time box defaults from today", func(t *testing.T) {
		e, err := NewEngagement(tandem.Engagement{Type: tandem.EngagementTypes[0]}, now)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := e.Starts+" "+e.Ends, "2025-03-10 2025-04-21"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("an unknown type is refused", func(t *testing.T) {
		_, err := NewEngagement(tandem.Engagement{Type: "holiday"}, now)
		if got := tandem.ErrorCode(err); got != tandem.EINVALID {
			t.Errorf("got %q, want %q", got, tandem.EINVALID)
		}
	})
}

func TestNewWorkLog(t *testing.T) {
	now := time.Date(2025, 3, 10, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		l    tandem.WorkLog
		want string // the day logged, or the error
	}{
		{"the day defaults to today", tandem.WorkLog{Hours: 2, Category: tandem.WorkCategories[0]}, "2025-03-10"},
		{"a day is a date", tandem.WorkLog{Day: "monday", Hours: 2, Category: tandem.WorkCategories[0]}, `day: "monday" is not a date (YYYY-MM-DD)`},
		{"hours are at most a day", tandem.WorkLog{Hours: 25, Category: tandem.WorkCategories[0]}, "hours: 25 is not between 0 and 24"},
		{"the category is known", tandem.WorkLog{Hours: 1, Category: "fun"}, `category: "fun" is not platform, consumption or other`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := NewWorkLog(tt.l, now)
			got := l.Day
			if err != nil {
				got = tandem.ErrorMessage(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateSupportChange(t *testing.T) {
	now := time.Date(2025, 3, 10, 15, 0, 0, 0, time.UTC)
	p := tandem.Platform{Name: "obslog", Support: tandem.SupportWhiteGlove}
	ok := tandem.SupportChange{To: tandem.SupportSelfService, Effective: "2025-04-07", Announcement: "docs are ready"}
	for _, tt := range []struct {
		name   string
		notice string
		edit   func(*tandem.SupportChange)
		want   string // "" for valid
	}{
		{"28 days' notice is enough by default", "", func(*tandem.SupportChange) {}, ""},
		{"less than the default notice is refused", "", func(c *tandem.SupportChange) { c.Effective = "2025-04-06" },
			"effective: 2025-04-06 gives consumers less than the 28-day notice; the earliest is 2025-04-07"},
		{"the platform's own notice counts", "2w", func(c *tandem.SupportChange) { c.Effective = "2025-03-24" }, ""},
		{"the model changes", "", func(c *tandem.SupportChange) { c.To = tandem.SupportWhiteGlove }, "to: white-glove is already obslog's support model"},
		{"an announcement is required", "", func(c *tandem.SupportChange) { c.Announcement = "" }, "announcement: required: say how support changes and why"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, p := ok, p
			p.SupportNotice = tt.notice
			tt.edit(&c)
			if got := errorText(ValidateSupportChange(p, c, now)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// errorText is err's message, "" for none.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return tandem.ErrorMessage(err)
}
