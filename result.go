package tandem

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Match is where a check found what it looks for: a file, and a 1-based
// line in it (0 when the file itself is the evidence).
type Match struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
}

func (m Match) String() string {
	if m.Line == 0 {
		return m.Path
	}
	return fmt.Sprintf("%s:%d", m.Path, m.Line)
}

// Roles a check plays.
const (
	RoleAdoption = "adoption" // Platform.Adoption
	RoleTarget   = "target"   // Migration.Target
	RoleDone     = "done"     // Migration.Done
)

// NamedCheck is a check in force, named after the object and role it
// serves: "platform/obslog/adoption", "migration/logrus/target".
type NamedCheck struct {
	ID    string
	Check Check
	// Digest identifies the check's definition: a result computed for
	// another digest is stale.
	Digest string
}

// ActiveChecks returns every check the scanner evaluates: each platform's
// adoption check, each migration's target and done checks, and the
// contribution-readiness checks while some platform lists codebases.
func ActiveChecks(platforms []Platform, migrations []Migration) []NamedCheck {
	var checks []NamedCheck
	readiness := false
	for _, p := range platforms {
		if p.Adoption != nil {
			checks = append(checks, named(CheckID("platform", p.Name, RoleAdoption), *p.Adoption))
		}
		readiness = readiness || len(p.Codebases) > 0
	}
	if readiness {
		checks = append(checks, ReadinessChecks()...)
	}
	for _, m := range migrations {
		checks = append(checks, named(CheckID("migration", m.Name, RoleTarget), m.Target))
		if m.Done != nil {
			checks = append(checks, named(CheckID("migration", m.Name, RoleDone), *m.Done))
		}
	}
	return checks
}

// ScannedChecks returns the checks of checks that the server's scan
// evaluates: all but those of source CI, whose results only CI pushes.
func ScannedChecks(checks []NamedCheck) []NamedCheck {
	var scanned []NamedCheck
	for _, nc := range checks {
		if nc.Check.Source != SourceCI {
			scanned = append(scanned, nc)
		}
	}
	return scanned
}

// StoredChecks returns the ScannedChecks of the catalog in store.
func StoredChecks(ctx context.Context, store CatalogStore) ([]NamedCheck, error) {
	platforms, err := store.FindPlatforms(ctx, "")
	if err != nil {
		return nil, err
	}
	migrations, err := store.FindMigrations(ctx, "")
	if err != nil {
		return nil, err
	}
	return ScannedChecks(ActiveChecks(platforms, migrations)), nil
}

func named(id string, c Check) NamedCheck {
	js, _ := json.Marshal(c) // a Check always marshals
	sum := sha256.Sum256(js)
	return NamedCheck{ID: id, Check: c, Digest: hex.EncodeToString(sum[:8])}
}

// CheckID names the check of an object's role.
func CheckID(kind, name, role string) string { return kind + "/" + name + "/" + role }

// SplitCheckID returns the kind, name and role a CheckID names.
func SplitCheckID(id string) (kind, name, role string) {
	kind, rest, _ := strings.Cut(id, "/")
	name, role, _ = strings.Cut(rest, "/")
	return kind, name, role
}

// CheckResult is a check's outcome on a codebase at a commit.
type CheckResult struct {
	Codebase string  `json:"codebase"`
	Check    string  `json:"check"`
	Digest   string  `json:"digest"`
	Commit   string  `json:"commit"`
	Holds    bool    `json:"holds"`
	Evidence []Match `json:"evidence"`
	// Error says why the check could not be evaluated (a command that
	// timed out, a go.mod that does not parse); Holds is false then.
	Error     string    `json:"error,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
	// Source is who evaluated it: "" the server's scan, SourceCI a CI job
	// that pushed it (`tandem check --push`).
	Source string `json:"source,omitempty"`
}

// CheckResultFilter selects check results; zero fields match everything.
type CheckResultFilter struct {
	Codebase string
	Check    string
}

// Adoption is who uses a platform, measured from code.
type Adoption struct {
	Platform  string   `json:"platform"`
	Codebases []string `json:"codebases"`
	Teams     []string `json:"teams"`
	// Unowned counts adopting codebases with no known owner.
	Unowned int `json:"unowned"`
	// Trend is the number of adopting codebases at the end of each day a
	// result changed, oldest first.
	Trend []TrendPoint `json:"trend"`
}

// TrendPoint is a count on a day (YYYY-MM-DD).
type TrendPoint struct {
	Day   string `json:"day"`
	Count int    `json:"count"`
}

// CheckStore keeps the results of checks over codebases and their history.
type CheckStore interface {
	// FindCheckResults returns the current check results f selects.
	FindCheckResults(ctx context.Context, f CheckResultFilter) ([]CheckResult, error)
	// FindCheckHistory returns every change of a check's results, oldest
	// first: the source of trends.
	FindCheckHistory(ctx context.Context, check string) ([]CheckResult, error)
	// PushResults records results a CI job (person by) evaluated on
	// codebase at commit. Each must be of an active check of source CI
	// (EINVALID naming it otherwise), and of its definition on the server
	// when it gives a Digest (ECONFLICT otherwise); ENOTFOUND for an
	// unknown codebase.
	// Every push is kept (FindPushedResults); when commit is the
	// codebase's head, the results become current, as a scan's do, and
	// move targets, in one transaction. It reports whether they did.
	PushResults(ctx context.Context, codebase, commit, by string, results []CheckResult) (current bool, err error)
	// FindPushedResults returns the latest limit results pushed for
	// codebase, the latest first, current or history.
	FindPushedResults(ctx context.Context, codebase string, limit int) ([]CheckResult, error)
}
