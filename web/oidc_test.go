package web_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/web"
)

// oidcCatalog lists alice in a team: she signs in as a team-member.
const oidcCatalog = `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, members: [alice]}
`

// giteaPassword is the password of the people the tests make on Gitea.
const giteaPassword = "oidc-test-password"

// oidcServer serves oidcCatalog from a new SQLite database, on a real
// loopback port: the provider sends browsers back to it.
func oidcServer(t *testing.T) (*web.Server, *sqlstore.DB, *httptest.Server) {
	t.Helper()
	srv, db := catalogServer(t, oidcCatalog)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, db, ts
}

// TestOIDCSignIn signs people in to the pages through a real Gitea, as a
// browser would: Tandem sends them to Gitea, they log in there and grant
// Tandem access, Gitea sends them back with a code, and Tandem checks the
// ID token and signs them in with a token that expires.
func TestOIDCSignIn(t *testing.T) {
	g := giteatest.Start(t)
	srv, db, ts := oidcServer(t)
	for _, user := range []string{"alice", "olga", "victor"} {
		g.Call(t, "POST", "/admin/users", map[string]any{"username": user, "email": user + "@example.com",
			"password": giteaPassword, "must_change_password": false}, nil)
	}
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	g.Call(t, "POST", "/user/applications/oauth2", map[string]any{"name": "tandem",
		"redirect_uris": []string{ts.URL + "/signin/oidc/callback"}, "confidential_client": true}, &app)
	srv.SetGetenv(func(name string) string {
		if name == "TANDEM_OIDC_SECRET" {
			return app.ClientSecret
		}
		return ""
	})
	o := &web.OIDC{Issuer: g.URL, ClientID: app.ClientID, ClientSecret: "env:TANDEM_OIDC_SECRET",
		PublicURL: ts.URL, Name: "Gitea", Admins: []string{"olga"}}
	if err := o.Discover(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.SetOIDC(o)

	if body := get(t, http.DefaultClient, ts.URL+"/signin"); !strings.Contains(body, `<a class="button" href="/signin/oidc">Sign in with Gitea</a>`) {
		t.Errorf("the sign-in page has no link to Gitea:\n%s", body)
	}

	// alice is in the catalog: a team-member, who may scan but not make
	// tokens; olga is named an admin; victor, in no team, a viewer.
	for _, c := range []struct {
		user, role string
		scan, mint int
	}{
		{"alice", tandem.RoleTeamMember, http.StatusOK, http.StatusForbidden},
		{"olga", tandem.RoleAdmin, http.StatusOK, http.StatusCreated},
		{"victor", tandem.RoleViewer, http.StatusForbidden, http.StatusForbidden},
	} {
		t.Run(c.user, func(t *testing.T) {
			browser, resp, body := signIn(t, ts.URL, c.user, false)
			want := "Signed in as " + c.user + " (" + c.role + ")"
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" || !strings.Contains(body, want) {
				t.Fatalf("after signing in at Gitea: %s %s, want / with %q:\n%s", resp.Request.URL, resp.Status, want, body)
			}
			if tandemToken(browser, ts.URL) == "" {
				t.Fatal("no tandem_session cookie after signing in")
			}
			if body := get(t, browser, ts.URL+"/"); !strings.Contains(body, "Signed in as <strong>"+c.user+"</strong>") {
				t.Errorf("the home page does not show %s signed in:\n%s", c.user, body)
			}
			if resp := post(t, browser, ts.URL+"/scan", "application/x-www-form-urlencoded", ""); resp.StatusCode != c.scan {
				t.Errorf("POST /scan as a %s: %s, want %d", c.role, resp.Status, c.scan)
			}
			if resp := post(t, browser, ts.URL+"/api/v1/tokens", "application/json", `{"person": "victor", "role": "viewer"}`); resp.StatusCode != c.mint {
				t.Errorf("POST /api/v1/tokens as a %s: %s, want %d", c.role, resp.Status, c.mint)
			}
		})
	}

	toks, err := db.FindTokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	signedIn := 0
	for _, tok := range toks {
		if tok.Label != "oidc sign-in" {
			continue
		}
		signedIn++
		if tok.ExpiresAt == nil || (tok.ExpiresAt.Sub(tok.CreatedAt)-web.DefaultOIDCSession).Abs() > time.Minute {
			t.Errorf("%s's sign-in token expires at %v, created at %v: want %v later", tok.Person, tok.ExpiresAt, tok.CreatedAt, web.DefaultOIDCSession)
		}
	}
	if signedIn != 3 {
		t.Errorf("%d sign-in tokens, want 3: %+v", signedIn, toks)
	}

	t.Run("wrong state", func(t *testing.T) {
		browser := newBrowser(t)
		noFollow(browser)
		get(t, browser, ts.URL+"/signin/oidc") // a sign-in started, with its own state
		for _, state := range []string{"forged", ""} {
			resp := getResp(t, browser, ts.URL+"/signin/oidc/callback?code=anything&state="+state)
			body := read(t, resp)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "was not started here") || len(resp.Cookies()) > 0 {
				t.Errorf("a callback with state %q: %s, cookies set %v:\n%s", state, resp.Status, resp.Cookies(), body)
			}
		}
	})

	t.Run("code refused", func(t *testing.T) {
		browser := newBrowser(t)
		noFollow(browser)
		resp := getResp(t, browser, ts.URL+"/signin/oidc")
		at, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode != http.StatusFound {
			t.Fatalf("GET /signin/oidc: %s to %v", resp.Status, resp.Header.Get("Location"))
		}
		q := at.Query()
		if q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != ts.URL+"/signin/oidc/callback" {
			t.Errorf("the authorization request lacks a nonce, PKCE or the callback: %s", at)
		}
		resp = getResp(t, browser, ts.URL+"/signin/oidc/callback?code=forged&state="+url.QueryEscape(q.Get("state")))
		body := read(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Gitea did not complete the sign-in") || setsToken(resp) {
			t.Errorf("a forged code: %s, token cookie set %t:\n%s", resp.Status, setsToken(resp), body)
		}
	})

	t.Run("nonce replaced", func(t *testing.T) {
		// A sign-in whose nonce is not the one its ID token carries: the
		// token does not verify.
		browser, resp, _ := signIn(t, ts.URL, "alice", true)
		callback := resp.Header.Get("Location")
		if !strings.HasPrefix(callback, ts.URL+"/signin/oidc/callback?") {
			t.Fatalf("Gitea did not send the browser back: %s to %q", resp.Status, callback)
		}
		base, _ := url.Parse(ts.URL + "/signin/oidc")
		var flow string
		for _, c := range browser.Jar.Cookies(base) {
			if c.Name == "tandem_oidc" {
				flow = c.Value
			}
		}
		parts := strings.Split(flow, ".")
		if len(parts) != 3 {
			t.Fatalf("the sign-in cookie is %q, want state.nonce.verifier", flow)
		}
		browser.Jar.SetCookies(base, []*http.Cookie{{Name: "tandem_oidc", Value: parts[0] + ".OTHERNONCE." + parts[2], Path: "/signin/oidc"}})
		noFollow(browser)
		resp = getResp(t, browser, callback)
		body := read(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "does not verify") || setsToken(resp) || tandemToken(browser, ts.URL) != "" {
			t.Errorf("an ID token with another nonce: %s, token cookie set %t:\n%s", resp.Status, setsToken(resp), body)
		}
	})

	t.Run("expired session", func(t *testing.T) {
		// A sign-in's session ends with its token: one that expires in a
		// second, whose session would last a day.
		secret := tandem.NewTokenSecret()
		soon := time.Now().Add(time.Second)
		tok, err := db.CreateToken(t.Context(), tandem.Token{Person: "alice", Role: tandem.RoleTeamMember, Label: "oidc sign-in", ExpiresAt: &soon}, tandem.HashToken(secret))
		if err != nil {
			t.Fatal(err)
		}
		session := tandem.NewSessionID()
		if err := db.CreateWebSession(t.Context(), tandem.HashToken(session), tok.ID, time.Now().Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		browser := newBrowser(t)
		u, _ := url.Parse(ts.URL)
		browser.Jar.SetCookies(u, []*http.Cookie{{Name: "tandem_session", Value: session, Path: "/"}})
		if body := get(t, browser, ts.URL+"/"); !strings.Contains(body, "Signed in as <strong>alice</strong>") {
			t.Fatalf("the session does not sign alice in before it expires:\n%s", body)
		}
		time.Sleep(time.Until(soon) + 100*time.Millisecond)
		if body := get(t, browser, ts.URL+"/"); strings.Contains(body, "Signed in as") {
			t.Errorf("an expired sign-in still shows as signed in:\n%s", body)
		}
		if resp := post(t, browser, ts.URL+"/scan", "application/x-www-form-urlencoded", ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /scan with an expired sign-in: %s, want 401", resp.Status)
		}
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/teams", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("an expired token as a bearer: %s, want 401", resp.Status)
		}
	})

	t.Run("configuration", func(t *testing.T) {
		down := httptest.NewServer(http.NotFoundHandler())
		down.Close()
		err := (&web.OIDC{Issuer: down.URL, ClientID: "x", ClientSecret: "env:X", PublicURL: ts.URL}).Discover(t.Context())
		if tandem.ErrorCode(err) != tandem.EUNAVAILABLE || !strings.Contains(err.Error(), down.URL) {
			t.Errorf("Discover with the issuer down: %v, want EUNAVAILABLE naming %s", err, down.URL)
		}
		err = (&web.OIDC{Issuer: g.URL, ClientID: "x", ClientSecret: "inline-secret", PublicURL: ts.URL}).Discover(t.Context())
		if tandem.ErrorCode(err) != tandem.EINVALID || strings.Contains(err.Error(), "inline-secret") {
			t.Errorf("Discover with a secret written inline: %v, want EINVALID without the secret", err)
		}
	})
}

