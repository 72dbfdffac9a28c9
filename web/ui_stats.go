package web

import (
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/tandem-dev/tandem"
)

// statsData is a campaign's analytics page: its figures as rows, overall
// then by team, pattern and fix, and bar charts of the first responses by
// team and of the merged-unmodified share by pattern.
type statsData struct {
	Stats      tandem.CampaignStats
	StuckAfter string
	Rows       []statsRow
	Responses  BarChart
	Unmodified BarChart
}

// statsRow is one group's figures as people read them.
type statsRow struct {
	Group                                              string
	Tickets, ChangeRequests, Merged, Stuck             int
	ResponseMedian, ResponseP90, MergeMedian, MergeP90 string
	Unmodified, ClosedUnmerged, Nudges                 string
}

// handleCampaignStatsPage shows a campaign's analytics; ?stuck_after=
// as the API's. It reads every target of the campaign, so it is a page of
// its own, linked from the campaign's, which reads aggregates only.
func (s *Server) handleCampaignStatsPage(w http.ResponseWriter, r *http.Request) {
	after, err := stuckAfter(r.URL.Query().Get("stuck_after"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	st, err := s.campaigns.Stats(r.Context(), r.PathValue("name"), after)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, "stats", st.Migration+" analytics", statsPage(st))
}

// statsPage lays out a campaign's analytics.
func statsPage(st tandem.CampaignStats) statsData {
	d := statsData{Stats: st, StuckAfter: tandem.DurationText(st.StuckAfter.Duration()),
		Rows:       []statsRow{figuresRow("all", st.All)},
		Responses:  BarChart{Label: "Median time to first response by team"},
		Unmodified: BarChart{Label: "Change requests merged unmodified by pattern", Max: 1}}
	for _, k := range slices.Sorted(maps.Keys(st.Teams)) {
		f := st.Teams[k]
		d.Rows = append(d.Rows, figuresRow("team "+k, f))
		if f.Responded > 0 {
			d.Responses.Bars = append(d.Responses.Bars, Bar{Name: k, Value: float64(f.FirstResponseMedian),
				Text: tandem.DurationText(f.FirstResponseMedian.Duration())})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(st.Patterns)) {
		f := st.Patterns[k]
		d.Rows = append(d.Rows, figuresRow("pattern "+string(k), f))
		if f.MergedKnown > 0 {
			d.Unmodified.Bars = append(d.Unmodified.Bars, Bar{Name: string(k), Value: f.MergedUnmodifiedShare,
				Text: shareOf(f.MergedUnmodified, f.MergedKnown)})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(st.Fixes)) {
		d.Rows = append(d.Rows, figuresRow("fix "+k, st.Fixes[k]))
	}
	return d
}

// figuresRow returns a group's figures as people read them: "–" where
// the group has nothing to measure.
func figuresRow(group string, f tandem.Figures) statsRow {
	took := func(s tandem.Seconds, n int) string {
		if n == 0 {
			return "–"
		}
		return tandem.DurationText(s.Duration())
	}
	nudges := "–"
	if f.Tickets > 0 {
		nudges = fmt.Sprintf("%.1f", f.NudgesPerTicket)
	}
	return statsRow{Group: group, Tickets: f.Tickets, ChangeRequests: f.ChangeRequests, Merged: f.Merged,
		Stuck:          f.StuckTickets + f.StuckChangeRequests,
		ResponseMedian: took(f.FirstResponseMedian, f.Responded), ResponseP90: took(f.FirstResponseP90, f.Responded),
		MergeMedian: took(f.MergeMedian, f.Merged), MergeP90: took(f.MergeP90, f.Merged),
		Unmodified: shareOf(f.MergedUnmodified, f.MergedKnown), ClosedUnmerged: shareOf(f.ClosedUnmerged, f.ChangeRequests),
		Nudges: nudges}
}

// shareOf returns n of total as a percentage and its counts; "–" for
// none.
func shareOf(n, total int) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%% (%d/%d)", 100*float64(n)/float64(total), n, total)
}
