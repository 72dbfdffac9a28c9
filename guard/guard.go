// Package guard decides whether a pull request brings back what a
// migration removes: it evaluates the migration's target check on the
// files the pull request changes, at its head and at its merge base, and
// reports the evidence found at the head that the same files at the base
// do not have. A line counts by its path and text, so a line moved within
// a file, or one already there, is not new.
//
// Only the changed files are read: a check is evaluated as if the
// repository held nothing else. Command leaves, which need a checkout, are
// left out (they never hold here), and so is a combination's part that
// lies in unchanged files.
package guard

import (
	"bytes"
	"context"
	"fmt"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/check"
)

// Files reads the files of a pull request's commits.
type Files interface {
	// ChangedFiles returns the paths of the files that differ between
	// the commits base and head.
	ChangedFiles(ctx context.Context, base, head string) ([]string, error)
	// ReadFiles returns the content of the files among paths that exist
	// at commit.
	ReadFiles(ctx context.Context, commit string, paths []string) (map[string][]byte, error)
}

// Evaluate returns the verdict of each guarding migration on the pull
// request whose head is head and whose merge base with its base branch
// is base.
func Evaluate(ctx context.Context, files Files, base, head string, guards []tandem.Guarding) ([]tandem.GuardVerdict, error) {
	if len(guards) == 0 {
		return nil, nil
	}
	paths, err := files.ChangedFiles(ctx, base, head)
	if err != nil {
		return nil, err
	}
	before, err := files.ReadFiles(ctx, base, paths)
	if err != nil {
		return nil, fmt.Errorf("guard: files at %s: %w", base, err)
	}
	after, err := files.ReadFiles(ctx, head, paths)
	if err != nil {
		return nil, fmt.Errorf("guard: files at %s: %w", head, err)
	}
	verdicts := make([]tandem.GuardVerdict, 0, len(guards))
	for _, g := range guards {
		evidence, err := NewEvidence(g.Migration.Target, before, after)
		if err != nil {
			return nil, fmt.Errorf("guard: migration %s: %w", g.Migration.Name, err)
		}
		verdicts = append(verdicts, tandem.GuardVerdict{Migration: g.Migration.Name, Mode: g.Mode,
			State: tandem.GuardState(g.Mode, evidence), Evidence: evidence})
	}
	return verdicts, nil
}

// NewEvidence returns the evidence of check c over the files after that
// its evidence over the files before does not have: a match is old when
// before has a match at the same path on a line of the same text (or, for
// a match of the file itself, a match of the same file).
func NewEvidence(c tandem.Check, before, after map[string][]byte) ([]tandem.Match, error) {
	p, err := check.Compile(c)
	if err != nil {
		return nil, err
	}
	old := map[string]bool{}
	for _, m := range evidence(p, before) {
		old[lineKey(m, before)] = true
	}
	var added []tandem.Match
	for _, m := range evidence(p, after) {
		if !old[lineKey(m, after)] {
			added = append(added, tandem.Match{Path: m.Path, Line: m.Line})
		}
	}
	return added, nil
}

// evidence returns the evidence of p over files alone; files that a leaf
// cannot read (errors of go.mod files that do not parse) give none.
func evidence(p *check.Program, files map[string][]byte) []check.Match {
	run := p.NewRun()
	for path, data := range files {
		for _, l := range p.Leaves() {
			if !l.MatchPath(path) {
				continue
			}
			if !l.NeedsContent() {
				run.Add(l, path, nil)
				continue
			}
			lines, ok, err := l.MatchContent(data)
			switch {
			case err != nil:
				run.Fail(l, err)
			case ok:
				run.Add(l, path, lines)
			}
		}
	}
	return run.Result().Evidence
}

// lineKey identifies a match by its path and the text of its line.
func lineKey(m check.Match, files map[string][]byte) string {
	if m.Line == 0 {
		return m.Path + "\x00"
	}
	return m.Path + "\x00\x00" + string(line(files[m.Path], m.Line))
}

// line returns the 1-based line n of data, without its end.
func line(data []byte, n int) []byte {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return nil
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	return bytes.TrimRight(data, "\r")
}
