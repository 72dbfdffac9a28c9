package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-dev/tandem"
)

// FindTeams returns the team called name, or every team sorted by name
// when name is "". Members are the union of the members teams declare and
// the teams people declare. It returns ENOTFOUND when a named team does
// not exist.
func (db *DB) FindTeams(ctx context.Context, name string) ([]tandem.Team, error) {
	return find(ctx, db, "team", name, findTeams)
}

// FindPeople returns the person whose handle is handle, or everyone sorted
// by handle when handle is "". It returns ENOTFOUND when a named person
// does not exist.
func (db *DB) FindPeople(ctx context.Context, handle string) ([]tandem.Person, error) {
	return find(ctx, db, "person", handle, findPeople)
}

// FindPeoplePage returns at most p.Limit people whose handle sorts after
// p.After, sorted by handle as the database sorts text. It reads the
// page's people and memberships alone, whatever the size of the catalog.
func (db *DB) FindPeoplePage(ctx context.Context, p tandem.PeoplePage) ([]tandem.Person, error) {
	if p.Limit < 1 {
		return nil, tandem.Errorf(tandem.EINVALID, "a page of people needs a limit of 1 or more, not %d", p.Limit)
	}
	var people []tandem.Person
	err := db.readTx(ctx, "find people", func(tx *sql.Tx) error {
		var err error
		people, err = findPeoplePage(ctx, tx, p)
		return err
	})
	return people, err
}

