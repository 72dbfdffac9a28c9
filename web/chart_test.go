package web

import (
	"encoding/xml"
	"errors"
	"flag"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/consumption"
)

var updateCharts = flag.Bool("update-charts", false, "rewrite golden files in testdata/charts")

func TestCharts(t *testing.T) {
	burndown := LineChart{
		Title: "Targets left in the logging migration",
		Series: []Series{{Name: "left", Points: []DayValue{
			{Day: "2025-03-01", Value: 40}, {Day: "2025-03-02", Value: 37}, {Day: "2025-03-03", Value: 37}, {Day: "2025-03-04", Value: 30},
			{Day: "2025-03-05", Value: 24}, {Day: "2025-03-06", Value: 18}, {Day: "2025-03-07", Value: 12},
		}}},
		Marker:      "2025-03-14",
		MarkerLabel: "deadline",
	}
	twoSeries := LineChart{
		Title: "Adoption by platform",
		Series: []Series{
			{Name: "logging", Points: []DayValue{{Day: "2025-01-01", Value: 3}, {Day: "2025-01-15", Value: 9}, {Day: "2025-02-01", Value: 14}}},
			{Name: "metrics", Points: []DayValue{{Day: "2025-01-05", Value: 1}, {Day: "2025-01-20", Value: 4}, {Day: "2025-02-01", Value: 6}}},
		},
	}
	tests := []struct {
		name string
		svg  template.HTML
	}{
		{"burndown", burndown.SVG()},
		{"two-series", twoSeries.SVG()},
		{"sparse", sparse.SVG()},
		{"empty", LineChart{Title: "Nothing"}.SVG()},
		{"escaped", LineChart{
			Title:       `<script>alert(1)</script> & "co"`,
			Series:      []Series{{Name: "a <b> & c", Points: []DayValue{{Day: "2025-01-01", Value: 1}}}, {Name: "d&e", Points: []DayValue{{Day: "2025-01-02", Value: 2}}}},
			Marker:      "2025-01-03",
			MarkerLabel: "<script>x</script>",
		}.SVG()},
		{"progress", ProgressBar("Logging migration", []BarPart{
			{Name: "done", Value: 12}, {Name: "pr-open", Value: 5}, {Name: "ticketed", Value: 8},
			{Name: "tour-proposed", Value: 1}, {Name: "pending", Value: 9}, {Name: "unowned", Value: 3},
			{Name: "exempt", Value: 0}, {Name: "custom", Value: 2, Color: "#333"},
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name+" matches its golden file and is well-formed XML", func(t *testing.T) {
			got := string(tt.svg)
			assertWellFormed(t, got)
			path := filepath.Join("testdata", "charts", tt.name+".svg")
			if *updateCharts {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update-charts to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run with -update-charts after checking it):\n%s", tt.name, path, got)
			}
		})
	}
}

var sparse = LineChart{
	Title:  "Unowned codebases",
	Width:  400,
	Height: 200,
	Series: []Series{{Name: "unowned", Points: []DayValue{{Day: "2025-01-01", Value: 10}, {Day: "2025-01-11", Value: 5}, {Day: "2025-01-21", Value: 0}}}},
}

func TestLineChartSteps(t *testing.T) {
	t.Run("a sparse series holds its value until the day before the next point", func(t *testing.T) {
		// Plot: x from 44 to 376 over 20 days (16.6 px a day), y from 20 (10)
		// to 156 (0), above a row of legend.
		got := pathData(t, string(sparse.SVG()), "unowned")
		if want := "M44 20H193.4L210 88H359.4L376 156"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
	})
	t.Run("points on consecutive days are joined directly", func(t *testing.T) {
		c := LineChart{Series: []Series{{Name: "s", Points: []DayValue{{Day: "2025-01-01", Value: 0}, {Day: "2025-01-02", Value: 10}}}}}
		if got := pathData(t, string(c.SVG()), "s"); strings.Contains(got, "H") {
			t.Errorf("path = %q, want no horizontal step", got)
		}
	})
	t.Run("the same input renders the same bytes", func(t *testing.T) {
		if a, b := sparse.SVG(), sparse.SVG(); a != b {
			t.Errorf("two renders differ")
		}
	})
}

func TestBurndownChart(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Day one: found at 09:00, launched at 10:00, one exempted at 11:30
	// and one fixed at 15:00, all on March 1; the deadline is March 11.
	c := LineChart{
		Title: "Open targets",
		Series: []Series{
			{Name: "open targets", Changes: true, Points: []DayValue{
				{At: at("2025-03-01T09:00:00Z"), Value: 10}, {At: at("2025-03-01T11:30:00Z"), Value: 9}, {At: at("2025-03-01T15:00:00Z"), Value: 8}}},
			{Name: "ideal", Ideal: true, Points: []DayValue{{At: at("2025-03-01T10:00:00Z"), Value: 10}, {At: at("2025-03-11T00:00:00Z"), Value: 0}}},
		},
		Marker: "2025-03-11", MarkerLabel: "deadline", Now: at("2025-03-01T18:00:00Z"),
	}
	svg := string(c.SVG())
	assertWellFormed(t, svg)
	// Plot: x from 44 (09:00) to 616 (March 11, 00:00), 57.2 px a day
	// over 10 days less 9 hours; y from 20 (10) to 176 (0).
	t.Run("the ideal line runs from launch to zero at the deadline", func(t *testing.T) {
		x := func(h float64) string { return num(44 + 572*h/(24*10-9)) }
		if got, want := pathData(t, svg, "ideal"), "M"+x(1)+" 20L616 176"; got != want {
			t.Errorf("ideal path = %q, want %q", got, want)
		}
		if !strings.Contains(svg, `<line x1="616" y1="20" x2="616" y2="176"`) {
			t.Errorf("the deadline marker is not where the ideal line ends:\n%s", svg)
		}
	})
	t.Run("the open targets have a point per change, not per day", func(t *testing.T) {
		if got, want := strings.Count(svg, `<circle class="point"`), 3; got != want {
			t.Errorf("points = %d, want %d:\n%s", got, want, svg)
		}
		for _, want := range []string{"open targets: 10 at Mar 1 09:00", "open targets: 9 at Mar 1 11:30", "open targets: 8 at Mar 1 15:00"} {
			if !strings.Contains(svg, want) {
				t.Errorf("svg lacks a point titled %q", want)
			}
		}
	})
	t.Run("the open targets step at each change and hold until now", func(t *testing.T) {
		got := pathData(t, svg, "open targets")
		if !strings.HasPrefix(got, "M44 20H") || strings.Count(got, "V") != 2 || !strings.HasSuffix(got, "H"+num(44+572*9.0/(24*10-9))) {
			t.Errorf("open targets path = %q", got)
		}
	})
	t.Run("the legend names each series and the deadline", func(t *testing.T) {
		for _, want := range []string{">open targets</text>", ">ideal</text>", ">deadline 2025-03-11</text>"} {
			if !strings.Contains(legendOf(t, svg), want) {
				t.Errorf("legend lacks %s:\n%s", want, svg)
			}
		}
	})
	t.Run("the axis is labelled with dates", func(t *testing.T) {
		for _, want := range []string{">Mar 1</text>", ">Mar 11</text>"} {
			if !strings.Contains(svg, want) {
				t.Errorf("axis lacks %s", want)
			}
		}
	})
	t.Run("a description says what each series shows", func(t *testing.T) {
		want := "<desc>open targets: from 10 on 2025-03-01 09:00 to 8 on 2025-03-01 15:00 (3 changes); ideal: from 10 on 2025-03-01 10:00 to 0 on 2025-03-11 (2 points); deadline: 2025-03-11</desc>"
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %s:\n%s", want, svg)
		}
	})
}

