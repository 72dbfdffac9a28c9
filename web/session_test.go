package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/web"
)

// signInCookie signs in to srv with a token through the sign-in form and
// returns the session cookie it sets.
func signInCookie(t *testing.T, srv http.Handler, secret string) *http.Cookie {
	t.Helper()
	req := httptest.NewRequest("POST", "/signin", strings.NewReader(url.Values{"token": {secret}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "tandem_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("signing in set no session cookie: %d %s", rec.Code, rec.Body)
	return nil
}

// TestSignInCookie checks what the sign-in cookie holds and how it is
// set: a session id, never the token, HttpOnly and SameSite=Lax, and
// Secure behind an https public URL.
func TestSignInCookie(t *testing.T) {
	srv, tokens := authServer(t)
	admin := tokens["admin"]
	c := signInCookie(t, srv, admin)
	if c.Value == admin || strings.Contains(c.Value, "tdm_") || len(c.Value) < 43 {
		t.Errorf("the cookie holds %q: want a 256-bit session id, not the token", c.Value)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure without an https public URL", c)
	}
	if c.MaxAge < 29*24*3600 || c.MaxAge > 30*24*3600 {
		t.Errorf("cookie MaxAge %d: want 30 days", c.MaxAge)
	}
	if err := srv.SetPublicURL("https://tandem.example.com/"); err != nil {
		t.Fatal(err)
	}
	if c := signInCookie(t, srv, admin); !c.Secure {
		t.Errorf("cookie %+v behind an https public URL: want Secure", c)
	}
	if err := srv.SetPublicURL("ftp://tandem.example.com"); err == nil {
		t.Error("an ftp public URL was taken")
	}
	var _ *web.Server = srv
}
