package sqlstore

import (
	"context"
	"database/sql"
	"slices"

	"github.com/tandem-dev/tandem"
)

// FindSummary returns the catalog in counts, computed by the database in
// one snapshot: the listed codebases and those without an owner, the
// teams, and each platform's adopting codebases and teams and its trend.
func (db *DB) FindSummary(ctx context.Context) (tandem.Summary, error) {
	var s tandem.Summary
	err := db.readTx(ctx, "find summary", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) - COUNT(owner) FROM codebases
			WHERE gone_at IS NULL`).Scan(&s.Codebases, &s.Unowned); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM teams").Scan(&s.Teams); err != nil {
			return err
		}
		names, err := platformNames(ctx, tx, "")
		if err != nil {
			return err
		}
		s.Platforms = make([]tandem.AdoptionSummary, 0, len(names))
		for _, name := range names {
			a, err := adoptionSummary(ctx, tx, name)
			if err != nil {
				return err
			}
			s.Platforms = append(s.Platforms, a)
		}
		return nil
	})
	return s, err
}

// FindAdoption returns the adoption of the platform called name, or of
// every platform sorted by name when name is "": the adopting codebases
// joined with their owners and the trend summed by the database, as
// tandem.ComputeAdoption computes them over every codebase. It returns
// ENOTFOUND for a platform not in the catalog.
func (db *DB) FindAdoption(ctx context.Context, name string) ([]tandem.Adoption, error) {
	return find(ctx, db, "platform", name, func(ctx context.Context, tx *sql.Tx, name string) ([]tandem.Adoption, error) {
		names, err := platformNames(ctx, tx, name)
		if err != nil {
			return nil, err
		}
		adoptions := make([]tandem.Adoption, 0, len(names))
		for _, name := range names {
			a, err := findAdoption(ctx, tx, name)
			if err != nil {
				return nil, err
			}
			adoptions = append(adoptions, a)
		}
		return adoptions, nil
	})
}

// platformNames returns the name of the platform called name, or of every
// platform when name is "", sorted.
func platformNames(ctx context.Context, tx *sql.Tx, name string) ([]string, error) {
	cond, args := where("name", name)
	names, err := column[string](ctx, tx, "SELECT name FROM platforms"+cond, args...)
	slices.Sort(names)
	return names, err
}

// adopters selects the current results of an adoption check ($1) that
// hold, each with its codebase's owner (NULL when it has none, or is
// not stored), but those of codebases gone from their host.
const adopters = `FROM check_results r LEFT JOIN codebases c ON c.name = r.codebase
	WHERE r.check_id = $1 AND r.holds AND c.gone_at IS NULL`

// adoptionSummary returns the adoption of platform in counts.
func adoptionSummary(ctx context.Context, tx *sql.Tx, platform string) (tandem.AdoptionSummary, error) {
	a := tandem.AdoptionSummary{Platform: platform}
	id := tandem.CheckID("platform", platform, tandem.RoleAdoption)
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT c.owner), COUNT(*) - COUNT(c.owner) `+adopters, id).
		Scan(&a.Codebases, &a.Teams, &a.Unowned); err != nil {
		return a, err
	}
	var err error
	a.Trend, err = adoptionTrend(ctx, tx, id)
	return a, err
}

// findAdoption returns the adoption of platform: its adopting codebases,
// the teams owning them, and its trend.
func findAdoption(ctx context.Context, tx *sql.Tx, platform string) (tandem.Adoption, error) {
	a := tandem.Adoption{Platform: platform, Codebases: []string{}, Teams: []string{}}
	id := tandem.CheckID("platform", platform, tandem.RoleAdoption)
	rows, err := queryRows(ctx, tx, func(rows *sql.Rows) (r struct {
		codebase string
		owner    sql.NullString
	}, err error) {
		err = rows.Scan(&r.codebase, &r.owner)
		return r, err
	}, "SELECT r.codebase, c.owner "+adopters, id)
	if err != nil {
		return a, err
	}
	teams := map[string]bool{}
	for _, r := range rows {
		a.Codebases = append(a.Codebases, r.codebase)
		if !r.owner.Valid {
			a.Unowned++
		} else if !teams[r.owner.String] {
			teams[r.owner.String] = true
			a.Teams = append(a.Teams, r.owner.String)
		}
	}
	slices.Sort(a.Codebases)
	slices.Sort(a.Teams)
	a.Trend, err = adoptionTrend(ctx, tx, id)
	return a, err
}

// adoptionChanges sums, per instant, how the number of codebases where an
// adoption check ($1) holds changes: each change in the check's history,
// and each codebase leaving its host (it stops adopting then, after what
// was read of it at the same instant), counts the difference with the
// codebase's previous state, not adopting before its first.
const adoptionChanges = `SELECT at, SUM(delta) FROM (
	SELECT at, holds - LAG(holds, 1, 0) OVER (PARTITION BY codebase ORDER BY at, gone, id) AS delta
	FROM (
		SELECT codebase, changed_at AS at, CASE WHEN holds THEN 1 ELSE 0 END AS holds, 0 AS gone, id
			FROM check_history WHERE check_id = $1
		UNION ALL
		SELECT name, gone_at, 0, 1, 0 FROM codebases WHERE gone_at IS NOT NULL
	) events
) changes GROUP BY at`

// adoptionTrend returns the trend of an adoption check: the changes the
// database sums per instant, replayed (tandem.TrendOf).
func adoptionTrend(ctx context.Context, tx *sql.Tx, check string) ([]tandem.TrendPoint, error) {
	changes, err := queryRows(ctx, tx, func(rows *sql.Rows) (c tandem.AdoptionChange, err error) {
		err = rows.Scan(&c.At, &c.Delta)
		return c, err
	}, adoptionChanges, check)
	if err != nil {
		return nil, err
	}
	return tandem.TrendOf(changes), nil
}
