package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/tandem-dev/tandem"
)

// maxBodyBytes bounds the body of every change but an apply's.
const maxBodyBytes = 1 << 20

// subject is what a change's input names that decides who may make it.
// The guards decide on it, and the handler acts on the very value it was
// taken from, so that the two cannot read different things.
type subject struct {
	Codebase string   // the codebase it changes
	Platform string   // the platform it concerns
	Teams    []string // the teams it is for: a request's, an engagement's
	Person   string   // the person it is about: a contribution's author
}

// rule decides whether a token that is neither an admin's nor a viewer's
// may make a change about a subject.
type rule func(s *Server, r *http.Request, who tandem.Token, on subject) (bool, error)

// noBody is the input of a change that its path says all of: an empty
// body or an empty JSON object.
type noBody struct{}

// limited is an input whose body may be larger than maxBodyBytes.
type limited interface{ maxBytes() int64 }

// change returns the handler of a route that changes something. A token
// is needed and a viewer's changes nothing. The input is decoded once,
// strictly, into a T: a JSON body on the API, a form on the pages. An
// admin's token then does anything; any other must pass rl, asked about
// the subject that about names in the decoded T (nil when the path is
// all rl needs). h acts on the same T.
func change[T any](s *Server, rl rule, about func(T) subject, h func(http.ResponseWriter, *http.Request, T)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, ok := tokenOf(r)
		if !ok {
			s.fail(w, r, tandem.Errorf(tandem.EUNAUTHENTICATED, "sign in first: this needs a token (tandem token create; the CLI reads TANDEM_TOKEN)"))
			return
		}
		if who.Role == tandem.RoleViewer {
			s.fail(w, r, mayNot(who, r))
			return
		}
		var in T
		if err := decodeInput(w, r, &in); err != nil {
			s.fail(w, r, err)
			return
		}
		if n, ok := any(&in).(codebaseNamer); ok {
			if err := s.spellCodebase(r.Context(), n.codebaseName()); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if who.Role != tandem.RoleAdmin {
			var on subject
			if about != nil {
				on = about(in)
			}
			ok, err := rl(s, r, who, on)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if !ok {
				s.logger.Warn("refused", "person", who.Person, "role", who.Role, "method", r.Method, "path", r.URL.Path, "subject", on)
				s.fail(w, r, mayNot(who, r))
				return
			}
		}
		h(w, r, in)
	}
}

// codebaseNamer is input that names a codebase, as a person may type it:
// in any case. change spells it as the catalog does before the guard and
// the handler read it, so both act on the same codebase.
type codebaseNamer interface{ codebaseName() *string }

// spellCodebase replaces a codebase's name with the catalog's spelling of
// it; a name the catalog lacks stays as typed, for the handler to refuse.
func (s *Server) spellCodebase(ctx context.Context, name *string) error {
	if *name == "" {
		return nil
	}
	cbs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: *name})
	switch {
	case tandem.ErrorCode(err) == tandem.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case len(cbs) == 1:
		*name = cbs[0].Name
	}
	return nil
}

// allow guards a change whose path says everything it acts on.
func (s *Server) allow(rl rule, h http.HandlerFunc) http.HandlerFunc {
	return change(s, rl, nil, func(w http.ResponseWriter, r *http.Request, _ noBody) { h(w, r) })
}

func mayNot(who tandem.Token, r *http.Request) error {
	return tandem.Errorf(tandem.EFORBIDDEN, "%s's %s token may not %s %s: use the token of someone who may (an admin makes one: tandem token create --person NAME --role team-member)", who.Person, who.Role, r.Method, r.URL.Path)
}

// decodeInput reads a change's input into v: the body of an API request
// as JSON, the body of a page's form as a form, never the query string.
// It returns ETOOLARGE for a body over the limit and EINVALID for a body
// of another Content-Type, with a key v does not have (keys are compared
// exactly, not as encoding/json does, without regard to case), with a key
// given twice, or more than one value.
func decodeInput(w http.ResponseWriter, r *http.Request, v any) error {
	limit := int64(maxBodyBytes)
	if l, ok := v.(limited); ok {
		limit = l.maxBytes()
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		return decodeForm(r, v)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err, limit)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return tandem.Errorf(tandem.EINVALID, "body: Content-Type is %q: send application/json", r.Header.Get("Content-Type"))
	}
	return decodeJSON("body", body, v)
}

