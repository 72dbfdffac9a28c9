package tandem

import (
	"fmt"
	"strings"
)

// DidYouMean returns ": did you mean X?" when s is a slip of X, one of
// valid (see Closest), for a refusal to end with; "" otherwise.
func DidYouMean(s string, valid []string) string {
	if c := Closest(s, valid); c != "" {
		return fmt.Sprintf(": did you mean %s?", c)
	}
	return ""
}

// Closest returns the one of valid nearest to s when it is near enough to
// be a slip of the keyboard (an edit distance of at most a third of s,
// and at least 1), for a refusal to ask "did you mean …?"; "" otherwise.
func Closest(s string, valid []string) string {
	best, bestDist := "", max(1, (len(s)+1)/3)+1
	for _, v := range valid {
		if d := editDistance(strings.ToLower(s), strings.ToLower(v)); d < bestDist && d < len(s) && v != s {
			best, bestDist = v, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