func findPeoplePage(ctx context.Context, tx *sql.Tx, p tandem.PeoplePage) ([]tandem.Person, error) {
	// A handle a team lists as a member is a person, declared or not:
	// the page is the first handles of both tables, united.
	rows, err := tx.QueryContext(ctx, `SELECT h.handle, COALESCE(p.name, ''), COALESCE(p.email, '') FROM (
			SELECT handle FROM (SELECT handle FROM people WHERE handle > $1 ORDER BY handle LIMIT $2) declared
			UNION
			SELECT person FROM (SELECT DISTINCT person FROM memberships WHERE person > $1 ORDER BY person LIMIT $2) listed
		) h LEFT JOIN people p ON p.handle = h.handle
		ORDER BY h.handle LIMIT $2`, p.After, p.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	people := []tandem.Person{}
	for rows.Next() {
		var person tandem.Person
		if err := rows.Scan(&person.Handle, &person.Name, &person.Email); err != nil {
			return nil, err
		}
		people = append(people, person)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(people) == 0 {
		return people, nil
	}
	teams, err := pairs(ctx, tx, "SELECT DISTINCT person, team FROM memberships WHERE person > $1 AND person <= $2",
		p.After, people[len(people)-1].Handle)
	if err != nil {
		return nil, err
	}
	for i := range people {
		people[i].Teams = nonNil(teams[people[i].Handle])
	}
	return people, nil
}

// FindCodeHosts returns the code host called name, or every code host
// sorted by name when name is "". It returns ENOTFOUND when a named code
// host does not exist.
func (db *DB) FindCodeHosts(ctx context.Context, name string) ([]tandem.CodeHost, error) {
	return find(ctx, db, "code host", name, findCodeHosts)
}

// FindPlatforms returns the platform called name, or every platform sorted
// by name when name is "". It returns ENOTFOUND when a named platform does
// not exist.
func (db *DB) FindPlatforms(ctx context.Context, name string) ([]tandem.Platform, error) {
	return find(ctx, db, "platform", name, findPlatforms)
}

// FindCodebases returns the codebases f selects, sorted by name: those
// their hosts list, the gone ones with f.Gone, either with f.Name. It
// returns ENOTFOUND when f names a codebase that does not exist (or, with
// f.Gone, is not gone).
func (db *DB) FindCodebases(ctx context.Context, f tandem.CodebaseFilter) ([]tandem.Codebase, error) {
	var cs []tandem.Codebase
	err := db.readTx(ctx, "find codebases", func(tx *sql.Tx) error {
		var err error
		cs, err = findCodebases(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if f.Name != "" && len(cs) == 0 {
		return nil, notFound(tandem.ENOTFOUND, "codebase", f.Name)
	}
	return cs, nil
}

// find runs fn in a transaction and returns ENOTFOUND when a name was
// given and nothing matched.
func find[T any](ctx context.Context, db *DB, kind, name string, fn func(context.Context, *sql.Tx, string) ([]T, error)) ([]T, error) {
	var found []T
	err := db.readTx(ctx, "find "+kind, func(tx *sql.Tx) error {
		var err error
		found, err = fn(ctx, tx, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if name != "" && len(found) == 0 {
		return nil, notFound(tandem.ENOTFOUND, kind, name)
	}
	return found, nil
}

// findByID runs fn in a read transaction, "find " and kind's plural, and
// returns ENOTFOUND when an id was given and nothing matched.
func findByID[T any](ctx context.Context, db *DB, kind string, id int64, fn func(*sql.Tx) ([]T, error)) ([]T, error) {
	var found []T
	err := db.readTx(ctx, "find "+kind+"s", func(tx *sql.Tx) error {
		var err error
		found, err = fn(tx)
		return err
	})
	if err == nil && id != 0 && len(found) == 0 {
		return nil, tandem.Errorf(tandem.ENOTFOUND, "%s %d not found", kind, id)
	}
	return found, err
}

func findTeams(ctx context.Context, tx *sql.Tx, name string) ([]tandem.Team, error) {
	cond, args := where("name", name)
	teams, err := queryRows(ctx, tx, func(rows *sql.Rows) (t tandem.Team, err error) {
		var aliases, tracker, chat string
		if err := rows.Scan(&t.Name, &t.Type, &aliases, &tracker, &chat); err != nil {
			return t, err
		}
		return t, decodeAll([]string{chat, aliases, tracker}, &t.Chat, &t.Aliases, &t.Tracker)
	}, "SELECT name, type, aliases, tracker, chat FROM teams"+cond, args...)
	if err != nil {
		return nil, err
	}
	cond, args = where("team", name)
	members, err := pairs(ctx, tx, "SELECT DISTINCT team, person FROM memberships"+cond, args...)
	if err != nil {
		return nil, err
	}
	for i := range teams {
		teams[i].Members = nonNil(members[teams[i].Name])
	}
	slices.SortFunc(teams, func(a, b tandem.Team) int { return strings.Compare(a.Name, b.Name) })
	return teams, nil
}

func findPeople(ctx context.Context, tx *sql.Tx, handle string) ([]tandem.Person, error) {
	cond, args := where("handle", handle)
	rows, err := tx.QueryContext(ctx, "SELECT handle, name, email FROM people"+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byHandle := map[string]*tandem.Person{}
	for rows.Next() {
		var p tandem.Person
		if err := rows.Scan(&p.Handle, &p.Name, &p.Email); err != nil {
			return nil, err
		}
		byHandle[p.Handle] = &p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	cond, args = where("person", handle)
	teams, err := pairs(ctx, tx, "SELECT DISTINCT person, team FROM memberships"+cond, args...)
	if err != nil {
		return nil, err
	}
	// A handle a team lists as a member is a person, declared or not.
	for h := range teams {
		if byHandle[h] == nil {
			byHandle[h] = &tandem.Person{Handle: h}
		}
	}
	people := make([]tandem.Person, 0, len(byHandle))
	for h, p := range byHandle {
		p.Teams = nonNil(teams[h])
		people = append(people, *p)
	}
	slices.SortFunc(people, func(a, b tandem.Person) int { return strings.Compare(a.Handle, b.Handle) })
	return people, nil
}

func findCodeHosts(ctx context.Context, tx *sql.Tx, name string) ([]tandem.CodeHost, error) {
	cond, args := where("name", name)
	hosts, err := queryRows(ctx, tx, func(rows *sql.Rows) (h tandem.CodeHost, err error) {
		err = rows.Scan(&h.Name, &h.Type, &h.Path, &h.URL, &h.Org, &h.Token, &h.WebhookSecret, &h.Archived, &h.Forks)
		return h, err
	}, "SELECT name, type, path, url, org, token, webhook_secret, archived, forks FROM codehosts"+cond, args...)
	slices.SortFunc(hosts, func(a, b tandem.CodeHost) int { return strings.Compare(a.Name, b.Name) })
	return hosts, err
}

func findPlatforms(ctx context.Context, tx *sql.Tx, name string) ([]tandem.Platform, error) {
	cond, args := where("name", name)
	platforms, err := queryRows(ctx, tx, func(rows *sql.Rows) (p tandem.Platform, err error) {
		var codebases, adoption, docs, community string
		if err := rows.Scan(&p.Name, &p.Owner, &codebases, &adoption, &p.Support, &docs, &p.SupportNotice, &community, &p.TrustLadder); err != nil {
			return p, err
		}
		err = decodeAll([]string{community, codebases, adoption, docs}, &p.Community, &p.Codebases, &p.Adoption, &p.Docs)
		p.Community, p.Docs = nonNil(p.Community), nonNil(p.Docs)
		return p, err
	}, "SELECT name, owner, codebases, adoption, support, docs, support_notice, community, trust_ladder FROM platforms"+cond, args...)
	slices.SortFunc(platforms, func(a, b tandem.Platform) int { return strings.Compare(a.Name, b.Name) })
	return platforms, err
}

// findCodebases returns the codebases f selects, sorted by name: those
// their hosts list, the gone ones with f.Gone, either with f.Name. A name
// selects its codebase in any case: the codebase of that exact name, or
// else the one whose name differs only in case (EINVALID when several
// do).
func findCodebases(ctx context.Context, tx *sql.Tx, f tandem.CodebaseFilter) ([]tandem.Codebase, error) {
	if f.Limit > 0 && f.Name == "" {
		return findCodebasePage(ctx, tx, f)
	}
	c := codebaseConds(f)
	cs, err := queryRows(ctx, tx, scanCodebase, codebaseSelect+c.where(), c.args...)
	if err != nil {
		return nil, err
	}
	if f.Name != "" {
		if cs, err = sameName(cs, f.Name); err != nil {
			return nil, err
		}
	}
	if withUndiscovered(f) && (f.Name == "" || len(cs) == 0) {
		declared, err := undiscoveredPolicies(ctx, tx, f.Name)
		if err != nil {
			return nil, err
		}
		cs = append(cs, declared...)
	}
	slices.SortFunc(cs, func(a, b tandem.Codebase) int { return strings.Compare(a.Name, b.Name) })
	return cs, nil
}

// codebaseSelect reads the codebases that scanCodebase scans.
const codebaseSelect = `SELECT name, host, default_branch, head, owner, owner_source, contributions,
		trusted, ownership, problems, scanned_at, location, gone_at,
		(SELECT auto_merge FROM codebase_policies p WHERE LOWER(p.name) = LOWER(codebases.name)) FROM codebases`

// codebaseConds returns the conditions on codebases of f: its name (in
// any case), owner, host and contribution policy, and whether they are
// gone.
func codebaseConds(f tandem.CodebaseFilter) conds {
	var c conds
	if f.Name != "" {
		c.add("LOWER(name) = LOWER($%d)", f.Name)
	}
	addSet(&c, "owner", f.Owner)
	addSet(&c, "host", f.Host)
	addSet(&c, "contributions", f.Contributions)
	switch {
	case f.Gone:
		c.addPlain("gone_at IS NOT NULL")
	case f.Name == "":
		c.addPlain("gone_at IS NULL")
	}
	return c
}

// withUndiscovered reports whether f selects the Codebase documents that
// name no discovered codebase too.
func withUndiscovered(f tandem.CodebaseFilter) bool {
	return f.Declared && !f.Gone && f.Owner == "" && f.Host == "" && f.Contributions == ""
}

// findCodebasePage returns the page f asks for: the first f.Limit
// codebases whose name sorts after f.After, with the Codebase documents
// that name none when f selects them too, sorted as the database sorts
// text so that the next page starts after the last. It reads that page
// alone: the page's names, then its codebases and documents between the
// two names that bound it.
func findCodebasePage(ctx context.Context, tx *sql.Tx, f tandem.CodebaseFilter) ([]tandem.Codebase, error) {
	c := codebaseConds(f)
	c.add("name > $%d", f.After)
	if !withUndiscovered(f) {
		c.args = append(c.args, f.Limit)
		return queryRows(ctx, tx, scanCodebase, codebaseSelect+c.where()+fmt.Sprintf(" ORDER BY name LIMIT $%d", len(c.args)), c.args...)
	}
	args := slices.Concat(c.args, []any{f.Limit})
	lim := len(args)
	names, err := column[string](ctx, tx, fmt.Sprintf(`SELECT name FROM (SELECT name FROM codebases%s ORDER BY name LIMIT $%d) found
		UNION ALL
		SELECT name FROM (SELECT name FROM codebase_policies p WHERE %s AND p.name > $%d ORDER BY name LIMIT $%d) declared
		ORDER BY name LIMIT $%d`, c.where(), lim, undiscovered, len(c.args), lim, lim), args...)
	if err != nil || len(names) == 0 {
		return []tandem.Codebase{}, err
	}
	c.add("name <= $%d", names[len(names)-1])
	cs, err := queryRows(ctx, tx, scanCodebase, codebaseSelect+c.where(), c.args...)
	if err != nil {
		return nil, err
	}
	declared, err := queryUndiscovered(ctx, tx, " AND p.name > $1 AND p.name <= $2", f.After, names[len(names)-1])
	if err != nil {
		return nil, err
	}
	byName := map[string]tandem.Codebase{}
	for _, cb := range slices.Concat(cs, declared) {
		byName[cb.Name] = cb
	}
	page := make([]tandem.Codebase, len(names))
	for i, name := range names {
		page[i] = byName[name]
	}
	return page, nil
}

// scanCodebase reads a codebase from a row of findCodebases.
func scanCodebase(rows *sql.Rows) (tandem.Codebase, error) {
	var c tandem.Codebase
	var owner sql.NullString
	var trusted, ownership, problems string
	var scanned, gone sql.NullTime
	var autoMerge sql.NullBool
	if err := rows.Scan(&c.Name, &c.Host, &c.DefaultBranch, &c.Head, &owner, &c.OwnerSource,
		&c.Contributions, &trusted, &ownership, &problems, &scanned, &c.Location, &gone, &autoMerge); err != nil {
		return c, err
	}
	c.GoneAt = timePtr(gone)
	if owner.Valid {
		c.Owner = &owner.String
	}
	c.AutoMerge = autoMerge.Bool
	if scanned.Valid {
		t := scanned.Time.UTC()
		c.ScannedAt = &t
	}
	err := decodeAll([]string{trusted, ownership, problems}, &c.Trusted, &c.Ownership, &c.Problems)
	c.Problems = nonNil(c.Problems)
	return c, err
}

// sameName returns, of codebases whose names equal name but for case,
// the one named exactly name, or else the only one; EINVALID when
// several differ from name only in case.
func sameName(cs []tandem.Codebase, name string) ([]tandem.Codebase, error) {
	for _, c := range cs {
		if c.Name == name {
			return []tandem.Codebase{c}, nil
		}
	}
	if len(cs) > 1 {
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = c.Name
		}
		slices.Sort(names)
		return nil, tandem.Errorf(tandem.EINVALID, "codebase %q: %s differ only in case: name one exactly", name, strings.Join(names, " and "))
	}
	return cs, nil
}

// undiscoveredPolicies returns the Codebase documents that name no
// discovered codebase (only the one naming name, in any case, when name
// is set), as codebases without a host whose problem says where the
// document was declared.
func undiscoveredPolicies(ctx context.Context, tx *sql.Tx, name string) ([]tandem.Codebase, error) {
	if name != "" {
		return queryUndiscovered(ctx, tx, " AND LOWER(p.name) = LOWER($1)", name)
	}
	return queryUndiscovered(ctx, tx, "")
}

// undiscovered is the condition on a Codebase document (p) that names no
// discovered codebase.
const undiscovered = "NOT EXISTS (SELECT 1 FROM codebases c WHERE LOWER(c.name) = LOWER(p.name))"

// queryUndiscovered returns the Codebase documents that name no
// discovered codebase and meet cond (" AND …", or ""), as
// undiscoveredPolicies does.
func queryUndiscovered(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]tandem.Codebase, error) {
	return queryRows(ctx, tx, func(rows *sql.Rows) (c tandem.Codebase, err error) {
		var trusted string
		p := tandem.Problem{Message: tandem.UndiscoveredCodebase}
		if err := rows.Scan(&c.Name, &c.Contributions, &trusted, &p.File, &p.Line); err != nil {
			return c, err
		}
		c.Problems = []tandem.Problem{p}
		return c, decode(trusted, &c.Trusted)
	}, "SELECT name, contributions, trusted, declared_file, declared_line FROM codebase_policies p WHERE "+undiscovered+cond, args...)
}

// platformOwner returns the team that owns platform; EINVALID when
// there is no such platform.
func platformOwner(ctx context.Context, tx *sql.Tx, platform string) (string, error) {
	var owner string
	err := tx.QueryRowContext(ctx, "SELECT owner FROM platforms WHERE name = $1", platform).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound(tandem.EINVALID, "platform", platform)
	}
	return owner, err
}
