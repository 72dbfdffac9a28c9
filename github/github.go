// Package github is the code host and ticket tracker of GitHub or GitHub
// Enterprise Server: it lists an organization's repositories, keeps a bare
// mirror of each one's default branch, files tickets as issues, opens pull
// requests and verifies webhooks. It speaks to the API through go-github.
package github

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v74/github"

	"github.com/tandem-dev/tandem"
)

// pageSize is the number of items asked for per page, GitHub's maximum.
const pageSize = 100

// endpoint is where a GitHub code host answers.
type endpoint struct {
	web   string // https://github.com or the server's URL, for clone URLs
	token string
	hc    *http.Client
}

// newEndpoint checks h's URL and resolves its token reference.
func newEndpoint(h tandem.CodeHost, getenv func(string) string, hc *http.Client) (endpoint, error) {
	web, err := tandem.BaseURL("code host "+h.Name, h.URL)
	if err != nil {
		return endpoint{}, err
	}
	token, err := tandem.ResolveSecret(h.Token, getenv)
	if err != nil {
		return endpoint{}, fmt.Errorf("code host %s: %w", h.Name, err)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return endpoint{web: web, token: token, hc: hc}, nil
}

// client returns a go-github client: api.github.com for github.com, the
// server's /api/v3/ for GitHub Enterprise Server.
func (e endpoint) client() (*gh.Client, error) {
	c := gh.NewClient(e.hc)
	if e.token != "" {
		c = c.WithAuthToken(e.token)
	}
	if u, _ := url.Parse(e.web); u.Host == "github.com" {
		return c, nil
	}
	c, err := c.WithEnterpriseURLs(e.web+"/", e.web+"/")
	if err != nil {
		return nil, fmt.Errorf("github client: %w", err)
	}
	return c, nil
}

// header returns the authorization git sends over HTTPS: GitHub takes the
// token as the password of basic authentication.
func (e endpoint) header() string {
	if e.token == "" {
		return ""
	}
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+e.token))
}

// apiError returns err as a *tandem.Error: a rate limit is EUNAVAILABLE
// saying when to try again, 404 ENOTFOUND, 401 and 403 EINVALID naming the
// rights the token needs, 5xx and network failures EUNAVAILABLE, and other
// statuses EINVALID with GitHub's message and field errors. what says what
// was asked for.
func apiError(err error, what, rights string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var rate *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	var resp *gh.ErrorResponse
	switch {
	case errors.As(err, &rate):
		return tandem.Errorf(tandem.EUNAVAILABLE, "%s: github rate limit of %d requests spent until %s",
			what, rate.Rate.Limit, rate.Rate.Reset.UTC().Format(time.RFC3339))
	case errors.As(err, &abuse):
		wait := "a while"
		if abuse.RetryAfter != nil {
			wait = abuse.RetryAfter.String()
		}
		return tandem.Errorf(tandem.EUNAVAILABLE, "%s: github secondary rate limit: retry after %s", what, wait)
	case !errors.As(err, &resp) || resp.Response == nil:
		return tandem.Errorf(tandem.EUNAVAILABLE, "%s: github unreachable: %v", what, err)
	}
	msg := resp.Message
	for _, e := range resp.Errors {
		if e.Message != "" {
			msg += "; " + e.Message
		} else {
			msg += fmt.Sprintf("; %s %s %s", e.Resource, e.Field, e.Code)
		}
	}
	switch code := resp.Response.StatusCode; {
	case code == http.StatusNotFound:
		return tandem.Errorf(tandem.ENOTFOUND, "%s: not found (or the token cannot see it)", what)
	case code == http.StatusUnauthorized:
		return tandem.Errorf(tandem.EINVALID, "%s: github refused the token (401): check that it is valid and has %s", what, rights)
	case code == http.StatusForbidden:
		return tandem.Errorf(tandem.EINVALID, "%s: the token lacks rights (403): it needs %s: %s", what, rights, msg)
	case code >= 500:
		return tandem.Errorf(tandem.EUNAVAILABLE, "%s: github answered %d: %s", what, code, msg)
	default:
		return tandem.Errorf(tandem.EINVALID, "%s: github answered %d: %s", what, code, msg)
	}
}

// VerifySignature reports whether signature, a webhook's
// X-Hub-Signature-256 header, is the HMAC-SHA256 of body under secret.
func VerifySignature(secret, body []byte, signature string) bool {
	return strings.HasPrefix(signature, "sha256=") && gh.ValidateSignature(signature, body, secret) == nil
}