func TestSinglePointChart(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	chart := func(day string) string {
		return string(LineChart{Title: "Codebases adopting obslog", Now: now,
			Series: []Series{{Name: "adopting codebases", Unit: "codebases", Points: []DayValue{{Day: day, Value: 2}}}}}.SVG())
	}
	t.Run("one point today reads as a labelled value", func(t *testing.T) {
		svg := chart("2025-03-01")
		assertWellFormed(t, svg)
		if !strings.Contains(svg, `<tspan font-size="22" font-weight="600">2</tspan> codebases today</text>`) || !strings.Contains(svg, "<desc>2 codebases today</desc>") {
			t.Errorf("svg:\n%s", svg)
		}
		if strings.Contains(svg, "<circle") || strings.Contains(svg, "<path") {
			t.Errorf("a single value is drawn as a lone dot:\n%s", svg)
		}
	})
	t.Run("one point of an earlier day says since when", func(t *testing.T) {
		if svg := chart("2025-02-20"); !strings.Contains(svg, "2 codebases since Feb 20") {
			t.Errorf("svg:\n%s", svg)
		}
	})
	t.Run("two points draw a line with dates", func(t *testing.T) {
		svg := string(LineChart{Title: "Codebases adopting obslog", Now: now,
			Series: []Series{{Name: "adopting codebases", Points: []DayValue{{Day: "2025-02-20", Value: 1}, {Day: "2025-03-01", Value: 2}}}}}.SVG())
		for _, want := range []string{">Feb 20</text>", ">Mar 1</text>", ">adopting codebases</text>", `<path class="series"`} {
			if !strings.Contains(svg, want) {
				t.Errorf("svg lacks %s:\n%s", want, svg)
			}
		}
	})
}