// signIn drives a browser of its own through the whole sign-in: Tandem's
// /signin/oidc, Gitea's login form, its consent form when Gitea asks, and
// back to Tandem. It returns the browser and the last answer, Tandem's
// page after signing in, or Gitea's redirect to the callback when
// stopAtCallback.
func signIn(t *testing.T, tandemURL, user string, stopAtCallback bool) (*http.Client, *http.Response, string) {
	t.Helper()
	browser := newBrowser(t)
	if stopAtCallback {
		browser.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), tandemURL+"/signin/oidc/callback") {
				return http.ErrUseLastResponse
			}
			return nil
		}
	}
	resp := getResp(t, browser, tandemURL+"/signin/oidc")
	body := read(t, resp)
	if resp.Request.URL.Path != "/user/login" {
		t.Fatalf("Tandem did not send the browser to Gitea's login: %s %s", resp.Request.URL, resp.Status)
	}
	form := hiddenFields(body)
	form.Set("user_name", user)
	form.Set("password", giteaPassword)
	resp = submit(t, browser, resp.Request.URL, formAction(t, body, "user_name"), form)
	body = read(t, resp)
	if strings.Contains(body, `action="/login/oauth/grant"`) {
		form := hiddenFields(body)
		form.Set("granted", "true")
		resp = submit(t, browser, resp.Request.URL, "/login/oauth/grant", form)
		body = read(t, resp)
	}
	return browser, resp, body
}

