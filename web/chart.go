package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
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

// Series is a named line of values over time.
type Series struct {
	Name string
	// Unit is what a value counts ("codebases"), for the labelled value a
	// chart of a single point shows; Name when empty.
	Unit   string
	Points []DayValue // sorted by time
	// Ideal marks a plan rather than a record: straight dashed segments
	// between its points, no dots.
	Ideal bool
	// Changes marks a record of changes: each point is a time the value
	// changed, dotted, and the value holds until the next point (or the
	// chart's Now).
	Changes bool
}

// DayValue is the value of a series on one day (YYYY-MM-DD), or at an
// instant.
type DayValue struct {
	Day   string
	Value int
	// At, when not zero, is the instant of the value and Day is ignored:
	// for series that change within a day.
	At time.Time
}

// LineChart is an SVG line chart of one or more series over time, with an
// optional vertical marker such as a deadline.
type LineChart struct {
	Title       string // used for <title> and aria-label
	Series      []Series
	Marker      string // a day to mark with a vertical dashed line, or ""
	MarkerLabel string // the marker's label; the day itself if empty
	// Now, when set, is the present: Changes series hold their last value
	// up to it, and a single point on its day reads "today".
	Now    time.Time
	Width  int // CSS px, default 640
	Height int // CSS px, default 220
}

type dayPoint struct {
	t time.Time
	v int
}

// legendEntry is one entry of a chart's legend: a sample of the line (or
// a swatch) and its name.
type legendEntry struct {
	name, color, dash string
	swatch            bool // a filled square rather than a line
	marker            bool // a vertical dashed line
}

