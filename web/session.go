package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// sessionCookie carries a signed-in browser's session id, never a token:
// the store keeps the id's hash, bound to the token signed in with. It is
// HttpOnly, SameSite=Lax, and Secure when the public URL is https;
// cross-site forms are refused besides.
const sessionCookie = "tandem_session"

// oldTokenCookie is where browsers kept a raw token before sessions. It
// is ignored, and cleared on sign-in and sign-out.
const oldTokenCookie = "tandem_token"

type tokenKey struct{}

// tokenOf returns the token a request was authenticated with, if any.
func tokenOf(r *http.Request) (tandem.Token, bool) {
	t, ok := r.Context().Value(tokenKey{}).(tandem.Token)
	return t, ok
}

// authenticate reads the request's token (an Authorization: Bearer
// header, or the token of the sign-in cookie's session) and puts it in
// the request's context. A request without one goes on anonymous; one
// with a wrong or revoked token is refused. A cookie of an unknown,
// expired or signed-out session, or whose token is revoked, is a
// browser's stale sign-in: anonymous, free to sign in again.
func (s *Server) authenticate(r *http.Request) (*http.Request, error) {
	now := time.Now().UTC()
	var t tandem.Token
	var err error
	if secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		t, err = s.store.Authenticate(r.Context(), tandem.HashToken(strings.TrimSpace(secret)), now)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			return r, tandem.Errorf(tandem.EUNAUTHENTICATED, "the token is unknown or revoked: ask an admin for a new one")
		}
	} else {
		c, cerr := r.Cookie(sessionCookie)
		if cerr != nil || c.Value == "" {
			return r, nil
		}
		t, err = s.store.AuthenticateWebSession(r.Context(), tandem.HashToken(c.Value), now)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			return r, nil
		}
	}
	if err != nil {
		return r, err
	}
	return r.WithContext(context.WithValue(r.Context(), tokenKey{}, t)), nil
}

// startSession signs a browser in with token t: a new session, whose id
// only the cookie holds, that ends at expires or with the token. The
// browser's previous session, if any, ends.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, t tandem.Token, expires time.Time) error {
	s.endSession(w, r)
	id := tandem.NewSessionID()
	if err := s.store.CreateWebSession(r.Context(), tandem.HashToken(id), t.ID, expires); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: s.secureCookies(),
		SameSite: http.SameSiteLaxMode, MaxAge: int(time.Until(expires).Seconds())})
	return nil
}

// endSession deletes the browser's session, if any, and clears its
// cookies. A session that cannot be deleted is logged: the cookie is
// cleared all the same, and the session ends by itself.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.store.DeleteWebSession(r.Context(), tandem.HashToken(c.Value)); err != nil {
			s.logger.Error("sign out: delete the session", "err", err)
		}
	}
	for _, name := range []string{sessionCookie, oldTokenCookie} {
		if _, err := r.Cookie(name); err == nil {
			http.SetCookie(w, &http.Cookie{Name: name, Path: "/", HttpOnly: true, Secure: s.secureCookies(),
				SameSite: http.SameSiteLaxMode, MaxAge: -1})
		}
	}
}

// handleSignOut ends the browser's session. A sign-in through an
// identity provider also revokes the token it created, which nothing else
// holds.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if t, ok := tokenOf(r); ok && t.Label == oidcLabel && t.ExpiresAt != nil {
		if _, err := s.store.RevokeToken(r.Context(), t.ID, time.Now().UTC()); err != nil {
			s.logger.Error("sign out: revoke the sign-in's token", "token", t.ID, "err", err)
		}
	}
	s.endSession(w, r)
	redirect(w, r, "/", "Signed out")
}

// SetPublicURL says where browsers reach the server (serve --public-url):
// with https, the sign-in cookies travel on nothing else. It returns
// EINVALID for a URL that is not http(s) with a host.
func (s *Server) SetPublicURL(u string) error {
	if u == "" {
		s.publicURL = ""
		return nil
	}
	public, err := tandem.BaseURL("public URL", u)
	if err != nil {
		return err
	}
	s.publicURL = public
	return nil
}

// secureCookies reports whether browsers reach the server over HTTPS, so
// that the sign-in cookies may travel on nothing else.
func (s *Server) secureCookies() bool {
	return strings.HasPrefix(strings.ToLower(s.publicURL), "https://")
}