func TestProgressBarLegend(t *testing.T) {
	svg := string(ProgressBar("logging", []BarPart{{Name: "done", Value: 12}, {Name: "exempt", Value: 0}, {Name: "pending", Value: 28}}))
	legend := legendOf(t, svg)
	for _, want := range []string{`fill="#1a7f37"/>`, ">done 12</text>", `fill="#9a6700"/>`, ">pending 28</text>"} {
		if !strings.Contains(legend, want) {
			t.Errorf("legend lacks %s:\n%s", want, legend)
		}
	}
	if strings.Contains(legend, "exempt") {
		t.Errorf("legend names the empty exempt part:\n%s", legend)
	}
	if want := "<desc>done: 12 (30%); pending: 28 (70%)</desc>"; !strings.Contains(svg, want) {
		t.Errorf("svg lacks %s", want)
	}
}

func TestLoadChart(t *testing.T) {
	now := time.Date(2025, 3, 13, 12, 0, 0, 0, time.UTC)
	one, three := 1, 3
	// As consumption.PlatformLoad gives it: months from the first data,
	// adoption from when it was measured.
	load := consumption.Load{Since: "2025-01", Months: []consumption.MonthLoad{
		{Month: "2025-01", Hours: 4, PerTeam: 4, ConsumingTeams: 1},
		{Month: "2025-02", Hours: 8, PerTeam: 8, ConsumingTeams: 1, Adoption: &one},
		{Month: "2025-03", Hours: 12, PerTeam: 6, ConsumingTeams: 2, Adoption: &three},
	}}
	t.Run("the months recorded are drawn, adoption from when it was measured", func(t *testing.T) {
		svg := string(loadChart(load, now))
		for _, month := range []string{"Oct", "Nov", "Dec"} {
			if strings.Contains(svg, ">"+month+" ") {
				t.Errorf("the chart draws %s, before any data:\n%s", month, svg)
			}
		}
		if !strings.Contains(svg, ">Jan 1</text>") || !strings.Contains(svg, ">Mar 1</text>") {
			t.Errorf("the chart lacks the months with data:\n%s", svg)
		}
		if want := "adopting codebases: from 1 on 2025-02-01 to 3 on 2025-03-01 (2 points)"; !strings.Contains(svg, want) {
			t.Errorf("the chart draws an adoption of 0 in January, before it was measured:\n%s", svg)
		}
	})
	t.Run("one month of data reads as labelled values", func(t *testing.T) {
		l := consumption.Load{Since: "2025-03", Months: load.Months[2:]}
		if svg := string(loadChart(l, now)); !strings.Contains(svg, "6</tspan> hands-on hours per consuming team since Mar 1") {
			t.Errorf("svg:\n%s", svg)
		}
	})
	t.Run("nothing recorded draws no chart of zeros", func(t *testing.T) {
		if svg := string(loadChart(consumption.Load{Months: []consumption.MonthLoad{}}, now)); !strings.Contains(svg, "no data yet") {
			t.Errorf("svg:\n%s", svg)
		}
	})
}

// legendOf returns the legend group of svg.
func legendOf(t *testing.T, svg string) string {
	t.Helper()
	i := strings.Index(svg, `<g class="legend`)
	if i < 0 {
		t.Fatalf("no legend in:\n%s", svg)
	}
	j := strings.Index(svg[i:], "</g>")
	return svg[i : i+j]
}

