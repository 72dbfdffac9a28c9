package web

import (
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
		not       []string
	}{
		{"ListsAndLinksAreHTML", "Codebases:\n\n- **payments-api**\n- [the guide](https://docs.example/obslog)\n",
			[]string{"<li><strong>payments-api</strong></li>", `<a href="https://docs.example/obslog" rel="nofollow">the guide</a>`}, nil},
		{"TheMarkerIsGone", "Body\n\n<!-- tandem:campaign=logrus-to-obslog;team=payments -->",
			[]string{"<p>Body</p>"}, []string{"tandem:", "<!--"}},
		{"RawHTMLIsLeftOut", "<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)>",
			[]string{"hi"}, []string{"<script", "onerror", "<img"}},
		{"ScriptLinksAreNotLinks", "[click](javascript:alert(1))",
			[]string{"click"}, []string{"javascript:", "href"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(markdown(tc.src))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("markdown(%q) = %q, lacks %q", tc.src, got, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("markdown(%q) = %q, has %q", tc.src, got, n)
				}
			}
		})
	}
}
