package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tandem-dev/tandem"
)

// OIDC signs people in to the pages through an OpenID Connect provider
// (Gitea, Keycloak, Google…). A sign-in creates a token for the person
// that expires after Session, and a browser session bound to it, as
// signing in with a pasted token does; the token's secret is kept nowhere.
type OIDC struct {
	Issuer       string // exactly as the provider's discovery document says it
	ClientID     string
	ClientSecret string // a reference to the secret: env:NAME
	// PublicURL is where browsers reach this server: the provider sends
	// them back to PublicURL/signin/oidc/callback.
	PublicURL string
	Name      string // shown as "Sign in with Name"; default: the issuer's host
	// Claim is the ID token's claim that is the person's handle in the
	// catalog; default preferred_username.
	Claim   string
	Admins  []string      // the people who sign in as admins
	Session time.Duration // how long a sign-in lasts; default 12 hours

	client   *http.Client
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// Defaults of OIDC.
const (
	DefaultOIDCClaim   = "preferred_username"
	DefaultOIDCSession = 12 * time.Hour
)

const (
	// oidcCookie carries a sign-in from its start to the callback: its
	// state, nonce and PKCE verifier, joined by dots.
	oidcCookie = "tandem_oidc"
	// oidcFlowTime is how long a person has to sign in at the provider.
	oidcFlowTime = 10 * time.Minute
	oidcCallback = "/signin/oidc/callback"
	oidcLabel    = "oidc sign-in"
)

// Discover reads the provider's configuration from its issuer, which must
// answer, and fills in the defaults. It is done once, at start.
func (o *OIDC) Discover(ctx context.Context) error {
	if o.Issuer == "" || o.ClientID == "" || o.ClientSecret == "" || o.PublicURL == "" {
		return tandem.Errorf(tandem.EINVALID, "OpenID Connect sign-in needs an issuer, a client id, a client secret and the server's public URL")
	}
	if name, ok := strings.CutPrefix(o.ClientSecret, "env:"); !ok || name == "" {
		return tandem.Errorf(tandem.EINVALID, "the OpenID Connect client secret is named only by reference, env:NAME, never written inline")
	}
	public, err := tandem.BaseURL("OpenID Connect public URL", o.PublicURL)
	if err != nil {
		return err
	}
	o.PublicURL = public
	if o.Claim == "" {
		o.Claim = DefaultOIDCClaim
	}
	if o.Session <= 0 {
		o.Session = DefaultOIDCSession
	}
	if o.Name == "" {
		o.Name = o.Issuer
		if u, err := url.Parse(o.Issuer); err == nil && u.Host != "" {
			o.Name = u.Host
		}
	}
	o.client = &http.Client{Timeout: 15 * time.Second}
	o.provider, err = oidc.NewProvider(oidc.ClientContext(ctx, o.client), o.Issuer)
	if err != nil {
		return tandem.Errorf(tandem.EUNAVAILABLE, "OpenID Connect issuer %s: %v", o.Issuer, err)
	}
	o.verifier = o.provider.Verifier(&oidc.Config{ClientID: o.ClientID})
	return nil
}

// SetOIDC turns on sign-in through an OpenID Connect provider, once
// o.Discover has succeeded; nil turns it off. The provider's public URL
// is the server's when SetPublicURL gave none.
func (s *Server) SetOIDC(o *OIDC) {
	s.oidc = o
	if o != nil && s.publicURL == "" {
		s.publicURL = o.PublicURL
	}
}

// oidcName is the provider's name for the sign-in page, "" without one.
func (s *Server) oidcName() string {
	if s.oidc == nil {
		return ""
	}
	return s.oidc.Name
}

// oauth2Config is the client of the provider, its secret read now.
func (s *Server) oauth2Config() (*oauth2.Config, error) {
	o := s.oidc
	if o == nil || o.provider == nil {
		return nil, tandem.Errorf(tandem.ENOTFOUND, "this server has no OpenID Connect sign-in: sign in with a token")
	}
	secret, err := tandem.ResolveSecret(o.ClientSecret, s.getenv)
	if err != nil {
		return nil, err
	}
	return &oauth2.Config{
		ClientID:     o.ClientID,
		ClientSecret: secret,
		Endpoint:     o.provider.Endpoint(),
		RedirectURL:  o.PublicURL + oidcCallback,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}, nil
}

// handleOIDCStart sends the browser to the provider, remembering the
// sign-in's state, nonce and PKCE verifier in a short-lived cookie.
func (s *Server) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	conf, err := s.oauth2Config()
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier, Path: "/signin/oidc",
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(oidcFlowTime.Seconds())})
	http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// handleOIDCCallback finishes a sign-in: the state must be the one the
