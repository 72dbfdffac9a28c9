package web

import (
	"bytes"
	"html/template"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Tickets and change requests are written in Markdown, by templates that
// campaigns' authors write and by comments from anyone: they are rendered
// without their raw HTML, then sanitised, before a page may show them.
var (
	markdownRenderer = goldmark.New(goldmark.WithExtensions(extension.GFM)) // raw HTML is left out: no html.WithUnsafe
	markdownPolicy   = bluemonday.UGCPolicy()
)

// hiddenMarker matches the HTML comments by which Tandem finds its own
// tickets, comments and nudges again (see tandem.TicketMarker).
var hiddenMarker = regexp.MustCompile(`<!--\s*tandem:[^>]*-->`)

// markdown returns Markdown as sanitised HTML, without Tandem's hidden
// markers. It is the only way text from tickets reaches a page as HTML.
func markdown(src string) template.HTML {
	clean := []byte(hiddenMarker.ReplaceAllString(src, ""))
	var b bytes.Buffer
	if err := markdownRenderer.Convert(clean, &b); err != nil {
		b.Reset()
		template.HTMLEscape(&b, clean)
	}
	return template.HTML(markdownPolicy.SanitizeBytes(b.Bytes()))
}
