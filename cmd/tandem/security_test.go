package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// page is an answer of the running server to a request of the tests.
type page struct {
	status int
	header http.Header
	body   string
}

// request sends a request with the given headers and cookies to a running
// server and reads the whole answer, following no redirect.
func request(t *testing.T, method, url, contentType, body string, header map[string]string, cookies ...*http.Cookie) page {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// signInForm signs in through the sign-in form with a token and returns
// the cookie the server set.
func signInForm(t *testing.T, url, token string) *http.Cookie {
	t.Helper()
	req, err := http.NewRequest("POST", url+"/signin", strings.NewReader("token="+token))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "tandem_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("signing in: %s, no session cookie among %v", resp.Status, resp.Cookies())
	return nil
}

// whoIs returns who the home page shows signed in with the cookies, ""
// for no one.
func whoIs(t *testing.T, url string, cookies ...*http.Cookie) string {
	t.Helper()
	p := request(t, "GET", url+"/", "", "", nil, cookies...)
	if p.status != http.StatusOK {
		t.Fatalf("GET /: %d %s", p.status, p.body)
	}
	m := regexp.MustCompile(`Signed in as <strong>([^<]+)</strong>`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestBrowserSessions signs in to a running server as a browser does:
// the cookie holds a session, not the token, Secure behind an https
// public URL; a raw token in a cookie signs no one in; revoking the
// token or signing out ends the session.
func TestBrowserSessions(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN, "--public-url", "https://tandem.example.com")
			t.Run("ARawTokenInACookieIsAnonymous", func(t *testing.T) {
				for _, name := range []string{"tandem_token", "tandem_session"} {
					raw := &http.Cookie{Name: name, Value: testAdminToken}
					if got := whoIs(t, url, raw); got != "" {
						t.Errorf("cookie %s holding the raw token: signed in as %q, want no one", name, got)
					}
					if p := request(t, "POST", url+"/scan", "application/x-www-form-urlencoded", "", nil, raw); p.status != http.StatusUnauthorized {
						t.Errorf("POST /scan with cookie %s holding the raw token: %d, want 401", name, p.status)
					}
				}
			})

			t.Run("ATokenInTheQueryStringSignsNoOneIn", func(t *testing.T) {
				p := request(t, "POST", url+"/signin?token="+testAdminToken, "application/x-www-form-urlencoded", "", nil)
				for _, c := range p.header.Values("Set-Cookie") {
					if strings.HasPrefix(c, "tandem_session=") && !strings.HasPrefix(c, "tandem_session=;") {
						t.Errorf("POST /signin?token=…: %d set %s, want no session", p.status, c)
					}
				}
			})

			c := signInForm(t, url, testAdminToken)
			if c.Value == testAdminToken || strings.HasPrefix(c.Value, tandem.TokenPrefix) {
				t.Errorf("the sign-in cookie holds %q: want a session id, not the token", c.Value)
			}
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("the sign-in cookie behind https://tandem.example.com: Secure %t, HttpOnly %t, SameSite %v; want Secure, HttpOnly, Lax",
					c.Secure, c.HttpOnly, c.SameSite)
			}
			session := &http.Cookie{Name: c.Name, Value: c.Value}
			if got := whoIs(t, url, session); got != "admin" {
				t.Fatalf("signed in with the session cookie: the page shows %q, want admin", got)
			}

			t.Run("RevokingTheTokenEndsItsSessions", func(t *testing.T) {
				var created struct {
					Token  tandem.Token `json:"token"`
					Secret string       `json:"secret"`
				}
				p := request(t, "POST", url+"/api/v1/tokens", "application/json", `{"person": "victor", "role": "viewer"}`,
					map[string]string{"Authorization": "Bearer " + testAdminToken})
				if err := json.Unmarshal([]byte(p.body), &created); p.status != http.StatusCreated || err != nil {
					t.Fatalf("create a token: %d %s", p.status, p.body)
				}
				victor := signInForm(t, url, created.Secret)
				if got := whoIs(t, url, victor); got != "victor" {
					t.Fatalf("victor's session shows %q", got)
				}
				p = request(t, "POST", fmt.Sprintf("%s/api/v1/tokens/%d/revoke", url, created.Token.ID), "application/json", "",
					map[string]string{"Authorization": "Bearer " + testAdminToken})
				if p.status != http.StatusOK {
					t.Fatalf("revoke: %d %s", p.status, p.body)
				}
				if got := whoIs(t, url, victor); got != "" {
					t.Errorf("after revoking victor's token, his session shows %q signed in", got)
				}
			})

			t.Run("SigningOutEndsTheSession", func(t *testing.T) {
				other := signInForm(t, url, testAdminToken)
				p := request(t, "POST", url+"/signout", "application/x-www-form-urlencoded", "", nil, session)
				if p.status != http.StatusSeeOther {
					t.Fatalf("POST /signout: %d %s, want 303", p.status, p.body)
				}
				cleared := false
				for _, c := range (&http.Response{Header: p.header}).Cookies() {
					cleared = cleared || (c.Name == "tandem_session" && c.MaxAge < 0)
				}
				if !cleared {
					t.Errorf("POST /signout did not clear the cookie: %v", p.header["Set-Cookie"])
				}
				// A copy of the cookie kept after signing out is worth nothing.
				if got := whoIs(t, url, session); got != "" {
					t.Errorf("after signing out, the session's cookie shows %q signed in", got)
				}
				if p := request(t, "POST", url+"/scan", "application/x-www-form-urlencoded", "", nil, session); p.status != http.StatusUnauthorized {
					t.Errorf("POST /scan with a signed-out session: %d, want 401", p.status)
				}
				if got := whoIs(t, url, &http.Cookie{Name: other.Name, Value: other.Value}); got != "admin" {
					t.Errorf("signing out ended another browser's session: it shows %q", got)
				}
			})
		})
	}
}

