package check

import (
	"bytes"
	"regexp/syntax"
	"unicode/utf8"

	"github.com/tandem-dev/tandem"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// MaxFileSize is the size in bytes above which a file's content is not
// read: content leaves do not match it. Callers ask Readable before reading
// a file and report the files they skip.
var MaxFileSize int64 = 4 << 20

// MaxLines is the most line numbers MatchContent returns for one file.
const MaxLines = 20

// binaryPrefix is how many leading bytes IsBinary looks at for a NUL.
const binaryPrefix = 8000

// Readable reports whether a file of size bytes is small enough for its
// content to be read and matched: at most MaxFileSize.
func Readable(size int64) bool { return size <= MaxFileSize }

// IsBinary reports whether data is a binary file's content, one with a NUL
// byte in its first 8000 bytes (the rule git and grep use). Content leaves
// never match a binary file.
func IsBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), binaryPrefix)], 0) >= 0
}

// MatchContent returns the 1-based numbers of the lines (at most MaxLines,
// in increasing order) where the leaf matches a selected file's content,
// and whether it matched at all. For a match spanning lines, the line where
// it starts counts. A gomod leaf returns the line of the require directive.
// Binary files, files larger than MaxFileSize and leaves that read no
// content never match. The error is non-nil only for a gomod leaf given a
// go.mod that does not parse (EINVALID); the leaf then does not match, and
// the caller passes the error to Run.Fail (or Outcome.Err). It does not
// allocate when nothing matches a contains or matches leaf.
func (l *Leaf) MatchContent(data []byte) (lines []int, ok bool, err error) {
	if int64(len(data)) > MaxFileSize {
		return nil, false, nil
	}
	switch l.kind {
	case kindContains:
		lines, ok = l.contains(data)
	case kindMatches:
		lines, ok = l.matches(data)
	case kindGoMod:
		return l.gomod(data)
	}
	return lines, ok, nil
}

// contains finds the lines of data holding the literal: one bytes.Index
// over the whole file, newlines counted only up to each match.
func (l *Leaf) contains(data []byte) ([]int, bool) {
	i := bytes.Index(data, l.literal)
	if i < 0 || IsBinary(data) {
		return nil, false
	}
	lines := make([]int, 0, 4)
	line := 1 + bytes.Count(data[:i], newline)
	for {
		lines = append(lines, line)
		if len(lines) == MaxLines {
			break
		}
		eol := bytes.IndexByte(data[i:], '\n')
		if eol < 0 {
			break
		}
		next := i + eol + 1
		j := bytes.Index(data[next:], l.literal)
		if j < 0 {
			break
		}
		line += 1 + bytes.Count(data[next:next+j], newline)
		i = next + j
	}
	return lines, true
}

var newline = []byte{'\n'}

// matches finds the lines of data where the regular expression matches,
// after checking that data holds the expression's required literal.
func (l *Leaf) matches(data []byte) ([]int, bool) {
	if l.literal != nil && !bytes.Contains(data, l.literal) {
		return nil, false
	}
	loc := l.re.FindIndex(data)
	if loc == nil || pastLastLine(data, loc[0]) || IsBinary(data) {
		return nil, false
	}
	if l.anchoredTop {
		// \A must see the whole text: collect a bounded number of matches
		// at once rather than rerun on each remaining line.
		return linesOf(data, l.re.FindAllIndex(data, 16*MaxLines)), true
	}
	lines := make([]int, 0, 4)
	line := 1 + bytes.Count(data[:loc[0]], newline)
	i := loc[0]
	for {
		lines = append(lines, line)
		if len(lines) == MaxLines {
			break
		}
		eol := bytes.IndexByte(data[i:], '\n')
		if eol < 0 {
			break
		}
		// Rerunning from the start of the next line is exact: ^ (multi-line)
		// and \b see the same context there as in the whole text.
		next := i + eol + 1
		loc = l.re.FindIndex(data[next:])
		if loc == nil || pastLastLine(data, next+loc[0]) {
			break
		}
		line += 1 + bytes.Count(data[next:next+loc[0]], newline)
		i = next + loc[0]
	}
	return lines, true
}

// pastLastLine reports whether offset i of data is the empty end after a
// final newline, where a multi-line ^ or $ matches but no line is.
func pastLastLine(data []byte, i int) bool {
	return i == len(data) && i > 0 && data[i-1] == '\n'
}

// linesOf returns the distinct lines where the matches at locs start, at
// most MaxLines.
func linesOf(data []byte, locs [][]int) []int {
	var lines []int
	line, at := 1, 0
	for _, loc := range locs {
		if pastLastLine(data, loc[0]) {
			break
		}
		line += bytes.Count(data[at:loc[0]], newline)
		at = loc[0]
		if len(lines) > 0 && lines[len(lines)-1] == line {
			continue
		}
		if lines = append(lines, line); len(lines) == MaxLines {
			break
		}
	}
	return lines
}

// gomod reports whether go.mod in data requires the leaf's module at a
// version within its bound. Unknown directives are ignored (modfile's lax
// parsing), so a go.mod written for a newer Go still reads.
func (l *Leaf) gomod(data []byte) ([]int, bool, error) {
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return nil, false, tandem.Errorf(tandem.EINVALID, "%v", err)
	}
	var lines []int
	for _, r := range f.Require {
		if r.Mod.Path != l.module {
			continue
		}
		c := semver.Compare(r.Mod.Version, l.version)
		if (l.below && c < 0) || (!l.below && c >= 0) {
			line := 0
			if r.Syntax != nil {
				line = r.Syntax.Start.Line
			}
			lines = append(lines, line)
		}
	}
	return lines, len(lines) > 0, nil
}

// requiredLiteral returns the longest case-sensitive literal that every
// match of re contains, or "" when there is none worth a prefilter.
func requiredLiteral(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCapture:
		if s, ok := exact(re); ok {
			return s
		}
		if re.Op == syntax.OpCapture {
			return requiredLiteral(re.Sub[0])
		}
	case syntax.OpPlus:
		return requiredLiteral(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiteral(re.Sub[0])
		}
	case syntax.OpConcat:
		// Adjacent exact parts join into one literal; any other part
		// offers its own required literal.
		best, run := "", ""
		for _, sub := range re.Sub {
			if s, ok := exact(sub); ok {
				run += s
				continue
			}
			best = longer(best, run)
			run = ""
			best = longer(best, requiredLiteral(sub))
		}
		return longer(best, run)
	}
	return ""
}

// exact returns the only string re matches, if it matches exactly one and
// case-sensitively.
func exact(re *syntax.Regexp) (string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return "", false
		}
		b := make([]byte, 0, len(re.Rune))
		for _, r := range re.Rune {
			b = utf8.AppendRune(b, r)
		}
		return string(b), true
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpConcat:
		s := ""
		for _, sub := range re.Sub {
			t, ok := exact(sub)
			if !ok {
				return "", false
			}
			s += t
		}
		return s, true
	}
	return "", false
}

func longer(a, b string) string {
	if len(b) > len(a) {
		return b
	}
	return a
}

// hasOp reports whether op occurs anywhere in re.
func hasOp(re *syntax.Regexp, op syntax.Op) bool {
	if re.Op == op {
		return true
	}
	for _, sub := range re.Sub {
		if hasOp(sub, op) {
			return true
		}
	}
	return false
}