// newBrowser returns a client that keeps cookies, as a browser does.
func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// noFollow makes a browser stop at every redirect.
func noFollow(c *http.Client) {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
}

func getResp(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	return read(t, getResp(t, c, u))
}

func post(t *testing.T, c *http.Client, u, contentType, body string) *http.Response {
	t.Helper()
	resp, err := c.Post(u, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	read(t, resp)
	return resp
}

// submit posts a form whose action is relative to the page at.
func submit(t *testing.T, c *http.Client, at *url.URL, action string, form url.Values) *http.Response {
	t.Helper()
	to, err := at.Parse(action)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.PostForm(to.String(), form)
	if err != nil {
		t.Fatalf("POST %s: %v", to, err)
	}
	return resp
}

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var (
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	formTag     = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*method="post"[^>]*>(.*?)</form>`)
)

// hiddenFields returns the hidden inputs of a page's forms, such as a
// CSRF token.
func hiddenFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// formAction returns the action of the page's form with the named input.
func formAction(t *testing.T, page, input string) string {
	t.Helper()
	for _, m := range formTag.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[2], `name="`+input+`"`) {
			return html.UnescapeString(m[1])
		}
	}
	t.Fatalf("no form with %s on the page:\n%s", input, page)
	return ""
}

// tandemToken returns the browser's sign-in (session) cookie for Tandem.
func tandemToken(c *http.Client, tandemURL string) string {
	u, _ := url.Parse(tandemURL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "tandem_session" {
			return ck.Value
		}
	}
	return ""
}

// setsToken reports whether an answer sets the sign-in cookie.
func setsToken(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == "tandem_session" && c.Value != "" {
			return true
		}
	}
	return false
}