// TestSessionCookieWithoutHTTPS checks that a server without an https
// public URL sets the cookie without Secure, which browsers would not
// send back over http.
func TestSessionCookieWithoutHTTPS(t *testing.T) {
	t.Parallel()
	url := startServer(t, sqlstoretest.SQLite(t))
	if c := signInForm(t, url, testAdminToken); c.Secure || !c.HttpOnly {
		t.Errorf("the sign-in cookie on plain http: Secure %t, HttpOnly %t; want HttpOnly alone", c.Secure, c.HttpOnly)
	}
}

// TestWebhookReplay delivers the same signed webhook twice, concurrently,
// and to two processes on one PostgreSQL: it starts one scan, and a
// replay is answered "already delivered".
func TestWebhookReplay(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			environ := map[string]string{"FORGE_TOKEN": "x", "FORGE_HOOK": "hook-secret"}
			urls := []string{startServerEnv(t, engine.DSN, environ)}
			if engine.Name == "postgres" {
				urls = append(urls, startServerEnv(t, engine.DSN, environ))
			}
			catalog := filepath.Join(t.TempDir(), "catalog.yaml")
			// Nothing answers on port 1: the scans a push starts fail at once.
			writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "http://127.0.0.1:1", org: acme, token: env:FORGE_TOKEN, webhookSecret: env:FORGE_HOOK}
