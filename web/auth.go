package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tandem-dev/tandem"
)

// public are the paths anyone may read without a token when anonymous
// reads are off: health, metrics, signed webhooks, sign-in and out, and
// assets.
func public(path string) bool {
	return path == "/healthz" || path == "/metrics" ||
		path == "/signin" || path == "/signout" || path == "/signin/oidc" || path == "/signin/oidc/callback" ||
		strings.HasPrefix(path, "/api/v1/hooks/") || strings.HasPrefix(path, "/static/")
}

// fail answers an error as JSON to the API and as a page to a browser.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeError(w, r, err)
		return
	}
	s.renderError(w, r, err)
}

// adminOnly lets admins alone through (they pass before any rule).
func adminOnly(*Server, *http.Request, tandem.Token, subject) (bool, error) { return false, nil }

// member lets any team-member or platform-owner through: the store checks
// that the person acts for a team the change concerns.
func member(*Server, *http.Request, tandem.Token, subject) (bool, error) { return true, nil }

// teamsOf returns the teams the catalog lists a person in.
func (s *Server) teamsOf(ctx context.Context, person string) ([]string, error) {
	people, err := s.store.FindPeople(ctx, person)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return people[0].Teams, nil
}

// platformOwner lets through a platform-owner of a team that owns the
// platform the request names.
func platformOwner(platform func(s *Server, r *http.Request, on subject) (string, error)) rule {
	return func(s *Server, r *http.Request, who tandem.Token, on subject) (bool, error) {
		if who.Role != tandem.RolePlatformOwner {
			return false, nil
		}
		return inPlatformTeam(platform)(s, r, who, on)
	}
}

// inPlatformTeam lets through a member of the team that owns the platform
// the request names.
func inPlatformTeam(platform func(s *Server, r *http.Request, on subject) (string, error)) rule {
	return func(s *Server, r *http.Request, who tandem.Token, on subject) (bool, error) {
		name, err := platform(s, r, on)
		if err != nil || name == "" {
			return false, err
		}
		ps, err := s.store.FindPlatforms(r.Context(), name)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		teams, err := s.teamsOf(r.Context(), who.Person)
		return tandem.MayAct(who.Person, teams, ps[0].Owner), err
	}
}

// inCodebaseTeam lets through a member of the team that owns the codebase
// the request names.
func inCodebaseTeam(codebase func(r *http.Request, on subject) string) rule {
	return func(s *Server, r *http.Request, who tandem.Token, on subject) (bool, error) {
		owner, err := s.codebaseOwner(r.Context(), codebase(r, on))
		if err != nil || owner == "" {
			return false, err
		}
		teams, err := s.teamsOf(r.Context(), who.Person)
		return tandem.MayAct(who.Person, teams, owner), err
	}
}

// codebaseOwner returns the team owning a codebase, or the part of one a
// target address names (tandem.PartOwner): "" when it has none or there
// is no such codebase.
func (s *Server) codebaseOwner(ctx context.Context, address string) (string, error) {
	name, part := tandem.ParseTargetAddress(address)
	if name == "" {
		return "", nil
	}
	cbs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: name})
	if err != nil || len(cbs) == 0 {
		return "", err
	}
	return tandem.PartOwner(cbs[0], part), nil
}

// anyOf lets through what any of the rules does.
func anyOf(rules ...rule) rule {
	return func(s *Server, r *http.Request, who tandem.Token, on subject) (bool, error) {
		for _, rl := range rules {
			if ok, err := rl(s, r, who, on); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
}

// migrationPlatform is the platform of the migration in the path.
func migrationPlatform(s *Server, r *http.Request, _ subject) (string, error) {
	ms, err := s.store.FindMigrations(r.Context(), r.PathValue("name"))
	if err != nil {
		return "", err
	}
	return ms[0].Platform, nil
}

// pathPlatform is the platform in the path.
func pathPlatform(_ *Server, r *http.Request, _ subject) (string, error) {
	return r.PathValue("name"), nil
}

// pathName is the {name} in the path.
func pathName(r *http.Request, _ subject) string { return r.PathValue("name") }

// itsPlatform is the platform the input names.
func itsPlatform(_ *Server, _ *http.Request, on subject) (string, error) { return on.Platform, nil }

// itsCodebase is the codebase the input names.
func itsCodebase(_ *http.Request, on subject) string { return on.Codebase }

// inItsTeams lets through a member of any team the input names.
func inItsTeams(s *Server, r *http.Request, who tandem.Token, on subject) (bool, error) {
	teams, err := s.teamsOf(r.Context(), who.Person)
	return tandem.MayAct(who.Person, teams, on.Teams...), err
}

// namesSelf lets through the person the input is about.
func namesSelf(_ *Server, _ *http.Request, who tandem.Token, on subject) (bool, error) {
	return on.Person != "" && on.Person == who.Person, nil
}

// contributionCodebaseTeam lets through the team owning the codebase of
// the contribution in the path.
func contributionCodebaseTeam(s *Server, r *http.Request, who tandem.Token, on subject) (bool, error) {
	xs, err := s.store.FindContributions(r.Context(), "")
	if err != nil {
		return false, err
	}
	for _, x := range xs {
		if r.PathValue("id") == strconv.FormatInt(x.ID, 10) {
			return inCodebaseTeam(itsCodebase)(s, r, who, subject{Codebase: x.Codebase})
		}
	}
	return false, tandem.Errorf(tandem.ENOTFOUND, "contribution %q not found", r.PathValue("id"))
}

// actor returns who a change is recorded under: the token's person. An
// admin may act for someone else by naming a person of the catalog who
// is in one of teams, the side that makes the change (any team when none
// is given); anyone else naming another person is refused.
func (s *Server) actor(r *http.Request, claimed string, teams ...string) (string, error) {
	who, ok := tokenOf(r)
	switch {
	case !ok:
		return claimed, nil
	case claimed == "" || claimed == who.Person:
		return who.Person, nil
	case who.Role != tandem.RoleAdmin:
		return "", tandem.Errorf(tandem.EFORBIDDEN, "the token is %s's: it cannot act as %s", who.Person, claimed)
	}
	theirs, err := s.store.FindPeople(r.Context(), claimed)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return "", tandem.Errorf(tandem.EINVALID, "by: %q is no person of the catalog", claimed)
	}
	if err != nil {
		return "", err
	}
	teams = slices.DeleteFunc(slices.Clone(teams), func(t string) bool { return t == "" })
	if len(teams) > 0 && !tandem.MayAct(claimed, theirs[0].Teams, teams...) {
		return "", tandem.Errorf(tandem.EFORBIDDEN, "by: %s is not in %s: name a person of the team that makes this change", claimed, strings.Join(teams, " or "))
	}
	return claimed, nil
}