// SVG returns the chart as inline SVG with a <title>, a <desc> that says
// what each series shows, and a legend naming every series and the marker.
// Days with no point between two points carry the previous value, so
// sparse series from daily histories draw as steps; Changes series step
// at each point and Ideal series are straight. Points with unparsable days
// are skipped; with no point at all, a small "no data yet" SVG is
// returned; when every point falls on one instant and there is no marker,
// the values are drawn as labelled numbers ("2 codebases today") rather
// than as lone dots. Every label is escaped.
func (c LineChart) SVG() template.HTML {
	w, h := orDefault(c.Width, 640), orDefault(c.Height, 220)
	d := c.data()
	if d.lo.IsZero() {
		return emptySVG(c.Title, w)
	}
	marker, err := time.Parse(dayLayout, c.Marker)
	hasMarker := err == nil
	if hasMarker {
		d.widen(marker)
	}
	if !hasMarker && d.lo.Equal(d.hi) {
		return c.valueSVG(d.lines, w)
	}
	if d.changes && c.Now.After(d.hi) {
		d.widen(c.Now)
	}
	markerLabel := c.MarkerLabel
	if markerLabel == "" {
		markerLabel = c.Marker
	}
	entries := c.legend(hasMarker, markerLabel)
	left, right, top, bottom := 44.0, 24.0, 20.0, 24.0
	slots, rows := layoutLegend(entries, left, float64(w)-right)
	bottom += 20 * float64(rows)
	p := newPlotArea(d, left, top, float64(w)-left-right, float64(h)-top-bottom)

	var b strings.Builder
	openSVG(&b, w, h, c.Title, c.describe(d.lines, markerLabel))
	p.writeAxes(&b)
	if hasMarker {
		p.writeMarker(&b, marker, markerLabel, w)
	}
	c.writeSeries(&b, p, d.lines)
	writeLegend(&b, entries, slots, float64(h)-8-20*float64(rows-1))
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// chartData is a chart's points, by series, and what they span.
type chartData struct {
	lines      [][]dayPoint
	lo, hi     time.Time
	minV, maxV int  // minV at most 0, maxV at least 0
	changes    bool // a Changes series has points
}

// data parses the points of every series of c, and what they span.
func (c LineChart) data() chartData {
	d := chartData{lines: make([][]dayPoint, len(c.Series))}
	for i, s := range c.Series {
		d.lines[i] = parsePoints(s.Points)
		for _, p := range d.lines[i] {
			d.widen(p.t)
			d.minV, d.maxV = min(d.minV, p.v), max(d.maxV, p.v)
		}
		d.changes = d.changes || s.Changes && len(d.lines[i]) > 0
	}
	return d
}

// widen makes the span of d take in t.
func (d *chartData) widen(t time.Time) {
	if d.lo.IsZero() || t.Before(d.lo) {
		d.lo = t
	}
	if d.hi.IsZero() || t.After(d.hi) {
		d.hi = t
	}
}

// legend names every series of c, and the marker when there is one.
func (c LineChart) legend(hasMarker bool, markerLabel string) []legendEntry {
	var entries []legendEntry
	for i, s := range c.Series {
		entries = append(entries, legendEntry{name: s.Name, color: seriesColors[i%len(seriesColors)], dash: seriesDash(i, s)})
	}
	if hasMarker {
		name := markerLabel
		if c.MarkerLabel != "" {
			name += " " + c.Marker
		}
		entries = append(entries, legendEntry{name: name, color: axisColor, dash: ` stroke-dasharray="4 3"`, marker: true})
	}
	return entries
}

// plotArea is where a chart's lines are drawn: its place and size in the
// SVG, the times it spans left to right and the values bottom to top, in
// steps of step.
type plotArea struct {
	left, top, pw, ph float64
	lo, hi            time.Time
	yMin, yMax, step  int
}

// newPlotArea fits the values of d to round steps, about four of them.
func newPlotArea(d chartData, left, top, pw, ph float64) plotArea {
	step := niceStep((d.maxV - d.minV + 3) / 4)
	yMin, yMax := floorTo(d.minV, step), floorTo(d.maxV+step-1, step)
	if yMax == yMin {
		yMax += step
	}
	return plotArea{left: left, top: top, pw: pw, ph: ph, lo: d.lo, hi: d.hi, yMin: yMin, yMax: yMax, step: step}
}

func (p plotArea) x(t time.Time) float64 {
	return p.left + p.pw*float64(t.Sub(p.lo))/float64(p.hi.Sub(p.lo))
}

func (p plotArea) y(v int) float64 {
	return p.top + p.ph*float64(p.yMax-v)/float64(p.yMax-p.yMin)
}

// writeAxes writes the value grid and its labels, the dates under the
// plot, and the axes.
func (p plotArea) writeAxes(b *strings.Builder) {
	for v := p.yMin; v <= p.yMax; v += p.step {
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n", num(p.left), num(p.y(v)), num(p.left+p.pw), num(p.y(v)), gridColor)
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="end" font-size="11" fill="%s">%s</text>`+"\n", num(p.left-6), num(p.y(v)+4), axisColor, compactInt(v))
	}
	b.WriteString(`<g class="axis-dates">` + "\n")
	ticks := dateTicks(p.lo, p.hi)
	for i, t := range ticks {
		anchor := "middle"
		if i > 0 && i == len(ticks)-1 {
			anchor = "end" // the last date ends at the right edge, not past it
		}
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="%s" font-size="11" fill="%s">%s</text>`+"\n", num(p.x(t.t)), num(p.top+p.ph+16), anchor, axisColor, esc(t.label))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(b, `<path d="M%s %sV%sH%s" fill="none" stroke="%s" stroke-width="1"/>`+"\n", num(p.left), num(p.top), num(p.top+p.ph), num(p.left+p.pw), axisColor)
}

// writeMarker writes the marker's dashed line at its day, and its label
// above, kept inside a chart w wide.
func (p plotArea) writeMarker(b *strings.Builder, marker time.Time, label string, w int) {
	mx := p.x(marker)
	anchor := "middle"
	if mx > float64(w)-60 {
		anchor = "end"
	}
	fmt.Fprintf(b, `<g class="marker"><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`+"\n", num(mx), num(p.top), num(mx), num(p.top+p.ph), axisColor)
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="%s" font-size="11" fill="%s">%s</text></g>`+"\n", num(mx), num(p.top-6), anchor, inkColor, esc(label))
}

// writeSeries writes the line of every series that has points, with its
// dots: every point of a Changes series, the last of a recorded one.
func (c LineChart) writeSeries(b *strings.Builder, p plotArea, lines [][]dayPoint) {
	for i, s := range c.Series {
		pts := lines[i]
		if len(pts) == 0 {
			continue
		}
		color, dash := seriesColors[i%len(seriesColors)], seriesDash(i, s)
		var d, class string
		switch {
		case s.Ideal:
			d, class = straightPath(pts, p.x, p.y), "series ideal"
		case s.Changes:
			d, class = changePath(pts, c.Now, p.x, p.y), "series changes"
		default:
			d, class = stepPath(pts, p.x, p.y), "series"
		}
		fmt.Fprintf(b, `<path class="%s" d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"%s><title>%s</title></path>`+"\n", class, d, color, dash, esc(s.Name))
		switch {
		case s.Changes:
			for _, pt := range pts {
				fmt.Fprintf(b, `<circle class="point" cx="%s" cy="%s" r="3" fill="%s"><title>%s</title></circle>`+"\n",
					num(p.x(pt.t)), num(p.y(pt.v)), color, esc(fmt.Sprintf("%s: %d at %s", s.Name, pt.v, pt.t.UTC().Format("Jan 2 15:04"))))
			}
		case !s.Ideal:
			last := pts[len(pts)-1]
			fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", num(p.x(last.t)), num(p.y(last.v)), color)
		}
	}
}

