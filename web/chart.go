package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// Colours: every one reaches at least 4.5:1 against white (WCAG AA for text).
const (
	inkColor  = "#1f2328" // labels
	axisColor = "#57606a" // axes, tick labels, marker
	gridColor = "#d0d7de" // grid lines and empty tracks, never text
	dayLayout = "2006-01-02"
)

// seriesColors and seriesDashes tell lines apart by colour and by dash, so a
// chart stays readable without colour vision.
var (
	seriesColors = []string{"#0969da", "#cf222e", "#1a7f37", "#8250df", "#9a6700", "#57606a"}
	seriesDashes = []string{"", "6 3", "2 3", "8 3 2 3"}
)

// stateColors is the palette for the target states of a migration.
var stateColors = map[string]string{
	tandem.TargetDone:         "#1a7f37",
	tandem.TargetPROpen:       "#0969da",
	tandem.TargetTicketed:     "#8250df",
	tandem.TargetTourProposed: "#bf3989",
	tandem.TargetPending:      "#9a6700",
	tandem.TargetUnowned:      "#cf222e",
	tandem.TargetExempt:       "#6e7781",
}

// Series is a named line of values over days.
type Series struct {
	Name   string
	Points []DayValue // sorted by day
}

// DayValue is the value of a series on one day (YYYY-MM-DD).
type DayValue struct {
	Day   string
	Value int
}

// LineChart is an SVG line chart of one or more series over days, with an
// optional vertical marker such as a deadline.
type LineChart struct {
	Title       string // used for <title> and aria-label
	Series      []Series
	Marker      string // a day to mark with a vertical dashed line, or ""
	MarkerLabel string // the marker's label; the day itself if empty
	Width       int    // CSS px, default 640
	Height      int    // CSS px, default 220
}

// BarPart is one segment of a ProgressBar. Color is any CSS colour; when
// empty, the palette of the known target states is used.
type BarPart struct {
	Name  string
	Value int
	Color string
}

type dayPoint struct {
	t time.Time
	v int
}

