package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-dev/tandem"
)

// Actions Apply reports.
const (
	created    = "created"
	configured = "configured"
	unchanged  = "unchanged"
)

// Apply creates or updates every object in one transaction, then resolves
// the owner of every codebase again. It returns EINVALID with every
// located problem, and writes nothing, when a reference names a team,
// person or codebase that is neither stored nor in objs.
func (db *DB) Apply(ctx context.Context, objs []tandem.Object) ([]tandem.Applied, error) {
	var applied []tandem.Applied
	err := db.inTx(ctx, "apply", func(tx *sql.Tx) error {
		specs, err := checkObjects(ctx, tx, objs)
		if err != nil {
			return err
		}
		applied = make([]tandem.Applied, 0, len(objs))
		now := time.Now().UTC()
		resolveAgain := false
		for i, o := range objs {
			if err := nameCodebases(ctx, tx, specs[i]); err != nil {
				return err
			}
			action, err := upsert(ctx, tx, specs[i], now)
			if err != nil {
				return fmt.Errorf("%s %s: %w", o.Kind, o.Name, err)
			}
			if action != unchanged && (o.Kind == tandem.KindTeam || o.Kind == tandem.KindCodebase) {
				resolveAgain = true
			}
			a := tandem.Applied{Kind: o.Kind, Name: o.Name, Action: action}
			if _, ok := specs[i].(*tandem.CodebasePolicy); ok {
				if a.Warning, err = declarePolicy(ctx, tx, o); err != nil {
					return err
				}
			}
			applied = append(applied, a)
		}
		if resolveAgain {
			return resolveAll(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// CheckApply returns EINVALID with every problem Apply would refuse objs
// for (a reference neither stored nor in objs, a support model changed by
// apply), and writes nothing. It checks objects that failed to decode
// too, so that a submission's problems are reported at once.
func (db *DB) CheckApply(ctx context.Context, objs []tandem.Object) error {
	return db.readTx(ctx, "check apply", func(tx *sql.Tx) error {
		_, err := checkObjects(ctx, tx, objs)
		return err
	})
}

// checkObjects returns each object's spec, named after its object, or
// EINVALID with every reference that is neither stored nor in objs.
func checkObjects(ctx context.Context, tx *sql.Tx, objs []tandem.Object) ([]any, error) {
	specs, k, problems := namedSpecs(objs)
	for i, o := range objs {
		if t, ok := specs[i].(*tandem.Team); ok && t.Tracker.Host != "" {
			if p := trackerHost(ctx, tx, objs, t.Tracker); p != "" {
				problems = append(problems, o.At("spec.tracker.host", "%s", p))
			}
		}
		if p, ok := specs[i].(*tandem.Platform); ok {
			var current string
			err := tx.QueryRowContext(ctx, "SELECT support FROM platforms WHERE name = $1", p.Name).Scan(&current)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			if err == nil && tandem.SupportModel(current) != p.Support {
				problems = append(problems, o.At("spec.support", "%s's support model is %s: change it with an announcement (tandem platform support %s --to %s), not by apply",
					p.Name, tandem.SupportModel(current).OrNone(), p.Name, p.Support.OrNone()))
			}
		}
		for _, r := range k.refs(specs[i]) {
			if r.name == "" {
				continue // a required name left out, which decoding reports
			}
			ok, err := r.ok(ctx, tx, r.name)
			if err != nil {
				return nil, err
			}
			if !ok {
				problems = append(problems, o.At(r.field, "%s %q not found", r.what, r.name))
			}
		}
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return specs, nil
}

// namedSpecs returns each object's spec, named after its object (nil
// for a spec of an unknown type, which is a problem), and the names objs
// declare.
func namedSpecs(objs []tandem.Object) ([]any, known, tandem.Problems) {
	k := known{"teams": {}, "people": {}, "codebase_policies": {}, "platforms": {}}
	specs := make([]any, len(objs))
	var problems tandem.Problems
	for i, o := range objs {
		spec, ok := named(o)
		if !ok {
			problems = append(problems, o.At("spec", "unsupported %s spec %T", o.Kind, o.Spec))
			continue
		}
		specs[i] = spec
		switch s := spec.(type) {
		case *tandem.Team:
			k["teams"][o.Name] = true
			for _, m := range s.Members {
				k["people"][m] = true // a team's members are people
			}
		case *tandem.Person:
			k["people"][o.Name] = true
		case *tandem.CodebasePolicy:
			k["codebase_policies"][policyKey(o.Name)] = true
		case *tandem.Platform:
			k["platforms"][o.Name] = true
		}
	}
	return specs, k, problems
}

// known holds the names a batch of objects declares, by table: a name
// referred to is known when the batch declares it or it is stored.
// Codebase documents name codebases in any case: known keys them by
// policyKey.
type known map[string]map[string]bool

// ref is a name a spec refers to, at field, and how to tell that it is
// known.
type ref struct {
	field, name, what string
	ok                func(ctx context.Context, tx *sql.Tx, name string) (bool, error)
}

// refs returns the names spec refers to.
func (k known) refs(spec any) []ref {
	var refs []ref
	switch s := spec.(type) {
	case *tandem.Person:
		for j, t := range s.Teams {
			refs = append(refs, ref{fmt.Sprintf("spec.teams[%d]", j), t, "team", k.team})
		}
	case *tandem.CodebasePolicy:
		if s.Owner != "" {
			refs = append(refs, ref{"spec.owner", s.Owner, "team", k.team})
		}
		for j, t := range s.Trusted {
			refs = append(refs, ref{fmt.Sprintf("spec.trusted[%d]", j), t, "team or person", k.teamOrPerson})
		}
	case *tandem.Platform:
		if s.Owner != "" {
			refs = append(refs, ref{"spec.owner", s.Owner, "team", k.team})
		}
		for j, c := range s.Codebases {
			refs = append(refs, ref{fmt.Sprintf("spec.codebases[%d]", j), c, "codebase", k.codebase})
		}
	case *tandem.Migration:
		refs = append(refs, ref{"spec.platform", s.Platform, "platform", k.platform})
	}
	return refs
}

// in reports whether name is in the batch or stored in table.
func (k known) in(ctx context.Context, tx *sql.Tx, table, name string) (bool, error) {
	if k[table][name] {
		return true, nil
	}
	return exists(ctx, tx, table, name)
}

// team reports whether name is a team.
func (k known) team(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	return k.in(ctx, tx, "teams", name)
}

// platform reports whether name is a platform.
func (k known) platform(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	return k.in(ctx, tx, "platforms", name)
}

// teamOrPerson reports whether name is a team, a person declared, or a
// person a team lists.
func (k known) teamOrPerson(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	if ok, err := k.in(ctx, tx, "teams", name); ok || err != nil {
		return ok, err
	}
	if ok, err := k.in(ctx, tx, "people", name); ok || err != nil {
		return ok, err
	}
	return anyRow(ctx, tx, "SELECT 1 FROM memberships WHERE person = $1", name)
}

// codebase reports whether name, in any case, is a codebase discovered
// or declared.
func (k known) codebase(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	if k["codebase_policies"][policyKey(name)] {
		return true, nil
	}
	return anyRow(ctx, tx, `SELECT 1 FROM codebases WHERE LOWER(name) = LOWER($1)
		UNION ALL SELECT 1 FROM codebase_policies WHERE LOWER(name) = LOWER($2)`, name, name)
}

// trackerHost says what is wrong with a tracker's code host reference, or
// "" when it names a code host, stored or in objs, of the tracker's type.
func trackerHost(ctx context.Context, tx *sql.Tx, objs []tandem.Object, t tandem.Tracker) string {
	typ := ""
	for _, o := range objs {
		if h, ok := o.Spec.(*tandem.CodeHost); ok && o.Name == t.Host {
			typ = h.Type
		}
	}
	if typ == "" {
		err := tx.QueryRowContext(ctx, "SELECT type FROM codehosts WHERE name = $1", t.Host).Scan(&typ)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Sprintf("code host %q not found", t.Host)
		case err != nil:
			return err.Error()
		}
	}
	if typ != t.Type {
		return fmt.Sprintf("code host %q is %s, not a %s tracker", t.Host, typ, t.Type)
	}
	return ""
}

// nameCodebases makes the codebase names of a spec the stored ones: a
// Codebase document takes over the stored document of its name in any
// case (under the name it now spells), and a Platform lists each
// discovered codebase as a scan spelled it.
func nameCodebases(ctx context.Context, tx *sql.Tx, spec any) error {
	switch s := spec.(type) {
	case *tandem.CodebasePolicy:
		_, err := tx.ExecContext(ctx, "UPDATE codebase_policies SET name = $1 WHERE LOWER(name) = LOWER($2) AND name <> $3",
			s.Name, s.Name, s.Name)
		return err
	case *tandem.Platform:
		for i, c := range s.Codebases {
			found, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: c})
			if err != nil {
				return err
			}
			if len(found) == 1 {
				s.Codebases[i] = found[0].Name
			}
		}
	}
	return nil
}

// declarePolicy records where the Codebase document o was declared, and
// returns a warning, located at its name, when it names no codebase that
// a scan found.
func declarePolicy(ctx context.Context, tx *sql.Tx, o tandem.Object) (string, error) {
	w := o.At("metadata.name", "no scan has found a codebase %q (in any case) yet: the document applies once one does", o.Name)
	if _, err := tx.ExecContext(ctx, "UPDATE codebase_policies SET declared_file = $1, declared_line = $2 WHERE name = $3",
		w.File, w.Line, o.Name); err != nil {
		return "", err
	}
	found, err := anyRow(ctx, tx, "SELECT 1 FROM codebases WHERE LOWER(name) = LOWER($1)", o.Name)
	if err != nil || found {
		return "", err
	}
	return w.String(), nil
}

// named returns a copy of o's spec named o.Name, with nil lists made
// empty so that equal specs have equal JSON, and false for a spec of an
// unknown type.
func named(o tandem.Object) (any, bool) {
	switch s := o.Spec.(type) {
	case *tandem.Team:
		if s == nil {
			return nil, false
		}
		t := *s
		t.Name, t.Members, t.Aliases = o.Name, nonNil(t.Members), nonNil(t.Aliases)
		return &t, true
	case *tandem.Person:
		if s == nil {
			return nil, false
		}
		p := *s
		p.Handle, p.Teams = o.Name, nonNil(p.Teams)
		return &p, true
	case *tandem.CodeHost:
		if s == nil {
			return nil, false
		}
		h := *s
		h.Name = o.Name
		return &h, true
	case *tandem.CodebasePolicy:
		if s == nil {
			return nil, false
		}
		p := *s
		p.Name = o.Name
		return &p, true
	case *tandem.Platform:
		if s == nil {
			return nil, false
		}
		p := *s
		p.Name, p.Codebases, p.Docs, p.Community = o.Name, nonNil(p.Codebases), nonNil(p.Docs), nonNil(p.Community)
		return &p, true
	case *tandem.Migration:
		if s == nil {
			return nil, false
		}
		m := *s
		m.Name = o.Name
		return &m, true
	}
	return nil, false
}

// exists reports whether table has a row whose key is name. Tables are
// this package's constants, never input.
func exists(ctx context.Context, tx *sql.Tx, table, name string) (bool, error) {
	key := "name"
	if table == "people" {
		key = "handle"
	}
	return anyRow(ctx, tx, "SELECT 1 FROM "+table+" WHERE "+key+" = $1", name)
}

// action returns what writing spec as JSON to table's row name does:
// created, configured or unchanged.
func action(ctx context.Context, tx *sql.Tx, table, key, name, spec string) (string, error) {
	var prev string
	err := tx.QueryRowContext(ctx, "SELECT spec_json FROM "+table+" WHERE "+key+" = $1", name).Scan(&prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return created, nil
	case err != nil:
		return "", err
	case prev == spec:
		return unchanged, nil
	}
	return configured, nil
}

// upsert writes one named spec unless it is unchanged and returns the
// action taken.
func upsert(ctx context.Context, tx *sql.Tx, spec any, now time.Time) (string, error) {
	js := encode(spec)
	var table, key, name, query string
	var args []any
	switch s := spec.(type) {
	case *tandem.Team:
		table, key, name = "teams", "name", s.Name
		query = `INSERT INTO teams (name, type, members, aliases, tracker, chat, spec_json, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (name) DO UPDATE SET type = excluded.type, members = excluded.members,
				aliases = excluded.aliases, tracker = excluded.tracker, chat = excluded.chat,
				spec_json = excluded.spec_json, updated_at = excluded.updated_at`
		args = []any{s.Name, string(s.Type), encode(s.Members), encode(s.Aliases), encode(s.Tracker), encode(s.Chat), js, now, now}
	case *tandem.Person:
		table, key, name = "people", "handle", s.Handle
		query = `INSERT INTO people (handle, name, email, teams, spec_json, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (handle) DO UPDATE SET name = excluded.name, email = excluded.email,
				teams = excluded.teams, spec_json = excluded.spec_json, updated_at = excluded.updated_at`
		args = []any{s.Handle, s.Name, s.Email, encode(s.Teams), js, now, now}
	case *tandem.CodeHost:
		table, key, name = "codehosts", "name", s.Name
		query = `INSERT INTO codehosts (name, type, path, url, org, token, webhook_secret, archived, forks, spec_json, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (name) DO UPDATE SET type = excluded.type, path = excluded.path, url = excluded.url, org = excluded.org,
				token = excluded.token, webhook_secret = excluded.webhook_secret, archived = excluded.archived, forks = excluded.forks,
				spec_json = excluded.spec_json, updated_at = excluded.updated_at`
		args = []any{s.Name, s.Type, s.Path, s.URL, s.Org, s.Token, s.WebhookSecret, s.Archived, s.Forks, js, now, now}
	case *tandem.CodebasePolicy:
		table, key, name = "codebase_policies", "name", s.Name
		query = `INSERT INTO codebase_policies (name, owner, contributions, trusted, auto_merge, spec_json, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, contributions = excluded.contributions,
				trusted = excluded.trusted, auto_merge = excluded.auto_merge, spec_json = excluded.spec_json, updated_at = excluded.updated_at`
		args = []any{s.Name, s.Owner, s.Contributions, encode(s.Trusted), s.AutoMerge, js, now, now}
	case *tandem.Platform:
		table, key, name = "platforms", "name", s.Name
		query = `INSERT INTO platforms (name, owner, codebases, adoption, support, docs, support_notice, community, trust_ladder, spec_json, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, codebases = excluded.codebases,
				adoption = excluded.adoption, support = excluded.support, docs = excluded.docs,
				support_notice = excluded.support_notice, community = excluded.community, trust_ladder = excluded.trust_ladder,
				spec_json = excluded.spec_json, updated_at = excluded.updated_at`
		args = []any{s.Name, s.Owner, encode(s.Codebases), encode(s.Adoption), s.Support, encode(s.Docs), s.SupportNotice, encode(s.Community), s.TrustLadder, js, now, now}
	case *tandem.Migration:
		table, key, name = "migrations", "name", s.Name
		query = `INSERT INTO migrations (name, platform, spec_json, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name) DO UPDATE SET platform = excluded.platform,
				spec_json = excluded.spec_json, updated_at = excluded.updated_at`
		args = []any{s.Name, s.Platform, js, now, now}
	default:
		return "", fmt.Errorf("unsupported spec %T", spec)
	}
	act, err := action(ctx, tx, table, key, name, js)
	if err != nil || act == unchanged {
		return act, err
	}
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return "", err
	}
	switch s := spec.(type) {
	case *tandem.Team:
		err = replaceMemberships(ctx, tx, "team", s.Name, s.Members)
	case *tandem.Person:
		err = replaceMemberships(ctx, tx, "person", s.Handle, s.Teams)
	}
	return act, err
}

// replaceMemberships replaces the memberships a team (source "team") or a
// person (source "person") declares.
func replaceMemberships(ctx context.Context, tx *sql.Tx, source, name string, others []string) error {
	col, insert := "team", "INSERT INTO memberships (team, person, source) VALUES ($1, $2, 'team') ON CONFLICT DO NOTHING"
	if source == "person" {
		col, insert = "person", "INSERT INTO memberships (person, team, source) VALUES ($1, $2, 'person') ON CONFLICT DO NOTHING"
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM memberships WHERE "+col+" = $1 AND source = $2", name, source); err != nil {
		return err
	}
	for _, other := range others {
		if _, err := tx.ExecContext(ctx, insert, name, other); err != nil {
			return err
		}
	}
	return nil
}
