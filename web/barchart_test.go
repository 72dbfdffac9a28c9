package web

import (
	"strings"
	"testing"
)

// TestBarChart draws bars in proportion to the largest value, or to Max,
// with each bar's text beside it and in its hover title.
func TestBarChart(t *testing.T) {
	svg := string(BarChart{Label: "Unmodified", Max: 1, Bars: []Bar{
		{Name: "file-a-ticket", Value: 0.5, Text: "50% (1/2)"}, {Name: "trusted-outsider", Value: 1, Text: "100% (3/3)"}}}.SVG())
	// The track is 480 - 150 - 110 = 220 wide.
	for _, want := range []string{`width="110" height="16" fill="#0969da"><title>file-a-ticket: 50% (1/2)</title>`,
		`width="220" height="16" fill="#0969da"><title>trusted-outsider: 100% (3/3)</title>`,
		"<desc>file-a-ticket: 50% (1/2); trusted-outsider: 100% (3/3)</desc>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q:\n%s", want, svg)
		}
	}
	if svg := string(BarChart{Label: "Responses"}.SVG()); !strings.Contains(svg, "no data yet") {
		t.Errorf("empty chart: %s", svg)
	}
}