// browser started with, the code is exchanged for an ID token, which must
// verify (issuer, audience, expiry, nonce), and its claim names the
// person, who gets a token that expires and a session bound to it.
func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	conf, err := s.oauth2Config()
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	state, nonce, verifier := oidcFlow(r)
	if state == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		s.renderError(w, r, tandem.Errorf(tandem.EUNAUTHENTICATED, "this sign-in was not started here, or took longer than %v: sign in again", oidcFlowTime))
		return
	}
	// The state is spent, whatever comes of it.
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: "/signin/oidc", HttpOnly: true, Secure: s.secureCookies(), MaxAge: -1})
	if e := q.Get("error"); e != "" {
		s.renderError(w, r, tandem.Errorf(tandem.EUNAUTHENTICATED, "%s refused the sign-in: %s %s", s.oidc.Name, e, q.Get("error_description")))
		return
	}
	person, err := s.oidcPerson(r.Context(), conf, q.Get("code"), verifier, nonce)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	role, err := s.oidcRole(r.Context(), person)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// The token's secret is shown to no one: the session stands for it.
	secret := tandem.NewTokenSecret()
	expires := time.Now().UTC().Add(s.oidc.Session)
	t, err := s.store.CreateToken(r.Context(), tandem.Token{Person: person, Role: role, Label: oidcLabel, ExpiresAt: &expires}, tandem.HashToken(secret))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.startSession(w, r, t, expires); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/", "Signed in as "+t.Person+" ("+t.Role+")")
}

// oidcFlow returns the state, nonce and PKCE verifier of the sign-in the
// request's cookie says this browser started, all "" when none.
func oidcFlow(r *http.Request) (state, nonce, verifier string) {
	if c, err := r.Cookie(oidcCookie); err == nil {
		parts := strings.Split(c.Value, ".")
		if len(parts) == 3 {
			return parts[0], parts[1], parts[2]
		}
	}
	return "", "", ""
}

// oidcPerson exchanges a sign-in's code for its ID token, verifies the
// token and its nonce, and returns the person its claim names. It returns
// EUNAVAILABLE when the provider does not answer, else EUNAUTHENTICATED.
func (s *Server) oidcPerson(ctx context.Context, conf *oauth2.Config, code, verifier, nonce string) (string, error) {
	ctx = oidc.ClientContext(ctx, s.oidc.client)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		// An answer refusing the code is the sign-in's fault; no answer,
		// the provider's.
		fault := tandem.EUNAVAILABLE
		var refused *oauth2.RetrieveError
		if errors.As(err, &refused) {
			fault = tandem.EUNAUTHENTICATED
		}
		s.logger.Warn("oidc sign-in: exchange the code", "issuer", s.oidc.Issuer, "err", err)
		return "", tandem.Errorf(fault, "%s did not complete the sign-in: %v", s.oidc.Name, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", tandem.Errorf(tandem.EUNAUTHENTICATED, "%s sent no ID token: is it an OpenID Connect provider?", s.oidc.Name)
	}
	id, err := s.oidc.verifier.Verify(ctx, raw)
	if err == nil && subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(nonce)) != 1 {
		err = tandem.Errorf(tandem.EUNAUTHENTICATED, "its nonce is not this sign-in's")
	}
	if err != nil {
		s.logger.Warn("oidc sign-in: verify the ID token", "issuer", s.oidc.Issuer, "err", err)
		return "", tandem.Errorf(tandem.EUNAUTHENTICATED, "the ID token from %s does not verify: %v", s.oidc.Name, err)
	}
	var claims map[string]any
	if err := id.Claims(&claims); err != nil {
		return "", tandem.Errorf(tandem.EUNAUTHENTICATED, "the ID token from %s: %v", s.oidc.Name, err)
	}
	person, _ := claims[s.oidc.Claim].(string)
	if person == "" {
		return "", tandem.Errorf(tandem.EUNAUTHENTICATED, "the ID token from %s has no %q claim naming the person", s.oidc.Name, s.oidc.Claim)
	}
	return person, nil
}

// oidcRole is the role of a person signing in: admin when named one,
// team-member when the catalog lists them (they act for their teams), and
// viewer otherwise.
func (s *Server) oidcRole(ctx context.Context, person string) (string, error) {
	if slices.Contains(s.oidc.Admins, person) {
		return tandem.RoleAdmin, nil
	}
	_, err := s.store.FindPeople(ctx, person)
	switch tandem.ErrorCode(err) {
	case "":
		return tandem.RoleTeamMember, nil
	case tandem.ENOTFOUND:
		return tandem.RoleViewer, nil
	}
	return "", err
}
