package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// funcs are the helpers page templates use.
var funcs = template.FuncMap{
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"join":  strings.Join,
	"path":  url.PathEscape,
	"since": func(t time.Time) string { return age(time.Since(t)) },
	"ago": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return age(time.Since(*t)) + " ago"
	},
	"owner": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"states":   func() []string { return tandem.TargetStates },
	"add":      func(a, b int) int { return a + b },
	"markdown": markdown,
}

// age prints a duration in the largest whole unit people plan in.
func age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
}

// pages are the page templates, each with the layout.
var pages = func() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	m := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		m[strings.TrimSuffix(base, ".html")] = template.Must(template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return m
}()

// page is what every page's layout needs, around the page's own data.
type page struct {
	Title string
	User  string
	Query string
	Flash string
	Data  any
}

// render writes a page, or a plain error page for err.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name, title string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	p := page{Title: title, User: userOf(r), Query: r.URL.Query().Get("q"), Flash: r.URL.Query().Get("flash"), Data: data}
	if err := pages[name].ExecuteTemplate(w, "layout", p); err != nil {
		s.logger.Error("render page", "page", name, "err", err)
	}
}

// renderError shows an error as a page with the status its code maps to.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	err = s.meant(r.Context(), err)
	code := tandem.ErrorCode(err)
	if code == tandem.EINTERNAL {
		s.logger.Error("page failed", "path", r.URL.Path, "err", err)
	}
	d := errorData{Message: tandem.ErrorMessage(err), Back: s.backTo(r)}
	if code == tandem.EUNAUTHENTICATED && strings.TrimSuffix(d.Back, "/") != "/signin" {
		d.SignIn = "/signin"
	}
	w.WriteHeader(statuses[code])
	s.render(w, r, "error", "Error", d)
}

// errorData is an error page: what went wrong, the page to go back to
// and, when a token is missing, where to sign in.
type errorData struct {
	Message string
	Back    string
	SignIn  string
}

// backTo returns the page to go back to from a request that failed: the
// page it was sent from (its Referer, when of this server), else for a
// form the page of what its path names, else the start.
func (s *Server) backTo(r *http.Request) string {
	if ref, err := url.Parse(r.Referer()); err == nil && r.Referer() != "" && s.sameOrigin(r, ref) {
		q := ref.Query()
		q.Del("flash") // said once
		back := ref.EscapedPath()
		if len(q) > 0 {
			back += "?" + q.Encode()
		}
		return back
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return "/"
	}
	page := r.URL.Path
	get := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: page}, Host: r.Host}
	if _, pattern := s.mux.Handler(get); pattern == "" {
		page = path.Dir(page)
	}
	return page
}

// sameOrigin reports whether a URL is of this server, as the browser
// reached it or as it is published.
func (s *Server) sameOrigin(r *http.Request, u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return false
	}
	if u.Host == r.Host {
		return true
	}
	pub, err := url.Parse(s.publicURL)
	return err == nil && s.publicURL != "" && u.Host == pub.Host
}

// userOf returns the person signed in, or "".
func userOf(r *http.Request) string {
	t, _ := tokenOf(r)
	return t.Person
}

func (s *Server) handleSignInPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "signin", "Sign in", s.oidcName())
}

// handleSignIn checks a token and signs the browser in with it: the
// cookie holds a new session's id, never the token, for
// tandem.SessionLifetime or until the token ends.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	// The token is read from the form body alone: one in the query string
	// would be kept in histories and logs.
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	secret := strings.TrimSpace(r.PostFormValue("token"))
	now := time.Now().UTC()
	t, err := s.store.Authenticate(r.Context(), tandem.HashToken(secret), now)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		err = tandem.Errorf(tandem.EUNAUTHENTICATED, "that token is unknown or revoked")
	}
	if err == nil {
		err = confineCI(t, "POST /signin")
	}
	if err == nil {
		err = s.startSession(w, r, t, now.Add(tandem.SessionLifetime))
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/", "Signed in as "+t.Person+" ("+t.Role+")")
}

// redirect sends the browser back to a page (and fragment) with a message.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	to, fragment, _ := strings.Cut(to, "#")
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	to += sep + "flash=" + url.QueryEscape(flash)
	if fragment != "" {
		to += "#" + fragment
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}