// valueSVG draws each series' single value as a labelled number, for a
// chart whose points all fall on one instant: "2 codebases today".
func (c LineChart) valueSVG(lines [][]dayPoint, w int) template.HTML {
	type row struct {
		color, value, label string
	}
	var rows []row
	var desc []string
	for i, s := range c.Series {
		if len(lines[i]) == 0 {
			continue
		}
		p := lines[i][len(lines[i])-1]
		unit := s.Unit
		if unit == "" {
			unit = s.Name
		}
		when := "since " + p.t.UTC().Format("Jan 2")
		if !c.Now.IsZero() && p.t.UTC().Format(dayLayout) == c.Now.UTC().Format(dayLayout) {
			when = "today"
		}
		r := row{seriesColors[i%len(seriesColors)], strconv.Itoa(p.v), unit + " " + when}
		rows = append(rows, r)
		desc = append(desc, r.value+" "+r.label)
	}
	var b strings.Builder
	openSVG(&b, w, 12+30*len(rows), c.Title, strings.Join(desc, "; "))
	b.WriteString(`<g class="legend value">` + "\n")
	for i, r := range rows {
		y := 30 + 30*i
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="12" height="12" fill="%s"/>`+"\n", y-12, r.color)
		fmt.Fprintf(&b, `<text x="20" y="%d" font-size="16" fill="%s"><tspan font-size="22" font-weight="600">%s</tspan> %s</text>`+"\n", y, inkColor, r.value, esc(r.label))
	}
	b.WriteString("</g>\n</svg>")
	return template.HTML(b.String())
}

// describe returns the chart's <desc>: each series from its first to its
// last value, and the marker.
func (c LineChart) describe(lines [][]dayPoint, markerLabel string) string {
	var parts []string
	for i, s := range c.Series {
		pts := lines[i]
		switch len(pts) {
		case 0:
			parts = append(parts, s.Name+": no data")
		case 1:
			parts = append(parts, fmt.Sprintf("%s: %d on %s", s.Name, pts[0].v, pointTime(pts[0].t)))
		default:
			first, last := pts[0], pts[len(pts)-1]
			what := "points"
			if s.Changes {
				what = "changes"
			}
			parts = append(parts, fmt.Sprintf("%s: from %d on %s to %d on %s (%d %s)", s.Name, first.v, pointTime(first.t), last.v, pointTime(last.t), len(pts), what))
		}
	}
	if c.Marker != "" {
		parts = append(parts, markerLabel+": "+c.Marker)
	}
	return strings.Join(parts, "; ")
}

// pointTime is a point's time for people: its day, and its time of day
// when it has one.
func pointTime(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 {
		return t.Format(dayLayout)
	}
	return t.Format(dayLayout + " 15:04")
}

func seriesDash(i int, s Series) string {
	if s.Ideal {
		return ` stroke-dasharray="6 3"`
	}
	return dashAttr(i)
}

type dateTick struct {
	t     time.Time
	label string
}

// dateTicks returns up to five evenly spread labels from lo to hi: dates,
// with the year when the range crosses one, or times of day when it spans
// less than two days.
func dateTicks(lo, hi time.Time) []dateTick {
	span := hi.Sub(lo)
	layout := "Jan 2"
	if lo.Year() != hi.Year() {
		layout = "Jan 2 2006"
	}
	if span < 48*time.Hour {
		layout = "Jan 2 15:04"
	}
	n := 5
	if d := days(lo, hi); span >= 48*time.Hour && d < 4 {
		n = d + 1
	}
	if span < 48*time.Hour {
		n = 3
	}
	var out []dateTick
	for i := range n {
		t := lo.Add(time.Duration(float64(span) * float64(i) / float64(n-1)))
		if span >= 48*time.Hour {
			t = lo.AddDate(0, 0, int(math.Round(float64(i*days(lo, hi))/float64(n-1))))
			if t.After(hi) {
				t = hi
			}
		}
		out = append(out, dateTick{t, t.UTC().Format(layout)})
	}
	return out
}

type legendSlot struct {
	x   float64
	row int
}

// layoutLegend places entries left to right from left, wrapping to a new
// row before right, and returns their slots and the number of rows.
func layoutLegend(entries []legendEntry, left, right float64) ([]legendSlot, int) {
	slots := make([]legendSlot, 0, len(entries))
	x, row := left, 0
	for _, e := range entries {
		width := 24 + 6.5*float64(len([]rune(e.name))) + 16
		if x > left && x+width > right {
			x, row = left, row+1
		}
		slots = append(slots, legendSlot{x, row})
		x += width
	}
	if len(entries) == 0 {
		return slots, 0
	}
	return slots, row + 1
}

// writeLegend writes entries at their slots, the first row's baseline at y0.
func writeLegend(b *strings.Builder, entries []legendEntry, slots []legendSlot, y0 float64) {
	b.WriteString(`<g class="legend">` + "\n")
	for i, e := range entries {
		lx, ly := slots[i].x, y0+20*float64(slots[i].row)
		switch {
		case e.swatch:
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="12" height="12" fill="%s"/>`+"\n", num(lx), num(ly-10), esc(e.color))
		case e.marker:
			fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`+"\n", num(lx+9), num(ly-12), num(lx+9), num(ly+2), e.color, e.dash)
		default:
			fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`+"\n", num(lx), num(ly-4), num(lx+18), num(ly-4), e.color, e.dash)
		}
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="12" fill="%s">%s</text>`+"\n", num(lx+24), num(ly), inkColor, esc(e.name))
	}
	b.WriteString("</g>\n")
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

// straightPath returns the path data of straight segments through pts.
func straightPath(pts []dayPoint, x func(time.Time) float64, y func(int) float64) string {
	var b strings.Builder
	for i, p := range pts {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&b, "%s%s %s", cmd, num(x(p.t)), num(y(p.v)))
	}
	return b.String()
}

// changePath returns the path data of a value that changes at each point
// and holds until the next one, then until now when now is later.
func changePath(pts []dayPoint, now time.Time, x func(time.Time) float64, y func(int) float64) string {
	var b strings.Builder
	for i, p := range pts {
		if i == 0 {
			fmt.Fprintf(&b, "M%s %s", num(x(p.t)), num(y(p.v)))
			continue
		}
		fmt.Fprintf(&b, "H%sV%s", num(x(p.t)), num(y(p.v)))
	}
	if last := pts[len(pts)-1]; now.After(last.t) {
		fmt.Fprintf(&b, "H%s", num(x(now)))
	}
	return b.String()
}

// parsePoints returns the points whose instant is set or whose day
// parses, in the order given.
func parsePoints(points []DayValue) []dayPoint {
	var pts []dayPoint
	for _, p := range points {
		if !p.At.IsZero() {
			pts = append(pts, dayPoint{p.At.UTC(), p.Value})
		} else if t, err := time.Parse(dayLayout, p.Day); err == nil {
			pts = append(pts, dayPoint{t, p.Value})
		}
	}
	return pts
}

// openSVG opens an SVG image labelled label, with label as its <title> and
// desc, when not empty, as its <desc>.
func openSVG(b *strings.Builder, w, h int, label, desc string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%d" height="%d" viewBox="0 0 %[1]d %[2]d" role="img" aria-label="%s" style="font-family:system-ui,sans-serif;max-width:100%%;height:auto">`+"\n<title>%[3]s</title>\n", w, h, esc(label))
	if desc != "" {
		fmt.Fprintf(b, "<desc>%s</desc>\n", esc(desc))
	}
}

// emptySVG returns a small placeholder saying there is no data yet.
func emptySVG(label string, w int) template.HTML {
	var b strings.Builder
	if label != "" {
		label += ": "
	}
	openSVG(&b, w, 24, label+"no data yet", "")
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
