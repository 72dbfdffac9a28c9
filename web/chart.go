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
	tandem.TargetGone:         "#424a53",
}

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
	minV, maxV, changes := 0, 0, false
	for i, s := range c.Series {
		lines[i] = parsePoints(s.Points)
		for _, p := range lines[i] {
			widen(p.t)
			minV, maxV = min(minV, p.v), max(maxV, p.v)
		}
		changes = changes || s.Changes && len(lines[i]) > 0
	}
	if lo.IsZero() {
		return emptySVG(c.Title, w)
	}
	marker, err := time.Parse(dayLayout, c.Marker)
	hasMarker := err == nil
	if hasMarker {
		widen(marker)
	}
	if !hasMarker && lo.Equal(hi) {
		return c.valueSVG(lines, w)
	}
	if changes && c.Now.After(hi) {
		widen(c.Now)
	}
	markerLabel := c.MarkerLabel
	if markerLabel == "" {
		markerLabel = c.Marker
	}

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
	left, right, top, bottom := 44.0, 24.0, 20.0, 24.0
	slots, rows := layoutLegend(entries, left, float64(w)-right)
	bottom += 20 * float64(rows)
	pw, ph := float64(w)-left-right, float64(h)-top-bottom
	span := hi.Sub(lo)
	x := func(t time.Time) float64 { return left + pw*float64(t.Sub(lo))/float64(span) }
	step := niceStep((maxV - minV + 3) / 4)
	yMin, yMax := floorTo(minV, step), floorTo(maxV+step-1, step)
	if yMax == yMin {
		yMax += step
	}
	y := func(v int) float64 { return top + ph*float64(yMax-v)/float64(yMax-yMin) }

	var b strings.Builder
	openSVG(&b, w, h, c.Title, c.describe(lines, markerLabel))
	for v := yMin; v <= yMax; v += step {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n", num(left), num(y(v)), num(left+pw), num(y(v)), gridColor)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" font-size="11" fill="%s">%s</text>`+"\n", num(left-6), num(y(v)+4), axisColor, compactInt(v))
	}
	b.WriteString(`<g class="axis-dates">` + "\n")
	ticks := dateTicks(lo, hi)
	for i, t := range ticks {
		anchor := "middle"
		if i > 0 && i == len(ticks)-1 {
			anchor = "end" // the last date ends at the right edge, not past it
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="%s" font-size="11" fill="%s">%s</text>`+"\n", num(x(t.t)), num(top+ph+16), anchor, axisColor, esc(t.label))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<path d="M%s %sV%sH%s" fill="none" stroke="%s" stroke-width="1"/>`+"\n", num(left), num(top), num(top+ph), num(left+pw), axisColor)

	if hasMarker {
		mx := x(marker)
		anchor := "middle"
		if mx > float64(w)-60 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<g class="marker"><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`+"\n", num(mx), num(top), num(mx), num(top+ph), axisColor)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="%s" font-size="11" fill="%s">%s</text></g>`+"\n", num(mx), num(top-6), anchor, inkColor, esc(markerLabel))
	}

	for i, s := range c.Series {
		pts := lines[i]
		if len(pts) == 0 {
			continue
		}
		color, dash := seriesColors[i%len(seriesColors)], seriesDash(i, s)
		var d, class string
		switch {
		case s.Ideal:
			d, class = straightPath(pts, x, y), "series ideal"
		case s.Changes:
			d, class = changePath(pts, c.Now, x, y), "series changes"
		default:
			d, class = stepPath(pts, x, y), "series"
		}
		fmt.Fprintf(&b, `<path class="%s" d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"%s><title>%s</title></path>`+"\n", class, d, color, dash, esc(s.Name))
		switch {
		case s.Changes:
			for _, p := range pts {
				fmt.Fprintf(&b, `<circle class="point" cx="%s" cy="%s" r="3" fill="%s"><title>%s</title></circle>`+"\n",
					num(x(p.t)), num(y(p.v)), color, esc(fmt.Sprintf("%s: %d at %s", s.Name, p.v, p.t.UTC().Format("Jan 2 15:04"))))
			}
		case !s.Ideal:
			last := pts[len(pts)-1]
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", num(x(last.t)), num(y(last.v)), color)
		}
	}
	writeLegend(&b, entries, slots, float64(h)-8-20*float64(rows-1))
	b.WriteString("</svg>")
	return template.HTML(b.String())
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

// ProgressBar returns a horizontal stacked bar (320 wide) of counts by
// state, in the order given, with a legend below it giving each state's
// colour, name and count, a text alternative such as "12 of 40 done, 5
// pr-open" and a <title> per segment for hover. Parts of zero or less are
// omitted.
func ProgressBar(label string, parts []BarPart) template.HTML {
	const w, barH = 320, 20
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
	var desc []string
	for _, p := range shown {
		if p.Name != tandem.TargetDone {
			summary += fmt.Sprintf(", %d %s", p.Value, p.Name)
		}
		desc = append(desc, fmt.Sprintf("%s: %d (%d%%)", p.Name, p.Value, (100*p.Value+total/2)/total))
	}
	if label != "" {
		summary = label + ": " + summary
	}
	entries := make([]legendEntry, len(shown))
	for i, p := range shown {
		color := p.Color
		if color == "" {
			color = stateColors[p.Name]
		}
		if color == "" {
			color = seriesColors[i%len(seriesColors)]
		}
		shown[i].Color = color
		entries[i] = legendEntry{name: fmt.Sprintf("%s %d", p.Name, p.Value), color: color, swatch: true}
	}
	slots, rows := layoutLegend(entries, 0, w)
	h := barH + 20*rows
	if rows > 0 {
		h += 4
	}
	var b strings.Builder
	openSVG(&b, w, h, summary, strings.Join(desc, "; "))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="%s"/>`+"\n", w, barH, gridColor)
	sum := 0
	for _, p := range shown {
		x0, x1 := float64(w*sum)/float64(total), float64(w*(sum+p.Value))/float64(total)
		sum += p.Value
		fmt.Fprintf(&b, `<rect x="%s" width="%s" height="%d" fill="%s"><title>%s: %d (%d%%)</title></rect>`+"\n",
			num(x0), num(x1-x0), barH, esc(p.Color), esc(p.Name), p.Value, (100*p.Value+total/2)/total)
	}
	if rows > 0 {
		writeLegend(&b, entries, slots, barH+18)
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
