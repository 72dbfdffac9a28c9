package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tandem-dev/tandem/check"
	"github.com/tandem-dev/tandem/gitobj"
	"github.com/tandem-dev/tandem/proc"
)

// runCommands runs the command leaves of programs with s.Runner in
// workdir, a checkout of tree, or, when it is "", in one made only when
// some program has one and removed afterwards. The checkout is the only
// folder a sandboxed command may write.
func (s *Scanner) runCommands(ctx context.Context, r *gitobj.Repo, tree gitobj.OID, workdir string, programs []*check.Program, runs []*check.Run) {
	dir := workdir
	for j, p := range programs {
		for _, l := range p.Leaves() {
			argv := l.Command()
			if argv == nil {
				continue
			}
			if dir == "" {
				var err error
				if dir, err = checkout(r, tree); err != nil {
					runs[j].Fail(l, fmt.Errorf("checkout for %s: %w", strings.Join(argv, " "), err))
					continue
				}
				defer os.RemoveAll(dir)
			}
			timeout := s.CommandTimeout
			if timeout == 0 {
				timeout = proc.DefaultTimeout
			}
			// A command that exits non-zero is an answer (false), not a fault.
			ok, _, err := s.Runner.Run(ctx, dir, argv, nil, timeout)
			if err != nil {
				runs[j].Fail(l, err)
			} else if ok {
				runs[j].Add(l, "", nil)
			}
		}
	}
}

// checkout writes the files of tree into a new temporary folder. Symbolic
// links are made only when they point inside the checkout.
func checkout(r *gitobj.Repo, tree gitobj.OID) (string, error) {
	dir, err := os.MkdirTemp("", "tandem-checkout-")
	if err != nil {
		return "", err
	}
	err = r.Walk(tree, func(path string, e gitobj.TreeEntry) error {
		if !filepath.IsLocal(path) {
			return nil
		}
		full := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		_, data, err := r.Read(e.ID)
		if err != nil {
			return err
		}
		switch {
		case e.IsSymlink():
			target := filepath.Join(filepath.Dir(filepath.FromSlash(path)), string(data))
			if filepath.IsAbs(string(data)) || !filepath.IsLocal(target) {
				return nil
			}
			return os.Symlink(string(data), full)
		case e.IsBlob():
			mode := os.FileMode(0o644)
			if e.Mode&0o111 != 0 {
				mode = 0o755
			}
			return os.WriteFile(full, data, mode)
		}
		return nil
	})
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}
