package web

import (
	"io"
	"net/http"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea"
	"github.com/tandem-dev/tandem/github"
	"github.com/tandem-dev/tandem/gitlab"
)

// maxHookBytes bounds a webhook's body.
const maxHookBytes = 1 << 20

// handleHook takes a code host's signed webhook: a push starts a rescan
// of the repository pushed to, so that targets and adoption follow the
// code without waiting for the next poll, and a pull request event records
// the state of one of Tandem's pull requests. An unsigned or forged delivery is
// refused.
func (s *Server) handleHook(w http.ResponseWriter, r *http.Request) {
	hs, err := s.store.FindCodeHosts(r.Context(), r.PathValue("codehost"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := hs[0]
	if (h.Type != tandem.HostGitea && h.Type != tandem.HostGitHub && h.Type != tandem.HostGitLab) || h.WebhookSecret == "" {
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "code host %s takes no webhooks: give it a webhookSecret", h.Name))
		return
	}
	secret, _ := tandem.ResolveSecret(h.WebhookSecret, s.getenv) // unset: "", which verifies nothing
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHookBytes))
	if err != nil {
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "webhook body: %v", err))
		return
	}
	verified, event := false, ""
	switch {
	case secret == "":
	case h.Type == tandem.HostGitea:
		verified, event = gitea.VerifySignature([]byte(secret), body, r.Header.Get("X-Gitea-Signature")), r.Header.Get("X-Gitea-Event")
	case h.Type == tandem.HostGitHub:
		verified, event = github.VerifySignature([]byte(secret), body, r.Header.Get("X-Hub-Signature-256")), r.Header.Get("X-GitHub-Event")
	default:
		verified, event = gitlab.VerifyToken([]byte(secret), r.Header.Get("X-Gitlab-Token")), gitlabEvent(r.Header.Get("X-Gitlab-Event"))
	}
	if !verified {
		s.writeError(w, r, tandem.Errorf(tandem.EFORBIDDEN, "webhook signature does not match the secret of code host %s", h.Name))
		return
	}
	switch event {
	case "push":
		s.hookPush(w, r, h.Name, body)
	case "pull_request":
		s.hookPullRequest(w, r, body)
	default:
		writeJSON(w, http.StatusAccepted, map[string]string{"ignored": event})
	}
}

// gitlabEvent names GitLab's events as Gitea and GitHub do.
func gitlabEvent(name string) string {
	switch name {
	case "Push Hook":
		return "push"
	case "Merge Request Hook":
		return "pull_request"
	}
	return name
}

// hookPush starts a rescan of the repository pushed to.
func (s *Server) hookPush(w http.ResponseWriter, r *http.Request, host string, body []byte) {
	repo, _, _, err := gitea.ParsePush(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	scan, err := s.scanner.RescanRepository(r.Context(), host, repo)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, scan)
}

// hookPullRequest records the state of one of Tandem's pull requests:
// merged, closed unmerged, or reopened. Other pull requests are ignored.
func (s *Server) hookPullRequest(w http.ResponseWriter, r *http.Request, body []byte) {
	url, state, err := gitea.ParsePullRequest(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cr, _, err := s.campaigns.PullRequestState(r.Context(), url, state)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		writeJSON(w, http.StatusAccepted, map[string]string{"ignored": "pull request " + url + " is not one of Tandem's"})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, cr)
}
