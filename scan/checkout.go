package scan

import (
	"context"
	"fmt"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitobj"
	"github.com/tandem-dev/tandem/gitx"
)

// ReadCheckout evaluates checks on the commit checked out in dir, a work
// tree, with the reader and check language of Read: results, evidence
// and errors are those a scan finds at that commit. Command checks of
// source CI run in dir itself, where the build is; the others in a fresh
// checkout of the commit, as a scan runs them. It returns the commit
// evaluated, one result per check in the order of checks, and problems
// met reading the files.
func (s *Scanner) ReadCheckout(ctx context.Context, dir string, checks []tandem.NamedCheck) (string, []tandem.CheckResult, []tandem.Problem, error) {
	gitDir, commit, err := gitx.CheckoutHead(ctx, dir)
	if err != nil {
		return "", nil, nil, err
	}
	head, err := gitobj.ParseOID(commit)
	if err != nil {
		return "", nil, nil, fmt.Errorf("%s: HEAD: %w", dir, err)
	}
	r, err := gitobj.Open(gitDir)
	if err != nil {
		return "", nil, nil, err
	}
	defer r.Close()
	_, obj, err := r.Read(head)
	if err != nil {
		return "", nil, nil, fmt.Errorf("%s: commit %s: %w", dir, commit, err)
	}
	tree, err := gitobj.CommitTree(obj)
	if err != nil {
		return "", nil, nil, fmt.Errorf("%s: commit %s: %w", dir, commit, err)
	}
	scanned := tandem.ScannedChecks(checks)
	var ci []tandem.NamedCheck
	for _, nc := range checks {
		if nc.Check.Source == tandem.SourceCI {
			ci = append(ci, nc)
		}
	}
	var read int64
	results, problems := s.evaluate(ctx, r, gitDir, "", head, tree, scanned, &read)
	if len(ci) > 0 {
		more, ps := s.evaluate(ctx, r, gitDir+"#ci", dir, head, tree, ci, &read)
		results, problems = append(results, more...), append(problems, ps...)
	}
	byCheck := make(map[string]tandem.CheckResult, len(results))
	for _, res := range results {
		byCheck[res.Check] = res
	}
	ordered := make([]tandem.CheckResult, len(checks))
	for i, nc := range checks {
		ordered[i] = byCheck[nc.ID]
		ordered[i].Source = nc.Check.Source
	}
	return commit, ordered, problems, nil
}
