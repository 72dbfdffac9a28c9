package campaign

import (
	"context"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// Exempt excuses a target until an expiry, with a reason, recorded with who
// granted it. EINVALID without a reason or with an expiry in the past.
func (s *Service) Exempt(ctx context.Context, name, codebase, reason string, until time.Time, by string) (tandem.Target, error) {
	now := s.now()
	switch {
	case strings.TrimSpace(reason) == "":
		return tandem.Target{}, tandem.Errorf(tandem.EINVALID, "an exemption needs a reason")
	case !until.After(now):
		return tandem.Target{}, tandem.Errorf(tandem.EINVALID, "an exemption needs an expiry in the future, not %s", until.Format(time.DateOnly))
	case by == "":
		by = "unknown"
	}
	return s.Store.Exempt(ctx, name, codebase, tandem.Exemption{Reason: reason, Expires: until.UTC(), By: by, At: now})
}
