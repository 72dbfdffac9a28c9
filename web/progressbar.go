package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/tandem-dev/tandem"
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

// BarPart is one segment of a ProgressBar. Color is any CSS colour; when
// empty, the palette of the known target states is used.
type BarPart struct {
	Name  string
	Value int
	Color string
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
