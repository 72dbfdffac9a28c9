package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"time"

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
// refused; a verified one is acted on once: the same delivery again within
// tandem.DeliveryWindow is answered 200 "already delivered" and does
// nothing.
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
	delivery := deliveryID(h.Type, r.Header)
	ids := deliveryKeys(delivery, event, body)
	fresh, err := s.store.RecordDelivery(r.Context(), h.Name, ids, time.Now().UTC())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !fresh {
		writeJSON(w, http.StatusOK, map[string]string{"ignored": "already delivered", "delivery": delivery})
		return
	}
	status, out, err := s.actOnHook(r.Context(), h.Name, event, body)
	if err != nil {
		// Not acted on: the code host's retry of it is new.
		if ferr := s.store.ForgetDelivery(r.Context(), h.Name, ids); ferr != nil {
			s.logger.Error("webhook: forget a delivery not acted on", "host", h.Name, "delivery", delivery, "err", ferr)
		}
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

// deliveryID returns the id a code host gives a webhook delivery, the
// same when it retries or redelivers it, or "" when there is none:
// X-Gitea-Delivery, X-GitHub-Delivery, and GitLab's Idempotency-Key
// (GitLab 17.4 and later) or else X-Gitlab-Event-UUID.
func deliveryID(hostType string, h http.Header) string {
	var id string
	switch hostType {
	case tandem.HostGitea:
		id = h.Get("X-Gitea-Delivery")
	case tandem.HostGitHub:
		id = h.Get("X-GitHub-Delivery")
	case tandem.HostGitLab:
		id = h.Get("Idempotency-Key")
		if id == "" {
			id = h.Get("X-Gitlab-Event-UUID")
		}
	}
	return strings.TrimSpace(id)
}

// deliveryKeys are what a delivery is remembered by: its id, when it has
// one, and the digest of its event and body. The id is not signed, so a
// replay under another id is caught by its body, which is (on Gitea and
// GitHub); a delivery without an id is acted on once per body.
func deliveryKeys(id, event string, body []byte) []string {
	sum := sha256.Sum256(append([]byte(event+"\n"), body...))
	keys := []string{"body:" + hex.EncodeToString(sum[:])}
	if id != "" {
		keys = append(keys, "id:"+id)
	}
	return keys
}

// actOnHook acts on a verified delivery's event and returns the status
// and body to answer with.
func (s *Server) actOnHook(ctx context.Context, host, event string, body []byte) (int, any, error) {
	switch event {
	case "push":
		return s.hookPush(ctx, host, body)
	case "pull_request":
		return s.hookPullRequest(ctx, body)
	default:
		return http.StatusAccepted, map[string]string{"ignored": event}, nil
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
func (s *Server) hookPush(ctx context.Context, host string, body []byte) (int, any, error) {
	repo, _, _, err := gitea.ParsePush(body)
	if err != nil {
		return 0, nil, err
	}
	scan, err := s.scanner.RescanRepository(ctx, host, repo)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, scan, nil
}

// hookPullRequest records the state of one of Tandem's pull requests:
// merged, closed unmerged, or reopened. Other pull requests are ignored.
func (s *Server) hookPullRequest(ctx context.Context, body []byte) (int, any, error) {
	url, state, err := gitea.ParsePullRequest(body)
	if err != nil {
		return 0, nil, err
	}
	cr, _, err := s.campaigns.PullRequestState(ctx, url, state)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return http.StatusAccepted, map[string]string{"ignored": "pull request " + url + " is not one of Tandem's"}, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, cr, nil
}
