package tandem

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Roles a token gives its holder. Team-members act for the teams the
// catalog lists them in; platform-owners also run the campaigns, support
// model and sessions of the platforms those teams own.
const (
	RoleAdmin         = "admin"          // everything, the catalog and tokens included
	RolePlatformOwner = "platform-owner" // their teams' platforms, and what team-members do
	RoleTeamMember    = "team-member"    // their teams' tickets, exemptions, requests, engagements
	RoleViewer        = "viewer"         // reads only
	// RoleCI pushes the results of checks of source CI for the one
	// codebase its token is bound to (Token.Codebase), and does nothing
	// else: not even read.
	RoleCI = "ci"
)

// Roles lists the roles of people from the most to the least powerful;
// RoleCI, a machine's, is of another kind and not among them.
var Roles = []string{RoleAdmin, RolePlatformOwner, RoleTeamMember, RoleViewer}

// ValidRole reports whether role is one of Roles or RoleCI.
func ValidRole(role string) bool { return slices.Contains(Roles, role) || role == RoleCI }

// MayAct reports whether person may change what concerns teams: a
// person named, and a member of one of teams (theirs lists the teams the
// catalog puts them in; an empty team name is nobody's). The teams are
// those the change concerns: a request's asking team and its platform's
// owner team, an engagement's home and host teams, the owner team of a
// platform's support model or of a codebase's trusted list.
//
// A role says what kind of change a token's holder may ask for (the web
// layer's rules); MayAct says for which teams, and the store asks it of
// whoever a change is recorded under. An admin is no exception: they act
// for a team by naming one of its members.
func MayAct(person string, theirs []string, teams ...string) bool {
	if person == "" {
		return false
	}
	for _, team := range teams {
		if team != "" && slices.Contains(theirs, team) {
			return true
		}
	}
	return false
}

// MayLogWork reports whether person may log hours on engagement e: the
// person engaged, or whoever may act for its home or host team (MayAct).
func MayLogWork(person string, theirs []string, e Engagement) bool {
	return person == e.Person || MayAct(person, theirs, e.HomeTeam, e.HostTeam)
}

// NotActing returns the EFORBIDDEN refusal of person, who may not act
// for any of teams (MayAct), changing what: it says how to act as one of
// their members.
func NotActing(person, what string, teams ...string) error {
	teams = slices.DeleteFunc(slices.Clone(teams), func(t string) bool { return t == "" })
	in := "not in " + strings.Join(teams, "") + ", the team"
	if len(teams) > 1 {
		in = "in neither " + strings.Join(teams[:len(teams)-1], ", ") + " nor " + teams[len(teams)-1] + ", the teams"
	}
	if person == "" {
		person = "nobody named"
	}
	return Errorf(EFORBIDDEN, "%s is %s that may change %s: act as a member with --by NAME (an admin's token may name one), or use a member's token",
		person, in, what)
}

// Token is a personal API token: whose it is and what it lets them do. Its
// secret is shown once, when it is created; the store keeps its hash.
type Token struct {
	ID     int64  `json:"id"`
	Person string `json:"person"`
	Role   string `json:"role"`
	// Label says what the token is for ("CI", "laptop").
	Label string `json:"label,omitempty"`
	// Codebase is the one codebase a ci token may push results for; ""
	// for every other role.
	Codebase   string     `json:"codebase,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// ExpiresAt ends a token by itself, like a revocation; nil for never.
	// Sign-ins through an identity provider get one.
	ExpiresAt *time.Time `json:"expires_at"`
}

// MayPushResults reports whether the token's holder may push CI results
// for codebase: an admin, or a ci token bound to that very codebase. The
// route's guard and the handler both go by it and the codebase in the
// path, so that they cannot read different fields.
func (t Token) MayPushResults(codebase string) bool {
	return t.Role == RoleAdmin || t.Role == RoleCI && t.Codebase != "" && t.Codebase == codebase
}

// TokenPrefix starts every token secret, so that secret scanners and
// people recognise one.
const TokenPrefix = "tdm_"

// NewTokenSecret returns a new random token secret.
func NewTokenSecret() string { return TokenPrefix + rand.Text() }

// HashToken returns the hash a token is stored and looked up by. Secrets
// are 128 random bits, so a plain SHA-256 is enough: nothing to guess.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SessionLifetime is how long a browser stays signed in after signing in
// with a token: an absolute limit, not renewed by use. A sign-in through
// an identity provider ends sooner, with the token it creates.
const SessionLifetime = 30 * 24 * time.Hour

// NewSessionID returns a new random browser session id: 256 bits, so
// that, like a token's secret, its plain SHA-256 (HashToken) is what is
// stored.
func NewSessionID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: crypto/rand panics instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenStore keeps API tokens by their hash, and the browser sessions
// signed in with them.
type TokenStore interface {
	// CreateToken records a token with the hash of its secret.
	CreateToken(ctx context.Context, t Token, hash string) (Token, error)
	// Authenticate returns the live token whose secret has hash, noting
	// when it was used; ENOTFOUND for an unknown, revoked or expired one.
	Authenticate(ctx context.Context, hash string, now time.Time) (Token, error)
	FindTokens(ctx context.Context) ([]Token, error)
	// RevokeToken ends a token and every browser session signed in with
	// it; ENOTFOUND when missing.
	RevokeToken(ctx context.Context, id int64, now time.Time) (Token, error)

	// CreateWebSession records a browser session by the hash of its id,
	// bound to a token, until expires (no later than the token's own
	// expiry); ENOTFOUND when the token is not live.
	CreateWebSession(ctx context.Context, hash string, tokenID int64, expires time.Time) error
	// AuthenticateWebSession returns the token of the live browser session
	// whose id has hash, noting its use; ENOTFOUND for an unknown or
	// expired session, or one whose token is revoked or expired.
	AuthenticateWebSession(ctx context.Context, hash string, now time.Time) (Token, error)
	// DeleteWebSession ends a browser session; ending an unknown one
	// changes nothing.
	DeleteWebSession(ctx context.Context, hash string) error
}
