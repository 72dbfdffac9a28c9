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
)

// maxHookBytes bounds a webhook's body.
const maxHookBytes = 1 << 20

// SetWebhookReceivers gives the server the readers of webhooks by code
// host type (tandem.HostGitea…). A code host of another type takes no
// webhooks.
func (s *Server) SetWebhookReceivers(r map[string]tandem.WebhookReceiver) { s.webhooks = r }

// SetPullRequestGuard gives the server the backsliding guard that
// evaluates the pull requests its webhooks announce; without one, pull
// request events only follow Tandem's own pull requests.
func (s *Server) SetPullRequestGuard(g tandem.PullRequestGuarder) { s.guard = g }

// handleHook takes a code host's signed webhook: a push starts a rescan
// of the repository pushed to, so that targets and adoption follow the
// code without waiting for the next poll, and a pull request event records
// the state of one of Tandem's pull requests and has the backsliding
// guard evaluate the fleet's pull requests. An unsigned or forged delivery is
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
	receiver, ok := s.webhooks[h.Type]
	if !ok || h.WebhookSecret == "" {
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "code host %s takes no webhooks: give it a webhookSecret", h.Name))
		return
	}
	secret, _ := tandem.ResolveSecret(h.WebhookSecret, s.getenv) // unset: "", which verifies nothing
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHookBytes))
	if err != nil {
		s.writeError(w, r, tandem.Errorf(tandem.EINVALID, "webhook body: %v", err))
		return
	}
	if secret == "" || !receiver.Verify([]byte(secret), body, r.Header) {
		s.writeError(w, r, tandem.Errorf(tandem.EFORBIDDEN, "webhook signature does not match the secret of code host %s", h.Name))
		return
	}
	event, delivery := receiver.Delivery(r.Header)
	delivery = strings.TrimSpace(delivery)
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
	status, out, err := s.actOnHook(r.Context(), receiver, h.Name, event, body)
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
func (s *Server) actOnHook(ctx context.Context, receiver tandem.WebhookReceiver, host, event string, body []byte) (int, any, error) {
	switch event {
	case tandem.EventPush:
		return s.hookPush(ctx, receiver, host, body)
	case tandem.EventPullRequest:
		return s.hookPullRequest(ctx, receiver, host, body)
	default:
		return http.StatusAccepted, map[string]string{"ignored": event}, nil
	}
}

// hookPush starts a rescan of the repository pushed to.
func (s *Server) hookPush(ctx context.Context, receiver tandem.WebhookReceiver, host string, body []byte) (int, any, error) {
	repo, err := receiver.ParsePush(body)
	if err != nil {
		return 0, nil, err
	}
	scan, err := s.scanner.RescanRepository(ctx, host, repo)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, scan, nil
}

// hookPullRequest records the state of one of Tandem's pull requests
// (merged, closed unmerged, or reopened) and, when a pull request of a
// codebase of the fleet is opened, reopened or pushed to, has the
// backsliding guard evaluate its head. Other pull requests are ignored.
func (s *Server) hookPullRequest(ctx context.Context, receiver tandem.WebhookReceiver, host string, body []byte) (int, any, error) {
	pr, err := receiver.ParsePullRequest(body)
	if err != nil {
		return 0, nil, err
	}
	guarded, err := s.guardPullRequest(ctx, host, pr)
	if err != nil {
		return 0, nil, err
	}
	cr, _, err := s.campaigns.PullRequestState(ctx, pr.URL, pr.State)
	switch {
	case tandem.ErrorCode(err) == tandem.ENOTFOUND && guarded:
		return http.StatusAccepted, map[string]string{"guard": "evaluating " + pr.URL + " at " + pr.Head}, nil
	case tandem.ErrorCode(err) == tandem.ENOTFOUND:
		return http.StatusAccepted, map[string]string{"ignored": "pull request " + pr.URL + " is not one of Tandem's"}, nil
	case err != nil:
		return 0, nil, err
	}
	return http.StatusAccepted, cr, nil
}

// guardPullRequest has the guard evaluate pull request pr when it brings
// new code to a codebase of host, and reports whether it does.
func (s *Server) guardPullRequest(ctx context.Context, host string, pr tandem.PullRequestEvent) (bool, error) {
	if s.guard == nil || !pr.Guarded() {
		return false, nil
	}
	cbs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: pr.Repo})
	if err != nil {
		return false, err
	}
	if len(cbs) == 0 || cbs[0].Host != host || cbs[0].GoneAt != nil {
		return false, nil
	}
	if err := s.guard.GuardPullRequest(ctx, host, pr); err != nil {
		return false, err
	}
	return true, nil
}
