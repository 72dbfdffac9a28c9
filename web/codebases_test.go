package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

// TestCodebasesPagePages checks that the codebase list is shown a page of
// 100 at a time, each page once, by name, and that a bad ?after= is 422.
func TestCodebasesPagePages(t *testing.T) {
	srv, db := catalogServer(t, authCatalog)
	for i := range 150 {
		c := tandem.Codebase{Name: fmt.Sprintf("svc-%03d", i), Host: "local", DefaultBranch: "main", Head: "c1"}
		if _, _, err := db.SaveCodebase(t.Context(), 0, tandem.CodebaseRead{Codebase: c}); err != nil {
			t.Fatal(err)
		}
	}
	row := regexp.MustCompile(`<td><a href="/codebases/([^"]+)">`)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	var seen []string
	path := "/codebases"
	for pages := 1; ; pages++ {
		rec := getCached(srv, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		body := rec.Body.String()
		names := row.FindAllStringSubmatch(body, -1)
		if len(names) > 100 {
			t.Fatalf("page %d lists %d codebases, want at most 100", pages, len(names))
		}
		for _, m := range names {
			seen = append(seen, m[1])
		}
		m := next.FindStringSubmatch(body)
		if m == nil {
			if pages != 2 {
				t.Fatalf("the list ended after %d pages, want 2", pages)
			}
			break
		}
		path = "/codebases" + html.UnescapeString(m[1])
	}
	if len(seen) != 150 || seen[0] != "svc-000" || seen[149] != "svc-149" {
		t.Fatalf("the pages list %d codebases, %v … %v; want svc-000 to svc-149 once each", len(seen), seen[:1], seen[len(seen)-1:])
	}
	if rec := getCached(srv, "/codebases?after="+strings.Repeat("x", 2000)); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "after") {
		t.Fatalf("a 2,000-byte ?after=: %d, want 422 naming after", rec.Code)
	}
}
