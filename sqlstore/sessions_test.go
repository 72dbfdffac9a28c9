package sqlstore_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// open returns a fresh store on engine e, closed when t ends.
func open(t *testing.T, e sqlstoretest.Engine) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), e.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestWebSessions signs browsers in with tokens on every engine: a
// session lasts until it expires, it is deleted, or its token is revoked
// or expires.
func TestWebSessions(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db := open(t, e)
			now := time.Now().UTC()
			tok, err := db.CreateToken(ctx, tandem.Token{Person: "ann", Role: tandem.RoleViewer}, "token")
			if err != nil {
				t.Fatal(err)
			}
			soon := now.Add(time.Hour)
			short, err := db.CreateToken(ctx, tandem.Token{Person: "bob", Role: tandem.RoleViewer, ExpiresAt: &soon}, "short")
			if err != nil {
				t.Fatal(err)
			}
			for hash, id := range map[string]int64{"s1": tok.ID, "s2": tok.ID, "s3": short.ID} {
				if err := db.CreateWebSession(ctx, hash, id, now.Add(tandem.SessionLifetime)); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.CreateWebSession(ctx, "s4", 99, now.Add(time.Hour)); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("a session of a missing token: %v, want ENOTFOUND", err)
			}
			if got, err := db.AuthenticateWebSession(ctx, "s1", now); err != nil || got.Person != "ann" {
				t.Errorf("AuthenticateWebSession(s1) = %+v, %v, want ann's token", got, err)
			}
			if _, err := db.AuthenticateWebSession(ctx, "token", now); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("a token's hash as a session: %v, want ENOTFOUND", err)
			}
			if _, err := db.AuthenticateWebSession(ctx, "s1", now.Add(tandem.SessionLifetime+time.Second)); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("an expired session: %v, want ENOTFOUND", err)
			}
			if _, err := db.AuthenticateWebSession(ctx, "s3", now.Add(2*time.Hour)); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("a session past its token's expiry: %v, want ENOTFOUND", err)
			}
			if err := db.DeleteWebSession(ctx, "s1"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.AuthenticateWebSession(ctx, "s1", now); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("a deleted session: %v, want ENOTFOUND", err)
			}
			if _, err := db.RevokeToken(ctx, tok.ID, now); err != nil {
				t.Fatal(err)
			}
			if _, err := db.AuthenticateWebSession(ctx, "s2", now); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("a session of a revoked token: %v, want ENOTFOUND", err)
			}
			if err := db.CreateWebSession(ctx, "s5", tok.ID, now.Add(time.Hour)); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("a new session of a revoked token: %v, want ENOTFOUND", err)
			}
		})
	}
}

// TestDeliveries records webhook deliveries on every engine: an id is
// new once per host within the window, even to concurrent deliveries.
func TestDeliveries(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db := open(t, e)
			now := time.Now().UTC()
			record := func(host string, at time.Time, ids ...string) bool {
				t.Helper()
				fresh, err := db.RecordDelivery(ctx, host, ids, at)
				if err != nil {
					t.Fatal(err)
				}
				return fresh
			}
			if !record("gh", now, "id:1", "body:a") {
				t.Error("a first delivery is a replay")
			}
			if record("gh", now, "id:1", "body:a") {
				t.Error("the same delivery again is new")
			}
			if record("gh", now, "id:2", "body:a") {
				t.Error("the same body under another id is new")
			}
			if !record("gl", now, "id:1", "body:a") {
				t.Error("another host's delivery with the same id is a replay")
			}
			if record("gh", now, "id:3", "body:a") || !record("gh", now, "id:3", "body:b") {
				t.Error("a replay recorded some of its ids")
			}
			if err := db.ForgetDelivery(ctx, "gh", []string{"id:1", "body:a"}); err != nil {
				t.Fatal(err)
			}
			if !record("gh", now, "id:1", "body:a") {
				t.Error("a forgotten delivery is a replay")
			}
			if !record("gh", now.Add(tandem.DeliveryWindow+time.Minute), "id:1", "body:a") {
				t.Error("a delivery after the window is a replay")
			}

			var wg sync.WaitGroup
			fresh := make(chan bool, 8)
			for range 8 {
				wg.Go(func() {
					ok, err := db.RecordDelivery(ctx, "gh", []string{"id:concurrent"}, now)
					if err != nil {
						t.Error(err)
					}
					fresh <- ok
				})
			}
			wg.Wait()
			close(fresh)
			n := 0
			for ok := range fresh {
				if ok {
					n++
				}
			}
			if n != 1 {
				t.Errorf("8 concurrent deliveries of one id: %d new, want 1", n)
			}
		})
	}
}

// TestPeoplePages pages through declared people and members that only a
// team names, on every engine.
func TestPeoplePages(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := open(t, e)
			var members []string
			objs := []tandem.Object{}
			for i := range 25 {
				if i%2 == 0 {
					objs = append(objs, person(fmt.Sprintf("p%02d", i), "payments"))
				} else {
					members = append(members, fmt.Sprintf("p%02d", i))
				}
			}
			objs = append(objs, team("payments", members, nil), team("search", []string{"p03", "p04"}, nil))
			apply(t, db, objs...)
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > 5 {
					t.Fatal("more pages than people")
				}
				page, err := db.FindPeoplePage(t.Context(), tandem.PeoplePage{After: after, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > 10 {
					t.Fatalf("a page of %d people, want at most 10", len(page))
				}
				if len(page) == 0 {
					break
				}
				for _, p := range page {
					got = append(got, p.Handle)
					if p.Handle == "p04" && !slices.Equal(p.Teams, []string{"payments", "search"}) {
						t.Errorf("p04's teams = %v", p.Teams)
					}
				}
				after = page[len(page)-1].Handle
			}
			all, err := db.FindPeople(t.Context(), "")
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, p := range all {
				want = append(want, p.Handle)
			}
			if len(want) != 25 || !slices.Equal(got, want) {
				t.Errorf("pages = %v\nwant %v", got, want)
			}
			if _, err := db.FindPeoplePage(t.Context(), tandem.PeoplePage{Limit: 0}); tandem.ErrorCode(err) != tandem.EINVALID {
				t.Errorf("a page of 0: %v, want EINVALID", err)
			}
		})
	}
}
