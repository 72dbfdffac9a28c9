package tandem_test

import (
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestStatusError(t *testing.T) {
	r := tandem.TokenRefusal("github", "issues: write", "Resource not accessible")
	for _, tc := range []struct {
		name   string
		status int
		code   string
		msg    string
	}{
		{"404 is not found, worded by the refusal", 404, tandem.ENOTFOUND, "create issue: not found (or the token cannot see it)"},
		{"401 is invalid, naming the rights", 401, tandem.EINVALID, "create issue: github refused the token (401): check that it is valid and has issues: write"},
		{"403 is invalid, with the host's explanation", 403, tandem.EINVALID, "create issue: the token lacks rights (403): it needs issues: write: Resource not accessible"},
		{"another client error is invalid", 422, tandem.EINVALID, "create issue: github answered 422: Validation Failed"},
		{"a server error is unavailable", 502, tandem.EUNAVAILABLE, "create issue: github answered 502: Validation Failed"},
		{"a rate limit is unavailable", 429, tandem.EUNAVAILABLE, "create issue: github answered 429: Validation Failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tandem.StatusError("github", tc.status, "create issue", "Validation Failed", r)
			if got, want := tandem.ErrorCode(err), tc.code; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			if got, want := err.Error(), tc.msg; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}
