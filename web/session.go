package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// tokenCookie carries a signed-in browser's token. It is HttpOnly and
// SameSite=Lax; cross-site forms are refused besides.
const tokenCookie = "tandem_token"

type tokenKey struct{}

// tokenOf returns the token a request was authenticated with, if any.
func tokenOf(r *http.Request) (tandem.Token, bool) {
	t, ok := r.Context().Value(tokenKey{}).(tandem.Token)
	return t, ok
}

// authenticate reads the request's token (an Authorization: Bearer
// header, or the sign-in cookie) and puts it in the request's context. A
// request without one goes on anonymous; one with a wrong or revoked
// token is refused, unless it is a browser's old sign-in cookie.
func (s *Server) authenticate(r *http.Request) (*http.Request, error) {
	secret, header := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !header {
		c, err := r.Cookie(tokenCookie)
		if err != nil {
			return r, nil
		}
		secret = c.Value
	}
	t, err := s.store.Authenticate(r.Context(), tandem.HashToken(strings.TrimSpace(secret)), time.Now().UTC())
	switch {
	case tandem.ErrorCode(err) == tandem.ENOTFOUND && header:
		return r, tandem.Errorf(tandem.EUNAUTHENTICATED, "the token is unknown or revoked: ask an admin for a new one")
	case tandem.ErrorCode(err) == tandem.ENOTFOUND:
		return r, nil // a browser's stale sign-in: anonymous, free to sign in again
	}
	if err != nil {
		return r, err
	}
	return r.WithContext(context.WithValue(r.Context(), tokenKey{}, t)), nil
}
