package sqlstore_test

import (
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestTokens creates, authenticates and revokes tokens on every engine.
func TestTokens(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlstore.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			objs, err := manifest.Decode([]manifest.Source{{Name: "c.yaml", Data: []byte("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: payments}\nspec: {type: stream-aligned, members: [alice]}\n")}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Apply(ctx, objs); err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateToken(ctx, tandem.Token{Person: "mallory", Role: tandem.RoleTeamMember}, "h0"); tandem.ErrorCode(err) != tandem.EINVALID {
				t.Errorf("a team-member token for someone not in the catalog: %v, want EINVALID", err)
			}
			if _, err := db.CreateToken(ctx, tandem.Token{Person: "alice", Role: "owner"}, "h0"); tandem.ErrorCode(err) != tandem.EINVALID {
				t.Errorf("an unknown role: %v, want EINVALID", err)
			}
			tok, err := db.CreateToken(ctx, tandem.Token{Person: "alice", Role: tandem.RoleTeamMember, Label: "laptop"}, "h1")
			if err != nil || tok.ID == 0 {
				t.Fatalf("CreateToken = %+v, %v", tok, err)
			}
			at := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
			got, err := db.Authenticate(ctx, "h1", at)
			if err != nil || got.Person != "alice" || got.Role != tandem.RoleTeamMember || got.LastUsedAt == nil || !got.LastUsedAt.Equal(at) {
				t.Fatalf("Authenticate = %+v, %v", got, err)
			}
			if got, _ := db.Authenticate(ctx, "h1", at.Add(30*time.Second)); !got.LastUsedAt.Equal(at) {
				t.Errorf("a use within the minute was written: last used %v", got.LastUsedAt)
			}
			if _, err := db.Authenticate(ctx, "h2", at); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("an unknown hash: %v, want ENOTFOUND", err)
			}
			if r, err := db.RevokeToken(ctx, tok.ID, at); err != nil || r.RevokedAt == nil {
				t.Fatalf("RevokeToken = %+v, %v", r, err)
			}
			if _, err := db.Authenticate(ctx, "h1", at); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("a revoked token: %v, want ENOTFOUND", err)
			}
			if _, err := db.RevokeToken(ctx, 99, at); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("revoking a missing token: %v, want ENOTFOUND", err)
			}
			if ts, err := db.FindTokens(ctx); err != nil || len(ts) != 1 || ts[0].Label != "laptop" {
				t.Errorf("FindTokens = %+v, %v", ts, err)
			}
		})
	}
}

// TestTokenExpiry checks that a token with an expiry lives until then and
// is dead after it, like a revoked one, on every engine.
func TestTokenExpiry(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlstore.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Not UTC, and with a fraction of a second: stored as the
			// same instant all the same.
			expires := time.Date(2026, 11, 29, 12, 0, 0, 500_000_000, time.FixedZone("CET", 3600))
			tok, err := db.CreateToken(ctx, tandem.Token{Person: "victor", Role: tandem.RoleViewer, Label: "oidc sign-in", ExpiresAt: &expires}, "h1")
			if err != nil || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(expires) {
				t.Fatalf("CreateToken = %+v, %v", tok, err)
			}
			if _, err := db.CreateToken(ctx, tandem.Token{Person: "victor", Role: tandem.RoleViewer}, "h2"); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				at   time.Time
				live bool
			}{
				{expires.Add(-time.Hour), true},
				{expires.Add(-time.Millisecond), true},
				{expires, false},
				{expires.Add(time.Millisecond), false},
				{expires.Add(24 * time.Hour), false},
			} {
				_, err := db.Authenticate(ctx, "h1", c.at)
				if live := err == nil; live != c.live || (err != nil && tandem.ErrorCode(err) != tandem.ENOTFOUND) {
					t.Errorf("Authenticate at %v, the token expiring at %v: %v, want live %t", c.at, expires, err, c.live)
				}
			}
			if got, err := db.Authenticate(ctx, "h2", expires.Add(24*365*time.Hour)); err != nil || got.ExpiresAt != nil {
				t.Errorf("a token without expiry, a year on: %+v, %v", got, err)
			}
			ts, err := db.FindTokens(ctx)
			if err != nil || len(ts) != 2 || ts[0].ExpiresAt == nil || !ts[0].ExpiresAt.Equal(expires) || ts[0].ExpiresAt.Location() != time.UTC || ts[1].ExpiresAt != nil {
				t.Errorf("FindTokens = %+v, %v", ts, err)
			}
		})
	}
}