// SVG returns the chart as inline SVG. Days with no point between two points
// carry the previous value, so sparse series from change histories draw as
// steps. Points with unparsable days are skipped; with no point at all, a
// small "no data yet" SVG is returned. Every label is escaped.
func (c LineChart) SVG() template.HTML {
	w, h := orDefault(c.Width, 640), orDefault(c.Height, 220)
	var lo, hi time.Time
	widen := func(t time.Time) {
		if lo.IsZero() || t.Before(lo) {
			lo = t
		}
		if hi.IsZero() || t.After(hi) {
			hi = t
		}
	}
	lines := make([][]dayPoint, len(c.Series))
	minV, maxV := 0, 0
	for i, s := range c.Series {
		lines[i] = parsePoints(s.Points)
		for _, p := range lines[i] {
			widen(p.t)
			minV, maxV = min(minV, p.v), max(maxV, p.v)
		}
	}
	if lo.IsZero() {
		return emptySVG(c.Title, w)
	}
	marker, err := time.Parse(dayLayout, c.Marker)
	hasMarker := err == nil
	if hasMarker {
		widen(marker)
	}

	left, right, top, bottom := 44.0, 24.0, 20.0, 24.0
	legend := len(c.Series) > 1
	if legend {
		bottom += 20
	}
	pw, ph := float64(w)-left-right, float64(h)-top-bottom
	span := days(lo, hi)
	x := func(t time.Time) float64 {
		if span == 0 {
			return left
		}
		return left + pw*float64(days(lo, t))/float64(span)
	}
	step := niceStep((maxV - minV + 3) / 4)
	yMin, yMax := floorTo(minV, step), floorTo(maxV+step-1, step)
	if yMax == yMin {
		yMax += step
	}
	y := func(v int) float64 { return top + ph*float64(yMax-v)/float64(yMax-yMin) }

	var b strings.Builder
	openSVG(&b, w, h, c.Title)
	for v := yMin; v <= yMax; v += step {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n", num(left), num(y(v)), num(left+pw), num(y(v)), gridColor)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" font-size="11" fill="%s">%s</text>`+"\n", num(left-6), num(y(v)+4), axisColor, compactInt(v))
	}
	n := min(5, span+1)
	for i := range n {
		d := 0
		if n > 1 {
			d = int(math.Round(float64(i*span) / float64(n-1)))
		}
		t := lo.AddDate(0, 0, d)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="11" fill="%s">%s</text>`+"\n", num(x(t)), num(top+ph+16), axisColor, t.Format("Jan 2"))
	}
	fmt.Fprintf(&b, `<path d="M%s %sV%sH%s" fill="none" stroke="%s" stroke-width="1"/>`+"\n", num(left), num(top), num(top+ph), num(left+pw), axisColor)

	if hasMarker {
		mx := x(marker)
		label := c.MarkerLabel
		if label == "" {
			label = c.Marker
		}
		anchor := "middle"
		if mx > float64(w)-60 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`+"\n", num(mx), num(top), num(mx), num(top+ph), axisColor)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="%s" font-size="11" fill="%s">%s</text>`+"\n", num(mx), num(top-6), anchor, inkColor, esc(label))
	}

	lx := left
	for i, s := range c.Series {
		color, dash := seriesColors[i%len(seriesColors)], dashAttr(i)
		if pts := lines[i]; len(pts) > 0 {
			last := pts[len(pts)-1]
			fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"%s><title>%s</title></path>`+"\n", stepPath(pts, x, y), color, dash, esc(s.Name))
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", num(x(last.t)), num(y(last.v)), color)
		}
		if legend {
			ly := float64(h) - 8
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`+"\n", num(lx), num(ly-4), num(lx+18), num(ly-4), color, dash)
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" fill="%s">%s</text>`+"\n", num(lx+24), num(ly), inkColor, esc(s.Name))
			lx += 24 + 7*float64(len([]rune(s.Name))) + 16
		}
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// Sparkline returns a tiny inline chart (120 × 24) of one series, scaled
// between its lowest and highest value, whose aria-label gives the last value.
func Sparkline(label string, points []DayValue) template.HTML {
	const w, h, pad = 120, 24, 3.0
	pts := parsePoints(points)
	if len(pts) == 0 {
		return emptySVG(label, w)
	}
	last := pts[len(pts)-1]
	lo, hi := last.v, last.v
	for _, p := range pts {
		lo, hi = min(lo, p.v), max(hi, p.v)
	}
	span := days(pts[0].t, last.t)
	x := func(t time.Time) float64 {
		if span == 0 {
			return pad
		}
		return pad + (w-2*pad)*float64(days(pts[0].t, t))/float64(span)
	}
	y := func(v int) float64 {
		if hi == lo {
			return h / 2
		}
		return pad + (h-2*pad)*float64(hi-v)/float64(hi-lo)
	}
	var b strings.Builder
	openSVG(&b, w, h, fmt.Sprintf("%s: %d on %s", label, last.v, last.t.Format("Jan 2")))
	fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`+"\n", stepPath(pts, x, y), seriesColors[0])
	fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`+"\n", num(x(last.t)), num(y(last.v)), seriesColors[0])
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// ProgressBar returns a horizontal stacked bar (320 × 20) of counts by state,
// in the order given, with a text alternative such as "12 of 40 done, 5
// pr-open" and a <title> per segment for hover. Parts of zero or less are
// omitted.
func ProgressBar(label string, parts []BarPart) template.HTML {
	const w, h = 320, 20
	total, done := 0, 0
	var shown []BarPart
	for _, p := range parts {
		if p.Value <= 0 {
			continue
		}
		shown = append(shown, p)
		total += p.Value
		if p.Name == tandem.TargetDone {
			done += p.Value
		}
	}
	summary := fmt.Sprintf("%d of %d done", done, total)
	for _, p := range shown {
		if p.Name != tandem.TargetDone {
			summary += fmt.Sprintf(", %d %s", p.Value, p.Name)
		}
	}
	if label != "" {
		summary = label + ": " + summary
	}
	var b strings.Builder
	openSVG(&b, w, h, summary)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="%s"/>`+"\n", w, h, gridColor)
	sum := 0
	for i, p := range shown {
		x0, x1 := float64(w*sum)/float64(total), float64(w*(sum+p.Value))/float64(total)
		sum += p.Value
		color := p.Color
		if color == "" {
			color = stateColors[p.Name]
		}
		if color == "" {
			color = seriesColors[i%len(seriesColors)]
		}
		fmt.Fprintf(&b, `<rect x="%s" width="%s" height="%d" fill="%s"><title>%s: %d (%d%%)</title></rect>`+"\n",
			num(x0), num(x1-x0), h, esc(color), esc(p.Name), p.Value, (100*p.Value+total/2)/total)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// stepPath returns the path data of a line through pts. Between two points
// more than a day apart, the line stays at the earlier value until the day
// before the later point.
func stepPath(pts []dayPoint, x func(time.Time) float64, y func(int) float64) string {
	var b strings.Builder
	for i, p := range pts {
		if i == 0 {
			fmt.Fprintf(&b, "M%s %s", num(x(p.t)), num(y(p.v)))
			continue
		}
		if prev := pts[i-1]; prev.v != p.v && days(prev.t, p.t) > 1 {
			fmt.Fprintf(&b, "H%s", num(x(p.t.AddDate(0, 0, -1))))
		}
		fmt.Fprintf(&b, "L%s %s", num(x(p.t)), num(y(p.v)))
	}
	return b.String()
}

// parsePoints returns the points whose day parses, in the order given.
func parsePoints(points []DayValue) []dayPoint {
	var pts []dayPoint
	for _, p := range points {
		if t, err := time.Parse(dayLayout, p.Day); err == nil {
			pts = append(pts, dayPoint{t, p.Value})
		}
	}
	return pts
}

func openSVG(b *strings.Builder, w, h int, label string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %[1]d %[2]d" role="img" aria-label="%s" style="font-family:system-ui,sans-serif;max-width:100%%;height:auto">`+"\n<title>%[3]s</title>\n", w, h, esc(label))
}

