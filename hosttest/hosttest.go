// Package hosttest serves a stand-in for a code host, for the tests of
// its client: the API answers replies recorded in the test's testdata
// folder, queued per "METHOD /path"; every other path is git
// http-backend over real bare repositories. Both insist on the host's
// token.
package hosttest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tandem-dev/tandem/gitx/gittest"
)

// Reply is one recorded answer: a file of testdata (or "" for no body), a
// status and headers, in whose values {url} stands for the server's URL.
// A file named *.txt is sent as text/plain, any other as JSON.
type Reply struct {
	Status  int
	File    string
	Headers map[string]string
}

// OK is the reply 200 with file.
func OK(file string) Reply { return Reply{Status: http.StatusOK, File: file} }

// Request is an API request the server received: Path is below the API's
// path and keeps its escaping (acme%2Fbacklog); Body is its JSON body.
type Request struct {
	Method, Path, Query string
	Body                map[string]any
}

// Host says which code host a Server stands in for.
type Host struct {
	// Name is the host's name in git's refusals ("GitHub").
	Name string
	// API is the path the API answers below ("/api/v3").
	API string
	// APIHeader is the header that carries the token to the API, and
	// APIToken its value ("Authorization", "Bearer …"). A request
	// without it is answered Refused.
	APIHeader, APIToken string
	Refused             Reply
	// GitUser and GitPassword are the credentials of git's basic
	// authentication.
	GitUser, GitPassword string
}

// Server is a stand-in code host, closed when the test ends.
type Server struct {
	// URL is where the server answers.
	URL string
	// GitDir is the folder of the bare repositories git serves.
	GitDir string

	t      *testing.T
	mu     sync.Mutex
	routes map[string][]Reply
	got    []Request
}

// New starts the stand-in of host.
func New(t *testing.T, host Host) *Server {
	s := &Server{t: t, routes: make(map[string][]Reply), GitDir: t.TempDir()}
	backend, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	git := &cgi.Handler{Path: backend, Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + s.GitDir, "GIT_HTTP_EXPORT_ALL=1"}}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(host.GitUser+":"+host.GitPassword))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		path, isAPI := strings.CutPrefix(req.URL.EscapedPath(), host.API)
		switch {
		case !isAPI && req.Header.Get("Authorization") != basic:
			w.Header().Set("WWW-Authenticate", `Basic realm="`+host.Name+`"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
		case !isAPI:
			git.ServeHTTP(w, req)
		case req.Header.Get(host.APIHeader) != host.APIToken:
			s.answer(w, host.Refused)
		default:
			s.serveAPI(w, req, path)
		}
	}))
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// On queues replies for route, "METHOD /path" below the API's path, with
// "?page=N" for a page after the first. The last reply repeats; a route
// without any is answered 404 with error-not-found.json.
func (s *Server) On(route string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[route] = append(s.routes[route], replies...)
}

func (s *Server) serveAPI(w http.ResponseWriter, req *http.Request, path string) {
	got := Request{Method: req.Method, Path: path, Query: req.URL.RawQuery}
	if b, _ := io.ReadAll(req.Body); len(b) > 0 {
		if err := json.Unmarshal(b, &got.Body); err != nil {
			s.t.Errorf("%s %s: body is not JSON: %v", req.Method, path, err)
		}
	}
	s.mu.Lock()
	s.got = append(s.got, got)
	key := req.Method + " " + path
	if page := req.URL.Query().Get("page"); page != "" && page != "1" {
		key += "?page=" + page
	}
	queue := s.routes[key]
	var rep Reply
	switch len(queue) {
	case 0:
		rep = Reply{Status: http.StatusNotFound, File: "error-not-found.json"}
	case 1:
		rep = queue[0]
	default:
		rep, s.routes[key] = queue[0], queue[1:]
	}
	s.mu.Unlock()
	for k, v := range rep.Headers {
		w.Header().Set(k, strings.ReplaceAll(v, "{url}", s.URL))
	}
	s.answer(w, rep)
}

func (s *Server) answer(w http.ResponseWriter, rep Reply) {
	if strings.HasSuffix(rep.File, ".txt") {
		w.Header().Set("Content-Type", "text/plain")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(rep.Status)
	if rep.File != "" {
		b, err := os.ReadFile(filepath.Join("testdata", rep.File))
		if err != nil {
			s.t.Error(err)
		}
		w.Write(b)
	}
}

// Requests returns the API requests received with method, in order.
func (s *Server) Requests(method string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, g := range s.got {
		if g.Method == method {
			out = append(out, g)
		}
	}
	return out
}

// Repo makes a bare repository path.git ("acme/api.git") that git serves
// and takes pushes to, with files committed on branch, and returns the
// commit.
func (s *Server) Repo(path, branch string, files map[string]string) string {
	src := gittest.Repo(s.t, files)
	gittest.Run(s.t, src, "branch", "-M", branch)
	dir := filepath.Join(s.GitDir, filepath.FromSlash(path)+".git")
	gittest.Run(s.t, s.GitDir, "clone", "--quiet", "--bare", src, dir)
	gittest.Run(s.t, dir, "config", "http.receivepack", "true")
	return gittest.Run(s.t, src, "rev-parse", "HEAD")
}

// PullRequest commits files on top of branch of the bare repository
// path.git, as a pull request's branch would, publishes the commit at ref
// (refs/pull/N/head, refs/merge-requests/N/head) and returns it.
func (s *Server) PullRequest(path, branch, ref string, files map[string]string) string {
	dir := filepath.Join(s.GitDir, filepath.FromSlash(path)+".git")
	work := filepath.Join(s.t.TempDir(), "pull")
	gittest.Run(s.t, "", "clone", "--quiet", "--branch", branch, dir, work)
	gittest.Commit(s.t, work, files)
	gittest.Run(s.t, work, "push", "--quiet", "origin", "HEAD:"+ref)
	return gittest.Run(s.t, work, "rev-parse", "HEAD")
}
