package consumption

import (
	"cmp"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// RequestLeadTimes is how long requests waited: the median time from
// filing to the first response, to acceptance, to done and to declined,
// each over the requests that reached that step. A declined request is
// not done: it counts only in Declined. Durations are in nanoseconds (_ns)
// and for people (_text, "3d 4h"; empty when no request reached the step).
type RequestLeadTimes struct {
	// Count is the number of requests considered.
	Count int `json:"count"`
	// Responded, AcceptedCount, DoneCount and DeclinedCount are the
	// numbers of requests that reached each step: what each median is over.
	Responded         int           `json:"responded"`
	AcceptedCount     int           `json:"accepted_count"`
	DoneCount         int           `json:"done_count"`
	DeclinedCount     int           `json:"declined_count"`
	FirstResponse     time.Duration `json:"first_response_ns"`
	FirstResponseText string        `json:"first_response_text"`
	Accepted          time.Duration `json:"accepted_ns"`
	AcceptedText      string        `json:"accepted_text"`
	Done              time.Duration `json:"done_ns"`
	DoneText          string        `json:"done_text"`
	Declined          time.Duration `json:"declined_ns"`
	DeclinedText      string        `json:"declined_text"`
}

// LeadTimes returns the median lead times of reqs: CreatedAt to
// RespondedAt and to AcceptedAt, over the requests that have them, and to
// DoneAt, over the requests done and, apart, over those declined (DoneAt
// is when a request finished either way). A timestamp before CreatedAt
// counts as zero.
func LeadTimes(reqs []tandem.Request) RequestLeadTimes {
	var responded, accepted, done, declined []time.Duration
	since := func(r tandem.Request, t time.Time) time.Duration { return max(t.Sub(r.CreatedAt), 0) }
	for _, r := range reqs {
		if r.RespondedAt != nil {
			responded = append(responded, since(r, *r.RespondedAt))
		}
		if r.AcceptedAt != nil {
			accepted = append(accepted, since(r, *r.AcceptedAt))
		}
		if r.DoneAt == nil {
			continue
		}
		switch r.State {
		case tandem.RequestDone:
			done = append(done, since(r, *r.DoneAt))
		case tandem.RequestDeclined:
			declined = append(declined, since(r, *r.DoneAt))
		}
	}
	lt := RequestLeadTimes{Count: len(reqs), Responded: len(responded), AcceptedCount: len(accepted), DoneCount: len(done),
		DeclinedCount: len(declined), FirstResponse: median(responded), Accepted: median(accepted), Done: median(done), Declined: median(declined)}
	lt.FirstResponseText = medianText(lt.Responded, lt.FirstResponse)
	lt.AcceptedText = medianText(lt.AcceptedCount, lt.Accepted)
	lt.DoneText = medianText(lt.DoneCount, lt.Done)
	lt.DeclinedText = medianText(lt.DeclinedCount, lt.Declined)
	return lt
}

// medianText is a median for people, or "" when it is over no request.
func medianText(n int, d time.Duration) string {
	if n == 0 {
		return ""
	}
	return tandem.DurationText(d)
}

// BacklogWeeks is how many weeks a backlog's history covers.
const BacklogWeeks = 8

// bottleneckWeeks is how many weeks in a row the median backlog age must
// grow for a platform to be flagged as a bottleneck.
const bottleneckWeeks = 4

// Backlog is a platform's open requests and how their age evolved.
type Backlog struct {
	Open          int           `json:"open"`
	MedianAge     time.Duration `json:"median_age_ns"`
	MedianAgeText string        `json:"median_age_text"`
	// Requests are the open requests, oldest first.
	Requests []OpenRequest `json:"requests"`
	// Weekly is the backlog at the end of each of the last BacklogWeeks
	// weeks, oldest first.
	Weekly []WeekAge `json:"weekly"`
	// Bottleneck is true when the median backlog age grew week over week
	// for the last four weeks.
	Bottleneck bool `json:"bottleneck"`
}

// OpenRequest is an open request and its age.
type OpenRequest struct {
	ID       int64         `json:"id"`
	FromTeam string        `json:"from_team"`
	Title    string        `json:"title"`
	State    string        `json:"state"`
	Age      time.Duration `json:"age_ns"`
	AgeText  string        `json:"age_text"`
}

// WeekAge is the backlog at the end of a week.
type WeekAge struct {
	// Week is the week's last day (a Sunday), YYYY-MM-DD.
	Week          string        `json:"week"`
	MedianAge     time.Duration `json:"median_age_ns"`
	MedianAgeText string        `json:"median_age_text"`
	Open          int           `json:"open"`
}

// PlatformBacklog returns the backlog of one platform's requests at now:
// the open requests and their median age, and the median age of the
// requests open at the end of each of the last BacklogWeeks weeks (Monday
// to Sunday, UTC; the current week at now), replayed from CreatedAt and
// the time each request closed (DoneAt; for a declined request without
// one, RespondedAt). Bottleneck is set when the weekly median age rose
// strictly over the last five weekly points, with requests open at each:
// a platform whose backlog ages for four weeks running is not keeping up.
func PlatformBacklog(reqs []tandem.Request, now time.Time) Backlog {
	now = now.UTC()
	b := Backlog{Requests: []OpenRequest{}, Weekly: []WeekAge{}}
	var ages []time.Duration
	for _, r := range reqs {
		if !r.Open() {
			continue
		}
		age := max(now.Sub(r.CreatedAt), 0)
		ages = append(ages, age)
		b.Requests = append(b.Requests, OpenRequest{ID: r.ID, FromTeam: r.FromTeam, Title: r.Title, State: r.State,
			Age: age, AgeText: tandem.DurationText(age)})
	}
	slices.SortStableFunc(b.Requests, func(x, y OpenRequest) int {
		return cmp.Or(cmp.Compare(y.Age, x.Age), cmp.Compare(x.ID, y.ID))
	})
	b.Open = len(ages)
	b.MedianAge = median(ages)
	b.MedianAgeText = tandem.DurationText(b.MedianAge)

	today := dateOf(now)
	monday := today.AddDate(0, 0, -(int(today.Weekday())+6)%7)
	for k := BacklogWeeks - 1; k >= 0; k-- {
		start := monday.AddDate(0, 0, -7*k)
		at := start.AddDate(0, 0, 7)
		if at.After(now) {
			at = now
		}
		var ages []time.Duration
		for _, r := range reqs {
			if r.CreatedAt.After(at) {
				continue
			}
			if c := closedAt(r); c != nil && !c.After(at) {
				continue
			}
			ages = append(ages, at.Sub(r.CreatedAt))
		}
		m := median(ages)
		b.Weekly = append(b.Weekly, WeekAge{Week: start.AddDate(0, 0, 6).Format(time.DateOnly),
			MedianAge: m, MedianAgeText: tandem.DurationText(m), Open: len(ages)})
	}
	b.Bottleneck = growing(b.Weekly[len(b.Weekly)-bottleneckWeeks-1:])
	return b
}

// growing reports whether every week has open requests and a median age
// strictly greater than the week before.
func growing(weeks []WeekAge) bool {
	for i, w := range weeks {
		if w.Open == 0 || i > 0 && w.MedianAge <= weeks[i-1].MedianAge {
			return false
		}
	}
	return true
}

// closedAt returns when a request left the backlog: nil while it is open;
// DoneAt when set; else, for a declined (or done) request, RespondedAt;
// else its CreatedAt, as nothing says when.
func closedAt(r tandem.Request) *time.Time {
	switch {
	case r.Open():
		return nil
	case r.DoneAt != nil:
		return r.DoneAt
	case r.RespondedAt != nil:
		return r.RespondedAt
	}
	return &r.CreatedAt
}