// emptySVG returns a small placeholder saying there is no data yet.
func emptySVG(label string, w int) template.HTML {
	var b strings.Builder
	if label != "" {
		label += ": "
	}
	openSVG(&b, w, 24, label+"no data yet")
	fmt.Fprintf(&b, `<text x="%d" y="16" text-anchor="middle" font-size="12" fill="%s">no data yet</text>`+"\n</svg>", w/2, axisColor)
	return template.HTML(b.String())
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func orDefault(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

func dashAttr(i int) string {
	if d := seriesDashes[i%len(seriesDashes)]; d != "" {
		return ` stroke-dasharray="` + d + `"`
	}
	return ""
}

// days returns the number of whole days from a to b.
func days(a, b time.Time) int { return int(math.Round(b.Sub(a).Hours() / 24)) }

// niceStep returns the smallest of 1, 2 or 5 times a power of ten that is at
// least r, for value ticks.
func niceStep(r int) int {
	p := 1
	for p*10 < r {
		p *= 10
	}
	for _, m := range []int{1, 2, 5} {
		if m*p >= r {
			return m * p
		}
	}
	return 10 * p
}

// floorTo returns v rounded down to a multiple of step.
func floorTo(v, step int) int { return int(math.Floor(float64(v)/float64(step))) * step }

// num returns f rounded to one decimal, without trailing zeros.
func num(f float64) string {
	s := strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// compactInt returns v as 950, 1.5k or 12k.
func compactInt(v int) string {
	if v > -1000 && v < 1000 {
		return strconv.Itoa(v)
	}
	return num(float64(v)/1000) + "k"
}