// decodeJSON decodes one JSON object into v, refusing unknown, inexact
// and repeated keys; its refusals name the input as what ("body", "form").
func decodeJSON(what string, body []byte, v any) error {
	err := repeatedKey(body)
	var tree any
	if err == nil {
		err = json.Unmarshal(body, &tree)
	}
	if _, ok := tree.(map[string]any); err == nil && !ok {
		err = errors.New("not a JSON object")
	}
	if err == nil {
		err = exactKeys(tree, reflect.TypeOf(v).Elem(), "")
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	if err != nil {
		return tandem.Errorf(tandem.EINVALID, "%s: %v", what, err)
	}
	return nil
}

// exactKeys returns an error naming the first key of an object in tree
// that is not exactly the JSON name of a field of the struct t expects
// there (encoding/json alone would match it without regard to case).
// path is where tree is in the body, "" for the whole.
func exactKeys(tree any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch node := tree.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return nil // a map's keys are data, not fields
		}
		fields := jsonFields(t)
		for k, sub := range node {
			f, ok := fields[k]
			if !ok {
				where := ""
				if path != "" {
					where = " in " + path
				}
				return fmt.Errorf("unknown key %q%s (the keys are %s)", k, where, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
			}
			if err := exactKeys(sub, f.Type, strings.TrimPrefix(path+"."+k, ".")); err != nil {
				return err
			}
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return nil
		}
		for _, sub := range node {
			if err := exactKeys(sub, t.Elem(), path); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeForm decodes a form body of string fields into v, as if it were
// the JSON object of its keys.
func decodeForm(r *http.Request, v any) error {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data" {
		return tandem.Errorf(tandem.EINVALID, "form: Content-Type is %q: send a form", r.Header.Get("Content-Type"))
	}
	if err := r.ParseMultipartForm(maxBodyBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return bodyError(err, maxBodyBytes)
	}
	fields := make(map[string]string, len(r.PostForm))
	for k, vs := range r.PostForm {
		if len(vs) > 1 {
			return tandem.Errorf(tandem.EINVALID, "form: %s is given %d times", k, len(vs))
		}
		fields[k] = vs[0]
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return decodeJSON("form", body, v)
}

// bodyError is ETOOLARGE when reading a body stopped at its limit.
func bodyError(err error, limit int64) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return tandem.Errorf(tandem.ETOOLARGE, "body: larger than the %d bytes a change may send", limit)
	}
	return tandem.Errorf(tandem.EINVALID, "body: %v", err)
}

// repeatedKey refuses a key that repeats another of its object, at any
// depth, compared without regard to case as encoding/json would match
// them, and anything after the first JSON value.
func repeatedKey(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type object struct {
		seen  map[string]bool
		atKey bool // the next token is a key
	}
	var stack []*object // nil for an array
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return errors.New("the JSON ends before its value does")
		}
		if err != nil {
			return err
		}
		if n := len(stack); n > 0 && stack[n-1] != nil && stack[n-1].atKey && tok != json.Delim('}') {
			k := strings.ToLower(tok.(string))
			if stack[n-1].seen[k] {
				return fmt.Errorf("key %q is given twice", tok)
			}
			stack[n-1].seen[k] = true
			stack[n-1].atKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &object{seen: map[string]bool{}, atKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, nil)
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			if _, err := dec.Token(); err != io.EOF {
				return errors.New("more than one JSON value")
			}
			return nil
		}
		// A value ended: its object's next token is a key.
		if top := stack[len(stack)-1]; top != nil {
			top.atKey = true
		}
	}
}

// jsonFields returns the fields of a struct type by the keys
// encoding/json gives them.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			continue // its fields are visible in t
		case name == "":
			name = f.Name
		}
		fields[name] = f
	}
	return fields
}

// idOf returns the {id} path value, or an ENOTFOUND error naming what the
// path is of when it is not a number.
func idOf(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, tandem.Errorf(tandem.ENOTFOUND, "%s %q not found", what, r.PathValue("id"))
	}
	return id, nil
}

// pathID returns the {id} path value, answering ENOTFOUND itself when it is
// not a number.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, what string) (int64, bool) {
	id, err := idOf(r, what)
	if err != nil {
		s.writeError(w, r, err)
		return 0, false
	}
	return id, true
}
