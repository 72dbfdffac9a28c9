package codeowners

import (
	"strings"

	"github.com/tandem-dev/tandem"
)

// Narrower reports whether own has an ownership rule narrower than the
// whole repository: a Backstage entity of a subfolder, or a CODEOWNERS
// rule whose pattern does not cover every path. Without one, every path
// is the repository owner's, and Part need not be asked.
func Narrower(own tandem.Ownership) bool {
	if len(own.Folders) > 0 {
		return true
	}
	for _, r := range own.Rules {
		if !wholeRepo(strings.TrimPrefix(r.Pattern, "!")) {
			return true
		}
	}
	return false
}
