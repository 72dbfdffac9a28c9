package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tandem-dev/tandem"
)

// ChangeDiff returns what `to` changes since it left `from` in the
// repository at dir: the files and patch of `git diff from...to`, read
// without touching the repository and without running the repository's
// external diff or textconv drivers. The list of files and the patch are
// each cut at maxBytes. It returns an error for a revision that starts
// with "-" or is unknown.
func ChangeDiff(ctx context.Context, dir, from, to string, maxBytes int) (tandem.ChangeDiff, error) {
	if strings.HasPrefix(from, "-") || strings.HasPrefix(to, "-") || from == "" || to == "" {
		return tandem.ChangeDiff{}, fmt.Errorf("diff %s...%s: not a revision", from, to)
	}
	args := []string{"-c", "core.fsmonitor=false", "diff", "--no-ext-diff", "--no-textconv", "--no-color", "--no-renames"}
	span := from + "..." + to
	stat, cutStat, err := runCapped(ctx, dir, maxBytes, append(args, "--numstat", "-z", span, "--")...)
	if err != nil {
		return tandem.ChangeDiff{}, fmt.Errorf("diff %s: %w", span, err)
	}
	patch, cutPatch, err := runCapped(ctx, dir, maxBytes, append(args, "--patch", span, "--")...)
	if err != nil {
		return tandem.ChangeDiff{}, fmt.Errorf("diff %s: %w", span, err)
	}
	d := tandem.ChangeDiff{Patch: string(patch), Truncated: cutStat || cutPatch}
	records := strings.Split(string(stat), "\x00")
	if cutStat {
		records = records[:len(records)-1] // the last may be cut short
	}
	for _, rec := range records {
		added, rest, ok1 := strings.Cut(rec, "\t")
		deleted, path, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 {
			continue
		}
		f := tandem.ChangeFile{Path: path, Binary: added == "-"}
		f.Added, _ = strconv.Atoi(added)
		f.Deleted, _ = strconv.Atoi(deleted)
		d.Files = append(d.Files, f)
	}
	return d, nil
}

// runCapped runs git in dir and returns at most max bytes of its output,
// and whether there was more; git is stopped once the limit is passed.
func runCapped(ctx context.Context, dir string, max int, args ...string) ([]byte, bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := command(ctx, dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, false, err
	}
	if err := cmd.Start(); err != nil {
		return nil, false, err
	}
	data, rerr := io.ReadAll(io.LimitReader(out, int64(max)+1))
	cut := len(data) > max
	if cut {
		data = data[:max]
		cancel() // the rest is not wanted
	}
	werr := cmd.Wait()
	switch {
	case rerr != nil:
		return nil, false, rerr
	case cut:
		return data, true, nil
	case werr != nil:
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, false, errors.New(msg)
		}
		return nil, false, werr
	}
	return data, false, nil
}
