package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/manifest"
)

// maxApplyBytes bounds the files of one apply.
const maxApplyBytes = 16 << 20

// ApplyRequest is the body of POST /api/v1/apply: the YAML files to apply
// together, named as the user knows them.
type ApplyRequest struct {
	Files []File `json:"files"`
	// Dir is the client's working directory, which relative file names
	// (and the relative paths in them) are relative to.
	Dir string `json:"dir,omitempty"`
}

// File is one named YAML file.
type File struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// ApplyResponse says what an apply did to each object.
type ApplyResponse struct {
	Applied []tandem.Applied `json:"applied"`
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (ApplyRequest) maxBytes() int64 { return maxApplyBytes }

func (s *Server) handleApply(w http.ResponseWriter, r *http.Request, req ApplyRequest) {
	srcs := make([]manifest.Source, len(req.Files))
	for i, f := range req.Files {
		srcs[i] = manifest.Source{Name: f.Name, Data: []byte(f.Content), Dir: req.Dir}
	}
	objs, err := manifest.Decode(srcs)
	if err != nil {
		// What decoded is checked against the store too: every problem
		// of the files in one answer.
		s.writeError(w, r, manifest.Merge(err, s.store.CheckApply(r.Context(), objs)))
		return
	}
	applied, err := s.store.Apply(r.Context(), objs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ApplyResponse{Applied: applied})
}

func (s *Server) handleTeams(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.Team, error) { return s.store.FindTeams(r.Context(), name) })
}

func (s *Server) handleCodeHosts(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.CodeHost, error) { return s.store.FindCodeHosts(r.Context(), name) })
}

func (s *Server) handlePlatforms(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(name string) ([]tandem.Platform, error) { return s.store.FindPlatforms(r.Context(), name) })
}

// handleCodebases answers the codebases the hosts list, with the Codebase
// documents that name none; ?gone=true the codebases gone from their host
// instead. One named is found gone or not. The list is read from the
// store a page at a time, after the codebase of the ?after= cursor.
func (s *Server) handleCodebases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var gone bool
	if v := q.Get("gone"); v != "" {
		var err error
		if gone, err = strconv.ParseBool(v); err != nil {
			s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "gone: %q is not true or false", v))
			return
		}
	}
	f := tandem.CodebaseFilter{Name: r.PathValue("name"), Owner: q.Get("owner"), Host: q.Get("host"), Gone: gone, Declared: !gone}
	if f.Name != "" {
		list(s, w, r, func(string) ([]codebaseView, error) { return s.codebaseViews(r.Context(), f) })
		return
	}
	keyed(s, w, r, codebaseCursor, func(after string, limit int) ([]tandem.Codebase, error) {
		f.After, f.Limit = after, limit
		return s.store.FindCodebases(r.Context(), f)
	}, func(c tandem.Codebase) string { return c.Name })
}

func (s *Server) handleStartScan(w http.ResponseWriter, r *http.Request) {
	scan, err := s.scanner.StartScan(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, scan)
}

func (s *Server) handleScan(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "scan")
	if !ok {
		return
	}
	scan, err := s.store.FindScan(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if v := r.URL.Query().Get("wait"); v != "" && scan.State != tandem.ScanDone {
		wait, err := time.ParseDuration(v)
		if err != nil || wait < 0 || wait > maxScanWait {
			s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "wait: %q is not a duration between 0s and %s", v, maxScanWait))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		defer cancel()
		if scan, err = s.scanner.WaitScan(ctx, id, scan); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, scan)
}

// maxScanWait bounds how long GET /api/v1/scans/{id}?wait= holds a
// request, below the proxies' usual idle timeouts.
const maxScanWait = 60 * time.Second
