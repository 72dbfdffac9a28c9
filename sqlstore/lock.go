package sqlstore

import (
	"context"
	"hash/fnv"
	"sync"
)

// Exclusive runs fn while holding the lock called name, which one caller
// at a time holds among all the processes sharing the database. On
// PostgreSQL it is an advisory lock held by a connection of its own, so a
// process that dies lets go of it with its connection. A SQLite database
// is served by one process, so a lock in that process serves.
func (db *DB) Exclusive(ctx context.Context, name string, fn func(context.Context) error) error {
	if db.pool == nil {
		mu, _ := db.locks.LoadOrStore(name, new(sync.Mutex))
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
		return fn(ctx)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return storeErr("lock "+name, err)
	}
	key := lockKey(name)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		conn.Release()
		return storeErr("lock "+name, err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key); err != nil {
			// The lock must not stay with a pooled connection: closing
			// the connection ends its session, and the lock with it.
			conn.Hijack().Close(context.WithoutCancel(ctx))
			return
		}
		conn.Release()
	}()
	return fn(ctx)
}

// lockKey is the advisory lock number of a lock's name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("tandem:" + name))
	return int64(h.Sum64())
}
