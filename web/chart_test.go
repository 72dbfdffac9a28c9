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
)

var updateCharts = flag.Bool("update-charts", false, "rewrite golden files in testdata/charts")

func TestCharts(t *testing.T) {
	burndown := LineChart{
		Title: "Targets left in the logging migration",
		Series: []Series{{Name: "left", Points: []DayValue{
			{"2025-03-01", 40}, {"2025-03-02", 37}, {"2025-03-03", 37}, {"2025-03-04", 30},
			{"2025-03-05", 24}, {"2025-03-06", 18}, {"2025-03-07", 12},
		}}},
		Marker:      "2025-03-14",
		MarkerLabel: "deadline",
	}
	twoSeries := LineChart{
		Title: "Adoption by platform",
		Series: []Series{
			{Name: "logging", Points: []DayValue{{"2025-01-01", 3}, {"2025-01-15", 9}, {"2025-02-01", 14}}},
			{Name: "metrics", Points: []DayValue{{"2025-01-05", 1}, {"2025-01-20", 4}, {"2025-02-01", 6}}},
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
			Series:      []Series{{Name: "a <b> & c", Points: []DayValue{{"2025-01-01", 1}}}, {Name: "d&e", Points: []DayValue{{"2025-01-02", 2}}}},
			Marker:      "2025-01-03",
			MarkerLabel: "<script>x</script>",
		}.SVG()},
		{"sparkline", Sparkline("Open requests", []DayValue{{"2025-01-01", 5}, {"2025-01-02", 7}, {"2025-01-06", 3}, {"2025-01-07", 4}})},
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
	Series: []Series{{Name: "unowned", Points: []DayValue{{"2025-01-01", 10}, {"2025-01-11", 5}, {"2025-01-21", 0}}}},
}

func TestLineChartSteps(t *testing.T) {
	t.Run("a sparse series holds its value until the day before the next point", func(t *testing.T) {
		// Plot: x from 44 to 376 over 20 days (16.6 px a day), y from 20 (10) to 176 (0).
		got := pathData(t, string(sparse.SVG()), "unowned")
		if want := "M44 20H193.4L210 98H359.4L376 176"; got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
	})
	t.Run("points on consecutive days are joined directly", func(t *testing.T) {
		c := LineChart{Series: []Series{{Name: "s", Points: []DayValue{{"2025-01-01", 0}, {"2025-01-02", 10}}}}}
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

func TestChartsEscapeLabels(t *testing.T) {
	svg := string(LineChart{
		Title:       "<script>alert(1)</script> & co",
		Series:      []Series{{Name: "<b>", Points: []DayValue{{"2025-01-01", 1}}}, {Name: "x&y", Points: []DayValue{{"2025-01-02", 1}}}},
		Marker:      "2025-01-02",
		MarkerLabel: "<i>",
	}.SVG()) + string(Sparkline("<script>", nil)) + string(ProgressBar("&", []BarPart{{Name: "<u>", Value: 1, Color: `"red`}}))
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
		if got, want := strings.Count(svg, "<rect"), 3; got != want { // track and two segments
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

func TestSparklineLabel(t *testing.T) {
	svg := string(Sparkline("Open requests", []DayValue{{"2025-01-01", 5}, {"2025-01-06", 3}}))
	if want := `aria-label="Open requests: 3 on Jan 6"`; !strings.Contains(svg, want) {
		t.Errorf("svg lacks %s:\n%s", want, svg)
	}
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
