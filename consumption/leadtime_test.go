package consumption

import (
	"slices"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
)

func TestLeadTimes(t *testing.T) {
	created := "2024-03-01T09:00:00Z"
	for _, tt := range []struct {
		name string
		reqs []tandem.Request
		want RequestLeadTimes
	}{
		{
			name: "medians are taken over the requests that reached each step",
			reqs: []tandem.Request{
				{ID: 1, State: tandem.RequestDone, CreatedAt: at(t, created), RespondedAt: ptr(t, "2024-03-01T10:00:00Z"),
					AcceptedAt: ptr(t, "2024-03-02T09:00:00Z"), DoneAt: ptr(t, "2024-03-04T13:00:00Z")},
				{ID: 2, CreatedAt: at(t, created), RespondedAt: ptr(t, "2024-03-01T12:00:00Z"),
					AcceptedAt: ptr(t, "2024-03-03T09:00:00Z")},
				{ID: 3, CreatedAt: at(t, created)},
			},
			want: RequestLeadTimes{Count: 3, Responded: 2, AcceptedCount: 2, DoneCount: 1,
				FirstResponse: 2 * time.Hour, FirstResponseText: "2h",
				Accepted: 36 * time.Hour, AcceptedText: "1d 12h",
				Done: 3*day + 4*time.Hour, DoneText: "3d 4h"},
		},
		{
			name: "declined requests are not done: they have their own median",
			reqs: []tandem.Request{
				{State: tandem.RequestDone, CreatedAt: at(t, created), DoneAt: ptr(t, "2024-03-06T09:00:00Z")},
				{State: tandem.RequestDeclined, CreatedAt: at(t, created), RespondedAt: ptr(t, "2024-03-01T10:00:00Z"), DoneAt: ptr(t, "2024-03-01T10:00:00Z")},
				{State: tandem.RequestDeclined, CreatedAt: at(t, created), RespondedAt: ptr(t, "2024-03-01T12:00:00Z"), DoneAt: ptr(t, "2024-03-01T12:00:00Z")},
			},
			want: RequestLeadTimes{Count: 3, Responded: 2, DoneCount: 1, DeclinedCount: 2,
				FirstResponse: 2 * time.Hour, FirstResponseText: "2h",
				Done: 5 * day, DoneText: "5d", Declined: 2 * time.Hour, DeclinedText: "2h"},
		},
		{
			name: "an odd number of requests takes the middle one",
			reqs: []tandem.Request{
				{CreatedAt: at(t, created), RespondedAt: ptr(t, "2024-03-01T09:10:00Z")},
				{CreatedAt: at(t, created), RespondedAt: ptr(t, "2024-03-04T09:00:00Z")},
				{CreatedAt: at(t, created), RespondedAt: ptr(t, "2024-03-01T14:30:00Z")},
			},
			want: RequestLeadTimes{Count: 3, Responded: 3, FirstResponse: 5*time.Hour + 30*time.Minute, FirstResponseText: "5h 30m"},
		},
		{
			name: "no requests give zero medians and no text",
			want: RequestLeadTimes{},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := LeadTimes(tt.reqs), tt.want; got != want {
				t.Errorf("LeadTimes() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestPlatformBacklog(t *testing.T) {
	now := at(t, "2024-03-13T12:00:00Z") // a Wednesday
	// steady files a request every day at noon from January and finishes
	// each two days later: the backlog neither grows nor ages.
	var steady []tandem.Request
	for d := at(t, "2024-01-01T12:00:00Z"); !d.After(now); d = d.Add(day) {
		r := tandem.Request{ID: int64(len(steady) + 1), State: tandem.RequestNew, CreatedAt: d}
		if done := d.Add(2 * day); !done.After(now) {
			r.State, r.DoneAt = tandem.RequestDone, &done
		}
		steady = append(steady, r)
	}
	openSince := func(created string) []tandem.Request {
		return []tandem.Request{{ID: 1, State: tandem.RequestAccepted, CreatedAt: at(t, created)}}
	}
	for _, tt := range []struct {
		name       string
		reqs       []tandem.Request
		bottleneck bool
	}{
		{"a request left open for six weeks makes a bottleneck", openSince("2024-02-01T09:00:00Z"), true},
		{"a backlog aging over exactly the last five weekly points makes a bottleneck", openSince("2024-02-18T09:00:00Z"), true},
		{"a backlog aging for only the last four weekly points is no bottleneck", openSince("2024-02-25T09:00:00Z"), false},
		{"a steady flow of requests handled in two days is no bottleneck", steady, false},
		{"no requests are no bottleneck", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := PlatformBacklog(tt.reqs, now)
			if got, want := b.Bottleneck, tt.bottleneck; got != want {
				t.Errorf("Bottleneck = %v, want %v (weekly %+v)", got, want, b.Weekly)
			}
			if got, want := len(b.Weekly), BacklogWeeks; got != want {
				t.Fatalf("len(Weekly) = %d, want %d", got, want)
			}
			if got, want := b.Weekly[0].Week, "2024-01-28"; got != want {
				t.Errorf("first week = %q, want %q", got, want)
			}
			if got, want := b.Weekly[BacklogWeeks-1].Week, "2024-03-17"; got != want {
				t.Errorf("last week = %q, want %q", got, want)
			}
		})
	}

	t.Run("the steady backlog is two requests a day old in the median at each week's end", func(t *testing.T) {
		b := PlatformBacklog(steady, now)
		for _, w := range b.Weekly[:BacklogWeeks-1] {
			if w.Open != 2 || w.MedianAge != day || w.MedianAgeText != "1d" {
				t.Errorf("week %s = %+v, want 2 open, median 1d", w.Week, w)
			}
		}
	})

	t.Run("open requests are listed oldest first with their ages at now", func(t *testing.T) {
		b := PlatformBacklog([]tandem.Request{
			{ID: 1, State: tandem.RequestNew, FromTeam: "payments", CreatedAt: at(t, "2024-03-12T12:00:00Z")},
			{ID: 2, State: tandem.RequestInProgress, FromTeam: "search", CreatedAt: at(t, "2024-03-10T08:00:00Z")},
			{ID: 3, State: tandem.RequestDone, CreatedAt: at(t, "2024-03-01T12:00:00Z"), DoneAt: ptr(t, "2024-03-02T12:00:00Z")},
			{ID: 4, State: tandem.RequestAccepted, CreatedAt: at(t, "2024-03-11T12:00:00Z")},
		}, now)
		if got, want := b.Open, 3; got != want {
			t.Errorf("Open = %d, want %d", got, want)
		}
		if got, want := b.MedianAgeText, "2d"; got != want {
			t.Errorf("MedianAgeText = %q, want %q", got, want)
		}
		var ids []int64
		for _, r := range b.Requests {
			ids = append(ids, r.ID)
		}
		if got, want := ids, []int64{2, 4, 1}; !slices.Equal(got, want) {
			t.Errorf("open requests = %v, want %v", got, want)
		}
		if got, want := b.Requests[0].AgeText, "3d 4h"; got != want {
			t.Errorf("oldest age = %q, want %q", got, want)
		}
	})

	t.Run("a declined request leaves the backlog when it was answered", func(t *testing.T) {
		b := PlatformBacklog([]tandem.Request{{ID: 1, State: tandem.RequestDeclined,
			CreatedAt: at(t, "2024-01-20T12:00:00Z"), RespondedAt: ptr(t, "2024-02-01T12:00:00Z")}}, now)
		var open []int
		for _, w := range b.Weekly {
			open = append(open, w.Open)
		}
		if got, want := open, []int{1, 0, 0, 0, 0, 0, 0, 0}; !slices.Equal(got, want) {
			t.Errorf("weekly open = %v, want %v", got, want)
		}
		if got, want := b.Open, 0; got != want {
			t.Errorf("Open = %d, want %d", got, want)
		}
	})

	t.Run("a declined request with a done time leaves the backlog then", func(t *testing.T) {
		b := PlatformBacklog([]tandem.Request{{ID: 1, State: tandem.RequestDeclined,
			CreatedAt: at(t, "2024-01-20T12:00:00Z"), RespondedAt: ptr(t, "2024-01-21T12:00:00Z"),
			DoneAt: ptr(t, "2024-02-01T12:00:00Z")}}, now)
		if got, want := b.Weekly[0].Open, 1; got != want {
			t.Errorf("open at the end of %s = %d, want %d", b.Weekly[0].Week, got, want)
		}
	})
}
