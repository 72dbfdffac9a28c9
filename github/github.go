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
	web, token, err := h.Endpoint(getenv)
	if err != nil {
		return endpoint{}, err
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
// saying when to try again, a network failure EUNAVAILABLE, and an error
// status as tandem.StatusError says, with GitHub's message and field
// errors and the rights the token needs. what says what was asked for.
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
	if resp.Response.StatusCode == http.StatusTooManyRequests {
		// go-github takes only a 403 for a rate limit; GitHub answers
		// 429 too, with Retry-After.
		return tandem.Errorf(tandem.EUNAVAILABLE, "%s: github rate limit (429): retry after %s", what, tandem.RetryAfter(resp.Response.Header))
	}
	msg := resp.Message
	for _, e := range resp.Errors {
		if e.Message != "" {
			msg += "; " + e.Message
		} else {
			msg += fmt.Sprintf("; %s %s %s", e.Resource, e.Field, e.Code)
		}
	}
	return tandem.StatusError("github", resp.Response.StatusCode, what, msg, tandem.TokenRefusal("github", rights, msg))
}
