package check

import (
	"cmp"
	"errors"
	"slices"
)

// MaxEvidence is the most matches a Result carries as evidence.
const MaxEvidence = 100

// Match is a place where a leaf matched: a file and a 1-based line, or line
// 0 for the file itself (a path leaf). Path "" stands for the whole
// checkout (a command leaf).
type Match struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
}

// Outcome is what one leaf found in one repository: whether any selected
// file matched, where, and the error that kept it from reading a file (a
// go.mod that does not parse), in which case the leaf did not match there.
type Outcome struct {
	Holds   bool
	Matches []Match
	Err     error
}

// Result is a check's value for one repository. Evidence holds the matches
// of the leaves that made it hold, sorted by path then line, at most
// MaxEvidence; a leaf under "not" gives none, and a check that does not hold
// has none. Err joins the leaves' errors: when it is non-nil, Holds was
// computed as if the failed leaves did not match and may be wrong.
type Result struct {
	Holds    bool
	Evidence []Match
	Err      error
}

// Eval returns the program's result from its leaves' outcomes in one
// repository; a leaf missing from outcomes did not hold.
func (p *Program) Eval(outcomes map[*Leaf]Outcome) Result {
	return p.eval(func(l *Leaf) *Outcome {
		o := outcomes[l]
		return &o
	})
}

func (p *Program) eval(outcome func(*Leaf) *Outcome) Result {
	holds, ev := evalNode(p.root, outcome)
	r := Result{Holds: holds}
	if holds {
		r.Evidence = trim(slices.Clone(ev))
	}
	var errs []error
	for _, l := range p.leaves {
		if err := outcome(l).Err; err != nil {
			errs = append(errs, err)
		}
	}
	r.Err = errors.Join(errs...)
	return r
}

// evalNode returns whether n holds and, if it does, its evidence.
func evalNode(n *node, outcome func(*Leaf) *Outcome) (bool, []Match) {
	switch n.op {
	case opLeaf:
		o := outcome(n.leaf)
		return o.Holds, o.Matches
	case opNot:
		holds, _ := evalNode(n.kids[0], outcome)
		return !holds, nil
	case opAll:
		var ev []Match
		for _, k := range n.kids {
			holds, kev := evalNode(k, outcome)
			if !holds {
				return false, nil
			}
			ev = append(ev, kev...)
		}
		return true, ev
	default: // opAny
		var ev []Match
		holds := false
		for _, k := range n.kids {
			if h, kev := evalNode(k, outcome); h {
				holds = true
				ev = append(ev, kev...)
			}
		}
		return holds, ev
	}
}

// trim sorts ms by path then line, drops duplicates and keeps the first
// MaxEvidence.
func trim(ms []Match) []Match {
	slices.SortFunc(ms, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
	})
	ms = slices.Compact(ms)
	return ms[:min(len(ms), MaxEvidence)]
}

// Run accumulates the outcomes of a program's leaves over one repository's
// files. For each file, a caller asks each leaf MatchPath; for a leaf that
// selects it, it calls Add at once if the leaf needs no content, or else
// Add or Fail with what MatchContent returned (from a cache or by reading
// the file). A command leaf is recorded with Add(l, "", nil) when its
// command succeeded. A Run is not safe for concurrent use.
type Run struct {
	p        *Program
	outcomes []Outcome
}

// NewRun returns an empty Run of p, for one repository.
func (p *Program) NewRun() *Run {
	return &Run{p: p, outcomes: make([]Outcome, len(p.leaves))}
}

// Add records that l matched the file at path on lines (none: the file
// itself). It keeps only the matches that can still become evidence. It
// panics if l is not a leaf of the run's program.
func (r *Run) Add(l *Leaf, path string, lines []int) {
	o := r.outcome(l)
	o.Holds = true
	if len(lines) == 0 {
		o.Matches = append(o.Matches, Match{Path: path})
	}
	for _, line := range lines {
		o.Matches = append(o.Matches, Match{Path: path, Line: line})
	}
	if len(o.Matches) > 2*MaxEvidence {
		o.Matches = trim(o.Matches)
	}
}

// Clone returns a copy of r that records apart from it.
func (r *Run) Clone() *Run {
	c := &Run{p: r.p, outcomes: slices.Clone(r.outcomes)}
	for i := range c.outcomes {
		c.outcomes[i].Matches = slices.Clone(c.outcomes[i].Matches)
	}
	return c
}

// Forget removes what r recorded of the file at path, as if it had not
// been fed, and reports whether it could tell exactly: not when a leaf
// failed on some file (its error names no file to take back) or may have
// had matches trimmed.
func (r *Run) Forget(path string) bool {
	for i := range r.outcomes {
		o := &r.outcomes[i]
		if o.Err != nil || len(o.Matches) >= MaxEvidence {
			return false
		}
		o.Matches = slices.DeleteFunc(o.Matches, func(m Match) bool { return m.Path == path })
		o.Holds = len(o.Matches) > 0
	}
	return true
}

// Merge adds what other, a run of the same program over other files of
// the same repository, recorded: a repository's files may be matched in
// parts, on several cores, and merged in path order.
func (r *Run) Merge(other *Run) {
	for i := range r.outcomes {
		o, x := &r.outcomes[i], other.outcomes[i]
		o.Holds = o.Holds || x.Holds
		o.Matches = append(o.Matches, x.Matches...)
		if len(o.Matches) > 2*MaxEvidence {
			o.Matches = trim(o.Matches)
		}
		o.Err = errors.Join(o.Err, x.Err)
	}
}

// Fail records err, returned by l's MatchContent (it names the file); l
// does not match that file, and the run's Result carries err.
func (r *Run) Fail(l *Leaf, err error) {
	o := r.outcome(l)
	o.Err = errors.Join(o.Err, err)
}

func (r *Run) outcome(l *Leaf) *Outcome {
	if l.index >= len(r.p.leaves) || r.p.leaves[l.index] != l {
		panic("check: leaf of another program")
	}
	return &r.outcomes[l.index]
}

// Result returns the program's result over what the run recorded.
func (r *Run) Result() Result {
	return r.p.eval(func(l *Leaf) *Outcome { return &r.outcomes[l.index] })
}
