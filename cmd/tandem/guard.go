package main

import (
	"context"
	"net/url"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/check"
	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/guard"
)

// guard returns the backsliding guard's side of a code host: the host
// itself, when it takes pull requests.
func (o hostOpener) guard(h tandem.CodeHost) (tandem.PullRequestGuard, error) {
	host, err := o.open(h)
	if err != nil {
		return nil, err
	}
	g, ok := host.(tandem.PullRequestGuard)
	if !ok {
		return nil, tandem.Errorf(tandem.EINVALID, "code host %s: %s hosts take no pull requests to guard", h.Name, h.Type)
	}
	return g, nil
}

// evaluateGuard evaluates the guarding migrations on a pull request's
// files in a mirror.
func evaluateGuard(ctx context.Context, dir, base, head string, guards []tandem.Guarding) ([]tandem.GuardVerdict, error) {
	return guard.Evaluate(ctx, gitx.Commits{Dir: dir, MaxSize: check.MaxFileSize}, base, head, guards)
}

// siteURL is where the server's pages are: its public URL, or else the
// address it listens on, known once it listens.
type siteURL struct{ url string }

// campaign returns the address of a migration's campaign page.
func (s *siteURL) campaign(migration string) string {
	return s.url + "/campaigns/" + url.PathEscape(migration)
}
