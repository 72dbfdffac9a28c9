package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestExclusive holds a lock in one store and checks that a second store
// on the same database (PostgreSQL: another process's pool; SQLite: the
// same process) waits for it, while a lock of another name does not.
func TestExclusive(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a, err := sqlstore.Open(t.Context(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b := a
			if e.Name == "postgres" {
				if b, err = sqlstore.Open(t.Context(), e.DSN); err != nil {
					t.Fatal(err)
				}
				defer b.Close()
			}
			var mu sync.Mutex
			var order []string
			record := func(s string) {
				mu.Lock()
				order = append(order, s)
				mu.Unlock()
			}
			held, release := make(chan struct{}), make(chan struct{})
			aDone := make(chan error, 1)
			go func() {
				aDone <- a.Exclusive(t.Context(), "ticket-sync", func(context.Context) error {
					close(held)
					<-release
					record("a")
					return nil
				})
			}()
			<-held
			// Another lock is free while this one is held.
			if err := b.Exclusive(t.Context(), "other", func(context.Context) error { record("other"); return nil }); err != nil {
				t.Fatal(err)
			}
			bDone := make(chan error, 1)
			go func() {
				bDone <- b.Exclusive(t.Context(), "ticket-sync", func(context.Context) error { record("b"); return nil })
			}()
			select {
			case err := <-bDone:
				t.Fatalf("the second holder got in while the first held the lock (%v)", err)
			case <-time.After(300 * time.Millisecond):
			}
			close(release)
			if err := <-aDone; err != nil {
				t.Fatal(err)
			}
			if err := <-bDone; err != nil {
				t.Fatal(err)
			}
			if got := order; len(got) != 3 || got[0] != "other" || got[1] != "a" || got[2] != "b" {
				t.Errorf("order = %v, want [other a b]", got)
			}
			if e.Name != "postgres" {
				return
			}
			// A waiter whose context ends gives up.
			held, release = make(chan struct{}), make(chan struct{})
			go a.Exclusive(t.Context(), "ticket-sync", func(context.Context) error { close(held); <-release; return nil })
			<-held
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			if err := b.Exclusive(ctx, "ticket-sync", func(context.Context) error { return nil }); err == nil {
				t.Error("a waiter whose context ended got the lock")
			}
			close(release)
		})
	}
}
