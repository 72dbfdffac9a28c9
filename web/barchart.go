package web

import (
	"fmt"
	"html/template"
	"strings"
)

// Bar is one row of a BarChart: its name, its value and the text shown
// beside it (the value as people read it: "3 days", "50% (1/2)").
type Bar struct {
	Name  string
	Value float64
	Text  string
}

// BarChart is a horizontal bar chart, one row per bar, each bar's length
// its share of the largest value (or of Max when set, such as 1 for
// shares), in the colours and text sizes of the line charts.
type BarChart struct {
	Label string
	Bars  []Bar
	Max   float64
	Width int // 480 when 0
}

// SVG renders the chart: a <title> of its label, a <desc> listing every
// bar's text, and a <title> per bar for hover; a placeholder when it has
// no bars.
func (c BarChart) SVG() template.HTML {
	w := orDefault(c.Width, 480)
	if len(c.Bars) == 0 {
		return emptySVG(c.Label, w)
	}
	const rowH, labelW, textW = 22, 150, 110
	top := c.Max
	for _, b := range c.Bars {
		top = max(top, b.Value)
	}
	var desc []string
	for _, b := range c.Bars {
		desc = append(desc, b.Name+": "+b.Text)
	}
	var sb strings.Builder
	openSVG(&sb, w, rowH*len(c.Bars)+4, c.Label, strings.Join(desc, "; "))
	track := float64(w - labelW - textW)
	for i, b := range c.Bars {
		y := float64(i*rowH + 2)
		length := 0.0
		if top > 0 {
			length = track * b.Value / top
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%s" text-anchor="end" font-size="12" fill="%s">%s</text>`+"\n", labelW-6, num(y+14), inkColor, esc(b.Name))
		fmt.Fprintf(&sb, `<rect x="%d" y="%s" width="%s" height="16" fill="%s"/>`+"\n", labelW, num(y+2), num(track), gridColor)
		fmt.Fprintf(&sb, `<rect x="%d" y="%s" width="%s" height="16" fill="%s"><title>%s: %s</title></rect>`+"\n",
			labelW, num(y+2), num(length), seriesColors[0], esc(b.Name), esc(b.Text))
		fmt.Fprintf(&sb, `<text x="%s" y="%s" font-size="12" fill="%s">%s</text>`+"\n", num(float64(labelW)+track+6), num(y+14), axisColor, esc(b.Text))
	}
	sb.WriteString("</svg>")
	return template.HTML(sb.String())
}
