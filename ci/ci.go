// Package ci evaluates a checkout as CI sees it, for `tandem check`: the
// catalog's active checks on the commit checked out, with the scanner
// and check language of the server's scan, and the migrations whose
// backsliding guard that commit trips.
package ci

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/scan"
)

// Report is what `tandem check` found in a checkout.
type Report struct {
	Codebase string `json:"codebase"`
	Commit   string `json:"commit"`
	// Results are one per active check, in the catalog's order; Source
	// says which of them CI pushes (SourceCI).
	Results []tandem.CheckResult `json:"results"`
	// Guards are the guarded migrations whose target holds at Commit.
	Guards   []Tripped        `json:"guards"`
	Problems []tandem.Problem `json:"problems"`
}

// Tripped is a migration whose backsliding guard is in force and whose
// target holds: Mode block fails the check, warn only says so.
type Tripped struct {
	Migration string         `json:"migration"`
	Mode      string         `json:"mode"`
	Evidence  []tandem.Match `json:"evidence"`
}

// Blocked returns the tripped guards of mode block.
func (r Report) Blocked() []Tripped {
	var blocked []Tripped
	for _, g := range r.Guards {
		if g.Mode == tandem.GuardBlock {
			blocked = append(blocked, g)
		}
	}
	return blocked
}

// Evaluate evaluates the active checks of platforms and migrations on the
// commit checked out in dir (scan.Scanner.ReadCheckout) at now, and the
// guards of migrations in force on now's day (UTC).
func Evaluate(ctx context.Context, s *scan.Scanner, dir, codebase string, platforms []tandem.Platform, migrations []tandem.Migration, now time.Time) (Report, error) {
	checks := tandem.ActiveChecks(platforms, migrations)
	commit, results, problems, err := s.ReadCheckout(ctx, dir, checks)
	if err != nil {
		return Report{}, err
	}
	for i := range results {
		results[i].Codebase, results[i].CheckedAt = codebase, now.UTC()
	}
	return Report{Codebase: codebase, Commit: commit, Results: results, Guards: Guards(migrations, results, now),
		Problems: append([]tandem.Problem{}, problems...)}, nil
}

// Guards returns the migrations whose guard is in force at now
// (GuardSpec.InForce) and whose target holds in results, in the order of
// migrations.
func Guards(migrations []tandem.Migration, results []tandem.CheckResult, now time.Time) []Tripped {
	byCheck := make(map[string]tandem.CheckResult, len(results))
	for _, r := range results {
		byCheck[r.Check] = r
	}
	tripped := []Tripped{}
	for _, m := range migrations {
		if m.Guard == nil || !m.Guard.InForce(now) {
			continue
		}
		r, ok := byCheck[tandem.CheckID("migration", m.Name, tandem.RoleTarget)]
		if ok && r.Holds {
			tripped = append(tripped, Tripped{Migration: m.Name, Mode: m.Guard.Mode, Evidence: r.Evidence})
		}
	}
	return tripped
}

// Catalog returns the platforms and migrations of the YAML files or
// folders at paths, the ones `tandem apply` takes; EINVALID with every
// problem located in a Platform or Migration when they do not decode.
// Problems of the other kinds, which a check does not read (a local code
// host's folder that is not on the CI machine), are left to apply.
func Catalog(paths []string) ([]tandem.Platform, []tandem.Migration, error) {
	var srcs []manifest.Source
	for _, p := range paths {
		read, err := manifest.Read(p)
		if err != nil {
			return nil, nil, err
		}
		srcs = append(srcs, read...)
	}
	objs, err := manifest.Decode(srcs)
	var invalid *tandem.InvalidError
	if errors.As(err, &invalid) {
		err = checkedProblems(objs, invalid.Problems).Err()
	}
	if err != nil {
		return nil, nil, err
	}
	var platforms []tandem.Platform
	var migrations []tandem.Migration
	for _, o := range objs {
		switch spec := o.Spec.(type) {
		case *tandem.Platform:
			p := *spec
			p.Name = o.Name
			platforms = append(platforms, p)
		case *tandem.Migration:
			m := *spec
			m.Name = o.Name
			migrations = append(migrations, m)
		}
	}
	// As the server lists them: by name.
	slices.SortFunc(platforms, func(a, b tandem.Platform) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(migrations, func(a, b tandem.Migration) int { return strings.Compare(a.Name, b.Name) })
	return platforms, migrations, nil
}

// checkedProblems returns the problems located in a Platform or
// Migration document of objs, or in no document that decoded: each
// problem belongs to the last object of its file that starts at or
// before its line.
func checkedProblems(objs []tandem.Object, problems tandem.Problems) tandem.Problems {
	var kept tandem.Problems
	for _, p := range problems {
		kind := ""
		for _, o := range objs {
			if o.File == p.File && o.Line <= p.Line {
				kind = o.Kind
			}
		}
		if kind == "" || kind == tandem.KindPlatform || kind == tandem.KindMigration {
			kept = append(kept, p)
		}
	}
	return kept
}

// CodebaseName returns the name a code host most likely knows the
// repository checked out in dir by: the last part of its origin
// remote's URL without .git, or else the folder's name.
func CodebaseName(ctx context.Context, dir string) (string, error) {
	if url, err := gitx.RemoteURL(ctx, dir, "origin"); err == nil && url != "" {
		url = strings.TrimSuffix(strings.TrimRight(url, "/"), ".git")
		if i := strings.LastIndexAny(url, "/:"); i >= 0 && i < len(url)-1 {
			return url[i+1:], nil
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("codebase name of %s: %w", dir, err)
	}
	return filepath.Base(abs), nil
}