func TestChartsEscapeLabels(t *testing.T) {
	svg := string(LineChart{
		Title:       "<script>alert(1)</script> & co",
		Series:      []Series{{Name: "<b>", Points: []DayValue{{Day: "2025-01-01", Value: 1}}}, {Name: "x&y", Points: []DayValue{{Day: "2025-01-02", Value: 1}}}},
		Marker:      "2025-01-02",
		MarkerLabel: "<i>",
	}.SVG()) + string(ProgressBar("&", []BarPart{{Name: "<u>", Value: 1, Color: `"red`}}))
	for _, raw := range []string{"<script>", "<b>", "<i>", "<u>", "& ", "x&y", `""red`} {
		if strings.Contains(svg, raw) {
			t.Errorf("output contains unescaped %q", raw)
		}
	}
	for _, escaped := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", "&lt;b&gt;", "x&amp;y", "&lt;i&gt;", "&lt;u&gt;", "&#34;red"} {
		if !strings.Contains(svg, escaped) {
			t.Errorf("output lacks %q", escaped)
		}
	}
}

func TestProgressBar(t *testing.T) {
	svg := string(ProgressBar("Logging", []BarPart{{Name: "done", Value: 12}, {Name: "exempt", Value: 0}, {Name: "pending", Value: 28}}))
	t.Run("it says how many of the total are done", func(t *testing.T) {
		if want := `aria-label="Logging: 12 of 40 done, 28 pending"`; !strings.Contains(svg, want) {
			t.Errorf("svg lacks %s:\n%s", want, svg)
		}
	})
	t.Run("a zero part draws no segment", func(t *testing.T) {
		if strings.Contains(svg, "exempt") {
			t.Errorf("svg mentions the empty exempt part:\n%s", svg)
		}
		if got, want := strings.Count(svg, "<rect"), 5; got != want { // track, two segments and their two swatches in the legend
			t.Errorf("rects = %d, want %d", got, want)
		}
	})
	t.Run("each segment has a title and a palette colour", func(t *testing.T) {
		for _, want := range []string{`fill="#1a7f37"><title>done: 12 (30%)</title>`, `fill="#9a6700"><title>pending: 28 (70%)</title>`} {
			if !strings.Contains(svg, want) {
				t.Errorf("svg lacks %s:\n%s", want, svg)
			}
		}
	})
}

func TestPaletteContrast(t *testing.T) {
	colors := append([]string{inkColor, axisColor}, seriesColors...)
	for _, c := range stateColors {
		colors = append(colors, c)
	}
	for _, c := range colors {
		t.Run(c+" reaches 4.5:1 against white", func(t *testing.T) {
			if got := contrastWithWhite(t, c); got < 4.5 {
				t.Errorf("contrast = %.2f, want at least 4.5", got)
			}
		})
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"a whole number has no decimals", num(20), "20"},
		{"a fraction keeps one decimal", num(193.3999), "193.4"},
		{"negative zero prints as zero", num(-0.01), "0"},
		{"small values print in full", compactInt(950), "950"},
		{"thousands print with k", compactInt(1500), "1.5k"},
		{"round thousands drop the decimal", compactInt(12000), "12k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// assertWellFormed fails the test unless svg decodes as XML to the end.
func assertWellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
}

// pathData returns the d attribute of the path titled name in svg.
func pathData(t *testing.T, svg, name string) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var last string
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no path titled %q in:\n%s", name, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "path" {
				for _, a := range e.Attr {
					if a.Name.Local == "d" {
						last = a.Value
					}
				}
			}
		case xml.CharData:
			if string(e) == name && last != "" {
				return last
			}
		case xml.EndElement:
			if e.Name.Local == "path" {
				last = ""
			}
		}
	}
}

// contrastWithWhite returns the WCAG contrast ratio of a #rrggbb colour
// against white.
func contrastWithWhite(t *testing.T, hex string) float64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil || len(hex) != 7 {
		t.Fatalf("bad colour %q", hex)
	}
	var lum float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		c := float64(v>>(16-8*i)&0xff) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		lum += weight * c
	}
	return 1.05 / (lum + 0.05)
}
