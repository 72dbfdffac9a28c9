// Package gitlab is the code host and ticket tracker of GitLab.com or a
// self-managed GitLab: it lists a group's projects, keeps a bare mirror of
// each one's default branch, files tickets as issues, opens merge requests
// and verifies webhooks. It speaks to the API through GitLab's client-go.
package gitlab

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	gl "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/time/rate"

	"github.com/tandem-dev/tandem"
)

// pageSize is the number of items asked for per page, GitLab's maximum.
const pageSize = 100

// endpoint is where a GitLab code host answers.
type endpoint struct {
	web   string // https://gitlab.com or the server's URL, for clone URLs
	token string
	api   *gl.Client
}

// newEndpoint checks h's URL, resolves its token reference and makes the
// API client, which sends the token as PRIVATE-TOKEN to the server's
// /api/v4/. The client neither retries nor paces requests itself: hc's
// transport does that where it is safe.
func newEndpoint(h tandem.CodeHost, getenv func(string) string, hc *http.Client) (endpoint, error) {
	web, token, err := h.Endpoint(getenv)
	if err != nil {
		return endpoint{}, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	c, err := gl.NewClient(token, gl.WithBaseURL(web+"/api/v4"), gl.WithHTTPClient(hc),
		gl.WithoutRetries(), gl.WithCustomLimiter(rate.NewLimiter(rate.Inf, 0)))
	if err != nil {
		return endpoint{}, tandem.Errorf(tandem.EINVALID, "code host %s: gitlab client: %v", h.Name, err)
	}
	return endpoint{web: web, token: token, api: c}, nil
}

// header returns the authorization git sends over HTTPS: GitLab takes the
// token as the password of the user oauth2.
func (e endpoint) header() string {
	if e.token == "" {
		return ""
	}
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("oauth2:"+e.token))
}

// apiError returns err as a *tandem.Error: a rate limit (429) is
// EUNAVAILABLE saying when to try again, a network failure EUNAVAILABLE,
// and another error status as tandem.StatusError says, with GitLab's
// message and the rights the token needs. what says what was asked for.
func apiError(err error, what, rights string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, gl.ErrNotFound) {
		return tandem.StatusError("gitlab", http.StatusNotFound, what, "", tandem.TokenRefusal("gitlab", rights, ""))
	}
	var resp *gl.ErrorResponse
	if !errors.As(err, &resp) || resp.Response == nil {
		return tandem.Errorf(tandem.EUNAVAILABLE, "%s: gitlab unreachable: %v", what, err)
	}
	if resp.Response.StatusCode == http.StatusTooManyRequests {
		return tandem.Errorf(tandem.EUNAVAILABLE, "%s: gitlab rate limit: retry after %s", what, tandem.RetryAfter(resp.Response.Header))
	}
	return tandem.StatusError("gitlab", resp.Response.StatusCode, what, resp.Message, tandem.TokenRefusal("gitlab", rights, resp.Message))
}
