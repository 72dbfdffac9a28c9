// Package gitea is the code host and ticket tracker of a Gitea or Forgejo
// server: it lists an organization's repositories, keeps a bare mirror of
// each one's default branch, files tickets as issues and reads webhooks.
package gitea

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/tandem-dev/tandem"
)

// pageSize is the number of items asked for per page; Gitea caps it at its
// MAX_RESPONSE_ITEMS (50 by default).
const pageSize = 50

// client returns an SDK client whose requests carry ctx. Building it sends
// no request: the server's version is not asked for.
func client(ctx context.Context, baseURL, token string, hc *http.Client) (*sdk.Client, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	opts := []sdk.ClientOption{sdk.SetHTTPClient(hc), sdk.SetContext(ctx), sdk.SetGiteaVersion("")}
	if token != "" {
		opts = append(opts, sdk.SetToken(token))
	}
	c, err := sdk.NewClient(baseURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("gitea client: %w", err)
	}
	return c, nil
}

// apiError returns err as a *tandem.Error by the status of resp (see
// tandem.StatusError), naming the rights the token needs on 401 and 403,
// and a network failure as EUNAVAILABLE. what says what was asked for;
// rights the token scopes the request needs.
func apiError(err error, resp *sdk.Response, what, rights string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if resp == nil || resp.Response == nil {
		return tandem.Errorf(tandem.EUNAVAILABLE, "%s: gitea unreachable: %v", what, err)
	}
	return tandem.StatusError("gitea", resp.StatusCode, what, err.Error(), tandem.Refusal{
		Unauthorized: "gitea refused the token (401): check that it is valid and has the " + rights + " rights",
		Forbidden:    "the token lacks rights (403): it needs " + rights,
	})
}
