package web

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tandem-dev/tandem"
)

// Page sizes of the JSON API's lists: a list answers at most limit items
// (?limit=, DefaultPageSize when not given, MaxPageSize at most) and,
// when more follow, a Link header to the next page (rel="next"), whose
// ?after= cursor is opaque.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// pageRequest is the page a list request asks for.
type pageRequest struct {
	limit int
	// after is the decoded cursor: "" for the first page, "n:OFFSET" for
	// lists paged in the web layer, "h:HANDLE" for people,
	// codebaseCursor and a name for codebases and a campaign's targets.
	after string
}

// Kinds of cursors, the prefix of a decoded ?after=.
const (
	offsetCursor   = "n:"
	handleCursor   = "h:"
	codebaseCursor = "c:"
)

// readPage returns the page r asks for; EINVALID for a limit out of
// 1…MaxPageSize or a cursor this server did not give.
func readPage(r *http.Request) (pageRequest, error) {
	q := r.URL.Query()
	p := pageRequest{limit: DefaultPageSize}
	if q.Has("limit") {
		v := q.Get("limit")
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return p, tandem.Errorf(tandem.EINVALID, "limit %q: want a whole number from 1 to %d", v, MaxPageSize)
		}
		p.limit = n
	}
	if v := q.Get("after"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || !utf8.Valid(b) || !hasCursorKind(string(b)) {
			return p, badCursor(v)
		}
		p.after = string(b)
	}
	return p, nil
}

// hasCursorKind reports whether a decoded cursor starts with a kind this
// server gives.
func hasCursorKind(cursor string) bool {
	for _, kind := range []string{offsetCursor, handleCursor, codebaseCursor} {
		if strings.HasPrefix(cursor, kind) {
			return true
		}
	}
	return false
}

// badCursor is the error of an ?after= that is not a cursor of this list.
func badCursor(v string) error {
	return tandem.Errorf(tandem.EINVALID, "after %q is not a cursor of this list: pass the one of the Link header's next page as it is", v)
}

// offset returns where a page of a list paged in the web layer starts.
func (p pageRequest) offset(r *http.Request) (int, error) {
	if p.after == "" {
		return 0, nil
	}
	v, ok := strings.CutPrefix(p.after, offsetCursor)
	n, err := strconv.Atoi(v)
	if !ok || err != nil || n < 0 || strconv.Itoa(n) != v {
		return 0, badCursor(r.URL.Query().Get("after"))
	}
	return n, nil
}

// setNext links the answer to the next page, the one after cursor.
func setNext(w http.ResponseWriter, r *http.Request, cursor string) {
	q := r.URL.Query()
	q.Set("after", base64.RawURLEncoding.EncodeToString([]byte(cursor)))
	u := *r.URL
	u.RawQuery = q.Encode()
	w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", u.RequestURI()))
}

// list answers with one page of what find returns for the {name} path
// value, or of every object when there is none. The list is read whole
// and paged here; a store that can page (people) is paged in SQL instead.
func list[T any](s *Server, w http.ResponseWriter, r *http.Request, find func(name string) ([]T, error)) {
	p, err := readPage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from, err := p.offset(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, err := find(r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from = min(from, len(items))
	end := min(from+p.limit, len(items))
	if end < len(items) {
		setNext(w, r, offsetCursor+strconv.Itoa(end))
	}
	page := items[from:end]
	if page == nil {
		page = []T{}
	}
	writeJSON(w, http.StatusOK, page)
}

// handlePeople answers one person, or a page of everyone read from the
// store a page at a time: a large organisation's people do not fit one
// answer.
func (s *Server) handlePeople(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("name") != "" {
		list(s, w, r, func(name string) ([]tandem.Person, error) { return s.store.FindPeople(r.Context(), name) })
		return
	}
	keyed(s, w, r, handleCursor, func(after string, limit int) ([]tandem.Person, error) {
		return s.store.FindPeoplePage(r.Context(), tandem.PeoplePage{After: after, Limit: limit})
	}, func(p tandem.Person) string { return p.Handle })
}

// keyed answers with one page of a list the store reads a page at a
// time, by key: find reads up to limit items after the key of the
// request's cursor ("" on the first page), which is one more than the
// page holds, to know whether another follows; key is an item's key,
// kept after kind in the next page's cursor.
func keyed[T any](s *Server, w http.ResponseWriter, r *http.Request, kind string, find func(after string, limit int) ([]T, error), key func(T) string) {
	p, err := readPage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, ok := strings.CutPrefix(p.after, kind)
	if p.after != "" && !ok {
		s.writeError(w, r, badCursor(r.URL.Query().Get("after")))
		return
	}
	items, err := find(after, p.limit+1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(items) > p.limit {
		items = items[:p.limit]
		setNext(w, r, kind+key(items[len(items)-1]))
	}
	writeJSON(w, http.StatusOK, items)
}
