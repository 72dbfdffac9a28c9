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
