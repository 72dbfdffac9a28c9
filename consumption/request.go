package consumption

import (
	"slices"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
)

// ValidateRequest returns an EINVALID error naming the first field of
// what a person typed into a new request that is wrong: its type, title,
// size, or the date it is needed by.
func ValidateRequest(q tandem.Request) error {
	var problems []string
	switch {
	case !slices.Contains(tandem.RequestTypes, q.Type):
		problems = append(problems, "type: "+strconv.Quote(q.Type)+" is not support, change or onboarding")
	case q.Title == "":
		problems = append(problems, "title: required")
	case q.Size != tandem.SizeSmall && q.Size != tandem.SizeLarge:
		problems = append(problems, "size: "+strconv.Quote(q.Size)+" is not small or large")
	}
	if q.NeededBy != "" {
		if _, err := time.Parse(time.DateOnly, q.NeededBy); err != nil {
			problems = append(problems, "needed_by: "+strconv.Quote(q.NeededBy)+" is not a date (YYYY-MM-DD)")
		}
	}
	if len(problems) > 0 {
		return tandem.Errorf(tandem.EINVALID, "request %s", problems[0])
	}
	return nil
}