`)
			if code, _, errOut := tandemCLI(t, urls[0], "apply", "-f", catalog); code != 0 {
				t.Fatalf("apply: %s", errOut)
			}
			sign := func(body string) string {
				mac := hmac.New(sha256.New, []byte("hook-secret"))
				mac.Write([]byte(body))
				return hex.EncodeToString(mac.Sum(nil))
			}
			deliver := func(url, id, body string) page {
				t.Helper()
				h := map[string]string{"X-Gitea-Event": "push", "X-Gitea-Signature": sign(body)}
				if id != "" {
					h["X-Gitea-Delivery"] = id
				}
				return request(t, "POST", url+"/api/v1/hooks/forge", "application/json", body, h)
			}
			scanOf := func(p page) int64 {
				var s tandem.Scan
				if p.status != http.StatusAccepted || json.Unmarshal([]byte(p.body), &s) != nil || s.ID == 0 {
					return 0
				}
				return s.ID
			}
			scanExists := func(id int64) bool {
				return request(t, "GET", fmt.Sprintf("%s/api/v1/scans/%d", urls[0], id), "", "", nil).status == http.StatusOK
			}
			push := func(after string) string {
				return `{"ref": "refs/heads/main", "after": "` + after + `", "repository": {"name": "payments-api", "full_name": "acme/payments-api"}}`
			}

			// The same delivery, several times at once, to every process.
			var wg sync.WaitGroup
			answers := make(chan page, 6)
			for i := range 6 {
				wg.Go(func() { answers <- deliver(urls[i%len(urls)], "d-1", push("0001")) })
			}
			wg.Wait()
			close(answers)
			var first int64
			replays := 0
			for p := range answers {
				switch id := scanOf(p); {
				case id != 0 && first == 0:
					first = id
				case id != 0:
					t.Errorf("a second scan %d for one delivery (the first %d)", id, first)
				case p.status == http.StatusOK && strings.Contains(p.body, "already delivered"):
					replays++
				default:
					t.Errorf("a delivery: %d %s", p.status, p.body)
				}
			}
			if first == 0 || replays != 5 {
				t.Fatalf("6 identical deliveries: first scan %d, %d answered already delivered; want one scan and 5", first, replays)
			}
			if scanExists(first + 1) {
				t.Errorf("scan %d exists after one delivery acted on", first+1)
			}

			// A replay under another id, or none, is caught by its body;
			// a forged one is refused before anything is recorded.
			for name, id := range map[string]string{"another id": "d-2", "no id": ""} {
				if p := deliver(urls[0], id, push("0001")); p.status != http.StatusOK || !strings.Contains(p.body, "already delivered") {
					t.Errorf("a replay with %s: %d %s, want 200 already delivered", name, p.status, p.body)
				}
			}
			if scanExists(first + 1) {
				t.Errorf("a replay started scan %d", first+1)
			}
			forged := request(t, "POST", urls[0]+"/api/v1/hooks/forge", "application/json", push("0002"),
				map[string]string{"X-Gitea-Event": "push", "X-Gitea-Signature": sign("other"), "X-Gitea-Delivery": "d-3"})
			if forged.status != http.StatusForbidden {
				t.Errorf("a forged delivery: %d %s, want 403", forged.status, forged.body)
			}
			// A new delivery is acted on, even without an id, once.
			if id := scanOf(deliver(urls[len(urls)-1], "d-3", push("0002"))); id != first+1 {
				t.Errorf("a new delivery started scan %d, want %d", id, first+1)
			}
			if id := scanOf(deliver(urls[0], "", push("0003"))); id != first+2 {
				t.Errorf("a new delivery without an id started scan %d, want %d", id, first+2)
			}
			if p := deliver(urls[0], "", push("0003")); p.status != http.StatusOK || scanExists(first+3) {
				t.Errorf("the same delivery without an id again: %d %s, scan %d exists %t", p.status, p.body, first+3, scanExists(first+3))
			}
		})
	}
}

// TestPeoplePages lists 1,500 people: the API answers a page at a time,
// at most 1,000, and the CLI follows the pages to list them all.
func TestPeoplePages(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN)
			var catalog strings.Builder
			var members []string
			for i := range 1500 {
				handle := fmt.Sprintf("person-%04d", i)
				if i%3 == 0 {
					members = append(members, handle) // named by a team alone
					continue
				}
				fmt.Fprintf(&catalog, "apiVersion: tandem.dev/v1\nkind: Person\nmetadata: {name: %s}\nspec: {name: Person %d}\n---\n", handle, i)
			}
			fmt.Fprintf(&catalog, "apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: everyone}\nspec: {type: stream-aligned, members: [%s]}\n", strings.Join(members, ", "))
			file := filepath.Join(t.TempDir(), "people.yaml")
			writeFile(t, file, catalog.String())
			if code, _, errOut := tandemCLI(t, url, "apply", "-f", file); code != 0 {
				t.Fatalf("apply: %s", errOut)
			}

			get := func(path string) (page, []tandem.Person) {
				t.Helper()
				p := request(t, "GET", url+path, "", "", nil)
				var people []tandem.Person
				if p.status == http.StatusOK {
					if err := json.Unmarshal([]byte(p.body), &people); err != nil {
						t.Fatalf("GET %s: %v", path, err)
					}
				}
				return p, people
			}
			next := func(p page) string {
				m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(p.header.Get("Link"))
				if m == nil {
					return ""
				}
				return m[1]
			}

			p, people := get("/api/v1/people")
			if p.status != http.StatusOK || len(people) != 100 || next(p) == "" {
				t.Errorf("GET /api/v1/people: %d, %d people, Link %q; want the default page of 100 and a next link", p.status, len(people), p.header.Get("Link"))
			}
			var all []string
			path := "/api/v1/people?limit=1000"
			for pages := 0; path != ""; pages++ {
				if pages > 2 {
					t.Fatal("more than 2 pages of 1,000 for 1,500 people")
				}
				p, people := get(path)
				if p.status != http.StatusOK || len(people) > 1000 {
					t.Fatalf("GET %s: %d, %d people; want at most 1,000", path, p.status, len(people))
				}
				for _, person := range people {
					all = append(all, person.Handle)
				}
				path = next(p)
			}
			if len(all) != 1500 || !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != 1500 {
				t.Errorf("the pages of 1,000 hold %d people (sorted %t), want 1,500 once each", len(all), slices.IsSorted(all))
			}

			for _, bad := range []string{"limit=1001", "limit=0", "limit=-5", "limit=ten", "after=%25%25%25", "after=bjox"} {
				if p, _ := get("/api/v1/people?" + bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `"invalid"`) {
					t.Errorf("GET /api/v1/people?%s: %d %s, want 422", bad, p.status, p.body)
				}
			}
			if p, _ := get("/api/v1/teams?limit=1001"); p.status != http.StatusUnprocessableEntity {
				t.Errorf("GET /api/v1/teams?limit=1001: %d, want 422", p.status)
			}

			code, out, errOut := tandemCLI(t, url, "get", "people", "-o", "json")
			var listed []tandem.Person
			if err := json.Unmarshal([]byte(out), &listed); code != 0 || err != nil || len(listed) != 1500 {
				t.Fatalf("tandem get people -o json: exit %d, %d people (%v), want 1,500: %s", code, len(listed), err, errOut)
			}
			if code, out, _ := tandemCLI(t, url, "get", "people"); code != 0 || !strings.Contains(out, "person-0000") || !strings.Contains(out, "person-1499") {
				t.Errorf("tandem get people (table): exit %d, lacks the first or last person", code)
			}
		})
	}
}
