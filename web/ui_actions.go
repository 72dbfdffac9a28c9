package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/consumption"
)

// Every action of the pages goes through the same services as the API and
// the CLI. Forms are protected from cross-site requests by
// http.CrossOriginProtection around the whole server.

// launchData is a launch preview: what a launch would file.
type launchData struct {
	Migration string
	Launched  campaign.Launched
	// Files says that launching would file or update a ticket.
	Files bool
}

func (s *Server) handleLaunchPreview(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	out, err := s.campaigns.Launch(r.Context(), name, true)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := launchData{Migration: name, Launched: out}
	for _, t := range out.Tickets {
		d.Files = d.Files || t.Action == "create" || t.Action == "comment"
	}
	s.render(w, r, "launch", "Launch "+name, d)
}

func (s *Server) handleLaunchForm(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	out, err := s.campaigns.Launch(r.Context(), name, false)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	filed := 0
	for _, t := range out.Tickets {
		if t.Action == "create" {
			filed++
		}
	}
	redirect(w, r, "/campaigns/"+url.PathEscape(name), fmt.Sprintf("Launched: %d tickets filed, %d updated, %d unowned, %d waiting.",
		filed, len(out.Tickets)-filed, len(out.Unowned), len(out.Waiting)))
}

func (s *Server) handleEscalateForm(w http.ResponseWriter, r *http.Request, req TargetRequest) {
	name := r.PathValue("name")
	out, err := s.campaigns.Escalate(r.Context(), name, req.Codebase, false)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	counts := map[string]int{}
	for _, e := range out {
		counts[e.Action]++
	}
	redirect(w, r, "/campaigns/"+url.PathEscape(name), fmt.Sprintf("Escalated: %d change requests, %d Tours of Duty proposed, %d unchanged, %d errors.",
		counts["change-request"], counts["tour-proposed"], counts["none"], counts["error"]))
}

// handleApproveForm approves a codebase's change request as the person
// signed in (or the one an admin names) and goes back to its page, saying
// whether Tandem merged it.
func (s *Server) handleApproveForm(w http.ResponseWriter, r *http.Request, req TargetRequest) {
	out, err := s.approve(r, req)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	cr := out.ChangeRequest
	flash := "Approved by " + cr.ApprovedBy + "."
	if out.Merged != "" {
		flash = "Approved by " + cr.ApprovedBy + " and merged: " + cr.Branch + " is in " + req.Codebase + "'s default branch at " + out.Merged[:min(12, len(out.Merged))] + "."
	}
	redirect(w, r, "/change-requests/"+strconv.FormatInt(cr.ID, 10), flash)
}

func (s *Server) handleExemptForm(w http.ResponseWriter, r *http.Request, req TargetRequest) {
	if _, err := s.exempt(r, req); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/campaigns/"+url.PathEscape(r.PathValue("name")), req.Codebase+" is exempt until "+req.Until+".")
}

func (s *Server) handleScanForm(w http.ResponseWriter, r *http.Request) {
	scan, err := s.scanner.StartScan(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/?scan="+strconv.FormatInt(scan.ID, 10), http.StatusSeeOther)
}

// handleScanEvents streams a scan's progress as server-sent events, one
// JSON scan each time it moves on, until it is done or the browser leaves.
func (s *Server) handleScanEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "scan")
	if !ok {
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		s.writeError(w, r, tandem.Errorf(tandem.EINTERNAL, "streaming unsupported"))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	scan, err := s.store.FindScan(r.Context(), id)
	for r.Context().Err() == nil {
		if err != nil {
			fmt.Fprintf(w, "event: error\ndata: %s\n\n", tandem.ErrorMessage(err))
			flusher.Flush()
			return
		}
		b, _ := json.Marshal(scan)
		fmt.Fprintf(w, "data: %s\n\n", b)
		flusher.Flush()
		if scan.State == tandem.ScanDone {
			return
		}
		scan, err = s.scanner.WaitScan(r.Context(), id, scan)
	}
}

func (s *Server) handleRequestForm(w http.ResponseWriter, r *http.Request, q tandem.Request) {
	name := r.PathValue("name")
	if q.Platform != "" && q.Platform != name {
		s.renderError(w, r, tandem.Errorf(tandem.EINVALID, "form: platform %q is not this page's, %s", q.Platform, name))
		return
	}
	q.Platform = name
	by, err := s.actor(r, q.CreatedBy, q.FromTeam)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	q.CreatedBy = by
	if err := consumption.ValidateRequest(q); err != nil {
		s.renderError(w, r, err)
		return
	}
	out, err := s.store.CreateRequest(r.Context(), q)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/platforms/"+url.PathEscape(name)+"#requests", fmt.Sprintf("Request %d filed by %s.", out.ID, out.FromTeam))
}
