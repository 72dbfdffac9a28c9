package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tandem-dev/tandem"
)

// public are the paths anyone may read without a token when anonymous
// reads are off: health, metrics, signed webhooks, sign-in and assets.
func public(path string) bool {
	return path == "/healthz" || path == "/metrics" ||
		path == "/signin" || path == "/signin/oidc" || path == "/signin/oidc/callback" ||
		strings.HasPrefix(path, "/api/v1/hooks/") || strings.HasPrefix(path, "/static/")
}

// rule decides whether a token that is neither an admin's nor a viewer's
// may make a request.
type rule func(s *Server, r *http.Request, who tandem.Token) (bool, error)

// allow guards a handler that changes something: a token is needed, a
// viewer's changes nothing, an admin's does anything, and any other must
// pass the rule.
func (s *Server) allow(rl rule, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, ok := tokenOf(r)
		if !ok {
			s.fail(w, r, tandem.Errorf(tandem.EUNAUTHENTICATED, "sign in first: this needs a token (tandem token create; the CLI reads TANDEM_TOKEN)"))
			return
		}
		if who.Role != tandem.RoleAdmin {
			ok := false
			var err error
			if who.Role != tandem.RoleViewer && rl != nil {
				ok, err = rl(s, r, who)
			}
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if !ok {
				s.fail(w, r, tandem.Errorf(tandem.EFORBIDDEN, "%s's %s token may not %s %s", who.Person, who.Role, r.Method, r.URL.Path))
				return
			}
		}
		h(w, r)
	}
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
func adminOnly(*Server, *http.Request, tandem.Token) (bool, error) { return false, nil }

// member lets any team-member or platform-owner through: the store checks
// that the person acts for a team the change concerns.
func member(*Server, *http.Request, tandem.Token) (bool, error) { return true, nil }

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
func platformOwner(platform func(s *Server, r *http.Request) (string, error)) rule {
	return func(s *Server, r *http.Request, who tandem.Token) (bool, error) {
		if who.Role != tandem.RolePlatformOwner {
			return false, nil
		}
		return inPlatformTeam(platform)(s, r, who)
	}
}

// inPlatformTeam lets through a member of the team that owns the platform
// the request names.
func inPlatformTeam(platform func(s *Server, r *http.Request) (string, error)) rule {
	return func(s *Server, r *http.Request, who tandem.Token) (bool, error) {
		name, err := platform(s, r)
		if err != nil || name == "" {
			return false, err
		}
		ps, err := s.store.FindPlatforms(r.Context(), name)
		if err != nil {
			return false, err
		}
		teams, err := s.teamsOf(r.Context(), who.Person)
		return slices.Contains(teams, ps[0].Owner), err
	}
}

// inCodebaseTeam lets through a member of the team that owns the codebase
// the request names.
func inCodebaseTeam(codebase func(r *http.Request) string) rule {
	return func(s *Server, r *http.Request, who tandem.Token) (bool, error) {
		name := codebase(r)
		if name == "" {
			return false, nil
		}
		cbs, err := s.store.FindCodebases(r.Context(), tandem.CodebaseFilter{Name: name})
		if err != nil || len(cbs) == 0 || cbs[0].Owner == nil {
			return false, err
		}
		teams, err := s.teamsOf(r.Context(), who.Person)
		return slices.Contains(teams, *cbs[0].Owner), err
	}
}

// anyOf lets through what any of the rules does.
func anyOf(rules ...rule) rule {
	return func(s *Server, r *http.Request, who tandem.Token) (bool, error) {
		for _, rl := range rules {
			if ok, err := rl(s, r, who); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
}

// migrationPlatform is the platform of the migration in the path.
func migrationPlatform(s *Server, r *http.Request) (string, error) {
	ms, err := s.store.FindMigrations(r.Context(), r.PathValue("name"))
	if err != nil {
		return "", err
	}
	return ms[0].Platform, nil
}

// pathPlatform is the platform in the path.
func pathPlatform(_ *Server, r *http.Request) (string, error) { return r.PathValue("name"), nil }

// pathName is the {name} in the path.
func pathName(r *http.Request) string { return r.PathValue("name") }

// bodyPlatform is the platform a JSON body or form names.
func bodyPlatform(_ *Server, r *http.Request) (string, error) { return field(r, "platform"), nil }

// bodyCodebase is the codebase a JSON body or form names.
func bodyCodebase(r *http.Request) string { return field(r, "codebase") }

// field returns a string field of a request's JSON body, leaving the body
// to be read again by the handler, or a form value.
func field(r *http.Request, name string) string {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return r.FormValue(name)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxHookBytes))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	v, _ := m[name].(string)
	return v
}

// actor returns who a change is recorded under: the token's person. An
// admin may act for someone else by naming them; anyone else naming
// another person is refused.
func actor(r *http.Request, claimed string) (string, error) {
	who, ok := tokenOf(r)
	switch {
	case !ok:
		return claimed, nil
	case claimed == "" || claimed == who.Person:
		return who.Person, nil
	case who.Role == tandem.RoleAdmin:
		return claimed, nil
	}
	return "", tandem.Errorf(tandem.EFORBIDDEN, "the token is %s's: it cannot act as %s", who.Person, claimed)
}

// contributionCodebaseTeam lets through the team owning the codebase of
// the contribution in the path.
func contributionCodebaseTeam(s *Server, r *http.Request, who tandem.Token) (bool, error) {
	xs, err := s.store.FindContributions(r.Context(), "")
	if err != nil {
		return false, err
	}
	for _, x := range xs {
		if r.PathValue("id") == strconv.FormatInt(x.ID, 10) {
			return inCodebaseTeam(func(*http.Request) string { return x.Codebase })(s, r, who)
		}
	}
	return false, tandem.Errorf(tandem.ENOTFOUND, "contribution %q not found", r.PathValue("id"))
}

// inBodyTeams lets through a member of any team the request's body names
// in the given fields.
func inBodyTeams(fields ...string) rule {
	return func(s *Server, r *http.Request, who tandem.Token) (bool, error) {
		teams, err := s.teamsOf(r.Context(), who.Person)
		if err != nil {
			return false, err
		}
		for _, f := range fields {
			if v := field(r, f); v != "" && slices.Contains(teams, v) {
				return true, nil
			}
		}
		return false, nil
	}
}

// bodyNamesSelf lets through a person the request's body names in field.
func bodyNamesSelf(f string) rule {
	return func(s *Server, r *http.Request, who tandem.Token) (bool, error) {
		return field(r, f) == who.Person, nil
	}
}
