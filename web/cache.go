package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
)

// Limits of the cache of read answers: how many it keeps, the largest
// it keeps (a larger answer is made again each time), and how long one
// stays fresh when nothing stored changes; pages show ages ("5m ago") and
// deadlines against the clock, which a stored answer must not freeze.
const (
	cacheEntries = 512
	cacheMaxBody = 1 << 20
	cacheFresh   = 10 * time.Second
)

// readCache keeps the answers of read routes (pages and JSON lists) made
// at one version of the stored data (tandem.VersionStore), per URL and
// per viewer, so that reading a page nothing changed costs a version
// read, not a render. An answer made at an older version is never
// served; one older than cacheFresh is served while one request makes it
// again. Every answer carries a strong ETag of its body, so that a
// client's refresh of an unchanged page costs a header (304).
type readCache struct {
	entries *lru.Cache[string, *cachedAnswer]
	flight  singleflight.Group
	version atomic.Int64 // the newest version seen; older entries are gone
	purge   sync.Mutex   // one purge per new version
	results *prometheus.CounterVec
}

// cachedAnswer is one stored answer: a 200 with its headers and body.
type cachedAnswer struct {
	header  http.Header
	body    []byte
	etag    string
	version int64
	made    time.Time
	// remaking is set while a request makes a stale answer again.
	remaking atomic.Bool
}

func newReadCache(reg prometheus.Registerer) *readCache {
	entries, err := lru.New[string, *cachedAnswer](cacheEntries)
	if err != nil {
		panic(err) // only for a size below 1
	}
	c := &readCache{entries: entries, results: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_http_cache_answers_total",
		Help: "Answers of cached read routes, by how they were made: hit, stale (served while made again), made, or not-modified (304).",
	}, []string{"result"})}
	reg.MustRegister(c.results)
	return c
}

// cached serves h's GET answers through the cache. Other methods (HEAD)
// and requests made while the version cannot be read go straight to h.
func (s *Server) cached(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			h(w, r)
			return
		}
		version, err := s.store.DataVersion(r.Context())
		if err != nil {
			s.logger.Warn("read the data version; answering uncached", "err", err)
			h(w, r)
			return
		}
		s.cache.serve(w, r, version, h)
	}
}

// serve answers r from the cache at version, making the answer with h
// when the cache has none that is current.
func (c *readCache) serve(w http.ResponseWriter, r *http.Request, version int64, h http.HandlerFunc) {
	if !c.current(version) {
		// The store moved on since this request read its version: make
		// the answer, keep nothing.
		c.results.WithLabelValues("made").Inc()
		h(w, r)
		return
	}
	key := cacheKey(r)
	if a, ok := c.entries.Get(key); ok && a.version == version {
		result := "hit"
		if time.Since(a.made) >= cacheFresh {
			result = "stale"
			c.remake(key, a, r, h)
		}
		c.write(w, r, a, result)
		return
	}
	v, _, _ := c.flight.Do(key+"\x00"+strconv.FormatInt(version, 10), func() (any, error) {
		return c.make(key, version, r, h), nil
	})
	rec := v.(*recorded)
	if rec.answer == nil {
		c.results.WithLabelValues("made").Inc()
		rec.replay(w)
		return
	}
	c.write(w, r, rec.answer, "made")
}

// current reports whether version is the newest seen, purging the
// entries of older versions when it is newer.
func (c *readCache) current(version int64) bool {
	seen := c.version.Load()
	if version == seen {
		return true
	}
	if version < seen {
		return false
	}
	c.purge.Lock()
	defer c.purge.Unlock()
	if c.version.Load() < version {
		c.entries.Purge()
		c.version.Store(version)
	}
	return c.version.Load() == version
}

// remake makes a stale answer again in the background, once at a time,
// while the stale one is served.
func (c *readCache) remake(key string, a *cachedAnswer, r *http.Request, h http.HandlerFunc) {
	if !a.remaking.CompareAndSwap(false, true) {
		return
	}
	r = r.Clone(context.WithoutCancel(r.Context()))
	go func() {
		if c.make(key, a.version, r, h).answer == nil {
			// Not kept (an error now): the next request makes it itself.
			c.entries.Remove(key)
		}
	}()
}

// make runs h on a recording writer and keeps a 200 answer no larger
// than cacheMaxBody. It runs on behalf of every request waiting for the
// same answer, so the caller's going away does not cancel it.
func (c *readCache) make(key string, version int64, r *http.Request, h http.HandlerFunc) *recorded {
	rec := &recorded{header: http.Header{}, status: http.StatusOK}
	h(rec, r.WithContext(context.WithoutCancel(r.Context())))
	if rec.status != http.StatusOK || rec.body.Len() > cacheMaxBody || rec.header.Get("Set-Cookie") != "" {
		return rec
	}
	body := rec.body.Bytes()
	sum := sha256.Sum256(body)
	rec.answer = &cachedAnswer{header: rec.header, body: body, version: version, made: time.Now(),
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
	if c.version.Load() == version {
		c.entries.Add(key, rec.answer)
	}
	return rec
}

// write answers with a stored answer, or 304 when the client holds it.
func (c *readCache) write(w http.ResponseWriter, r *http.Request, a *cachedAnswer, result string) {
	h := w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	h.Set("ETag", a.etag)
	// Answers differ by viewer: browsers may keep them, shared caches not,
	// and both ask again before reusing one.
	h.Set("Cache-Control", "private, no-cache")
	if matches(r.Header.Get("If-None-Match"), a.etag) {
		c.results.WithLabelValues("not-modified").Inc()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	c.results.WithLabelValues(result).Inc()
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.body)
}

// matches reports whether an If-None-Match header names etag.
func matches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || strings.TrimPrefix(v, "W/") == etag {
			return true
		}
	}
	return false
}

// cacheKey is what an answer varies by: who reads (the token, none for
// anonymous readers) and the URL with its query.
func cacheKey(r *http.Request) string {
	t, _ := tokenOf(r)
	return strconv.FormatInt(t.ID, 10) + " " + r.URL.RequestURI()
}

// recorded is an answer made for the cache: every header, status and
// body, and the stored answer when it was kept.
type recorded struct {
	header http.Header
	status int
	body   bytes.Buffer
	answer *cachedAnswer
}

func (r *recorded) Header() http.Header         { return r.header }
func (r *recorded) WriteHeader(status int)      { r.status = status }
func (r *recorded) Write(b []byte) (int, error) { return r.body.Write(b) }

// replay writes a recorded answer that was not kept (an error page, a
// large list) as it was made.
func (r *recorded) replay(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}
