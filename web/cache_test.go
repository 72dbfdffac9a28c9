package web_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"strconv"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/web"
)

// getCached answers a GET of path on srv with extra headers (name, value, …).
func getCached(srv http.Handler, path string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// TestCacheServesUnchangedAnswers checks the read cache as clients see
// it: the same answer with the same ETag while nothing changes, a 304
// for the ETag a client holds, a new answer as soon as a write commits,
// and answers kept apart per viewer.
func TestCacheServesUnchangedAnswers(t *testing.T) {
	srv, db := catalogServer(t, authCatalog)
	if _, err := db.CreateToken(t.Context(), tandem.Token{Person: "victor", Role: tandem.RoleViewer}, tandem.HashToken("victor-secret")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/api/v1/teams", "/teams/payments", "/campaigns/m"} {
		first := getCached(srv, path)
		again := getCached(srv, path)
		if first.Code != http.StatusOK || again.Code != http.StatusOK {
			t.Fatalf("GET %s: %d then %d, want 200", path, first.Code, again.Code)
		}
		etag := first.Header().Get("ETag")
		if etag == "" || again.Header().Get("ETag") != etag || again.Body.String() != first.Body.String() {
			t.Fatalf("GET %s twice: ETags %q and %q, bodies equal %v; want one answer", path, etag, again.Header().Get("ETag"), again.Body.String() == first.Body.String())
		}
		if cc := first.Header().Get("Cache-Control"); cc != "private, no-cache" {
			t.Errorf("GET %s: Cache-Control %q", path, cc)
		}
		if hits := cacheAnswers(t, srv, "hit"); hits == 0 {
			t.Fatalf("GET %s twice: no answer from the cache", path)
		}
		held := getCached(srv, path, "If-None-Match", etag)
		if held.Code != http.StatusNotModified || held.Body.Len() != 0 {
			t.Fatalf("GET %s with its ETag: %d with %d bytes, want 304 and nothing", path, held.Code, held.Body.Len())
		}
		if other := getCached(srv, path, "If-None-Match", `"other"`); other.Code != http.StatusOK {
			t.Fatalf("GET %s with another ETag: %d, want 200", path, other.Code)
		}
	}

	// A viewer's page names them; the anonymous one must not.
	signedIn := getCached(srv, "/", "Authorization", "Bearer victor-secret")
	if !strings.Contains(signedIn.Body.String(), "victor") {
		t.Fatalf("the home page signed in as victor does not name him")
	}
	if anon := getCached(srv, "/"); strings.Contains(anon.Body.String(), "victor") {
		t.Fatalf("the anonymous home page names victor: served another viewer's answer")
	}

	before := getCached(srv, "/api/v1/teams")
	if !strings.Contains(before.Body.String(), "payments") || strings.Contains(before.Body.String(), "security") {
		t.Fatalf("teams before the write: %s", before.Body.String())
	}
	applyTeam(t, db, "security")
	after := getCached(srv, "/api/v1/teams", "If-None-Match", before.Header().Get("ETag"))
	if after.Code != http.StatusOK || !strings.Contains(after.Body.String(), "security") {
		t.Fatalf("teams after a write, with the old ETag: %d %s; want 200 with the new team", after.Code, after.Body.String())
	}
}

// TestCacheKeepsNoErrors checks that a missing object's 404 is not kept:
// once the object exists, its page answers.
func TestCacheKeepsNoErrors(t *testing.T) {
	srv, db := catalogServer(t, authCatalog)
	if got := getCached(srv, "/teams/security"); got.Code != http.StatusNotFound || got.Header().Get("ETag") != "" {
		t.Fatalf("a missing team's page: %d with ETag %q, want 404 without one", got.Code, got.Header().Get("ETag"))
	}
	applyTeam(t, db, "security")
	if got := getCached(srv, "/teams/security"); got.Code != http.StatusOK {
		t.Fatalf("the team's page once applied: %d, want 200", got.Code)
	}
}

// TestCacheUnderConcurrentReaders checks that many readers of a cold
// page all get the one answer, and the metric counts every answer.
func TestCacheUnderConcurrentReaders(t *testing.T) {
	srv, _ := catalogServer(t, authCatalog)
	const readers = 32
	etags := make([]string, readers)
	var wg sync.WaitGroup
	for i := range readers {
		wg.Go(func() {
			rec := getCached(srv, "/campaigns/m")
			if rec.Code == http.StatusOK {
				etags[i] = rec.Header().Get("ETag")
			}
		})
	}
	wg.Wait()
	for i, e := range etags {
		if e == "" || e != etags[0] {
			t.Fatalf("reader %d got ETag %q, reader 0 %q: want one answer for all", i, e, etags[0])
		}
	}
	if counted := cacheAnswers(t, srv); counted != readers {
		t.Fatalf("the cache counted %v answers, want %d", counted, readers)
	}
}

// applyTeam applies one more team to db, as a write of the catalog.
func applyTeam(t *testing.T, db *sqlstore.DB, name string) {
	t.Helper()
	objs, err := manifest.Decode([]manifest.Source{{Name: "more.yaml", Data: []byte("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: " + name + "}\nspec: {type: enabling}\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(t.Context(), objs); err != nil {
		t.Fatal(err)
	}
}

// cacheAnswers adds up the cache's answers in the server's metrics, of
// the given results or of all.
func cacheAnswers(t *testing.T, srv *web.Server, results ...string) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(getCached(srv, "/metrics").Body.String(), "\n") {
		rest, ok := strings.CutPrefix(line, "tandem_http_cache_answers_total{")
		if ok && len(results) > 0 {
			ok = slices.ContainsFunc(results, func(r string) bool { return strings.HasPrefix(rest, `result="`+r+`"`) })
		}
		if ok {
			v, err := strconv.Atoi(rest[strings.LastIndex(rest, " ")+1:])
			if err != nil {
				t.Fatalf("metric line %q: %v", line, err)
			}
			n += v
		}
	}
	return n
}
