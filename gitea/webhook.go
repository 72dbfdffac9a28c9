package gitea

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tandem-dev/tandem"
)

// VerifySignature reports whether header, the X-Gitea-Signature of a
// webhook delivery (the hex HMAC-SHA256 of the body, also accepted with a
// "sha256=" prefix), was made with secret. It compares in constant time
// and is false for an empty secret or header: an unsigned delivery proves
// nothing.
func VerifySignature(secret, body []byte, header string) bool {
	if len(secret) == 0 {
		return false
	}
	got, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(header), "sha256="))
	if err != nil || len(got) == 0 {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// ParsePush returns the repository name, the branch and the commit after a
// push from the payload of a push event. branch is "" for a push that is
// not to a branch (a tag). A payload that is not a push event, or a name
// that is not a tandem.FolderName, is EINVALID.
func ParsePush(body []byte) (repo, branch, after string, err error) {
	var p struct {
		Ref        string `json:"ref"`
		After      string `json:"after"`
		Repository struct {
			Name string `json:"name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return "", "", "", tandem.Errorf(tandem.EINVALID, "push event: %v", err)
	}
	if p.Repository.Name == "" || p.Ref == "" {
		return "", "", "", tandem.Errorf(tandem.EINVALID, "push event: repository name or ref missing")
	}
	if b, ok := strings.CutPrefix(p.Ref, "refs/heads/"); ok {
		branch = b
	}
	// The name picks a mirror folder: nothing that could leave it.
	if !tandem.FolderName(p.Repository.Name) {
		return "", "", "", tandem.Errorf(tandem.EINVALID, "push event: %q is not a repository name", p.Repository.Name)
	}
	return p.Repository.Name, branch, p.After, nil
}

// ParsePullRequest returns what the payload of a pull request event says
// of its pull request: the payload carries it as pull_request, with merged
// set once merged, beside the action, the number and the repository. A
// payload that is not such an event, or whose repository name is not a
// tandem.FolderName, is EINVALID; one without a repository names none.
func ParsePullRequest(body []byte) (tandem.PullRequestEvent, error) {
	var p struct {
		Action      string `json:"action"`
		Number      int64  `json:"number"`
		PullRequest *struct {
			URL    string `json:"html_url"`
			Number int64  `json:"number"`
			State  string `json:"state"`
			Merged bool   `json:"merged"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
			Base struct {
				Ref string `json:"ref"`
			} `json:"base"`
		} `json:"pull_request"`
		Repository struct {
			Name string `json:"name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: %v", err)
	}
	if p.PullRequest == nil || p.PullRequest.URL == "" {
		return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: the pull request's address is missing")
	}
	pr := p.PullRequest
	// The name picks a mirror folder: nothing that could leave it.
	if p.Repository.Name != "" && !tandem.FolderName(p.Repository.Name) {
		return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: %q is not a repository name", p.Repository.Name)
	}
	state := pr.State
	if pr.Merged {
		state = tandem.ChangeMerged
	}
	return tandem.PullRequestEvent{Repo: p.Repository.Name, Number: cmp.Or(p.Number, pr.Number), Head: pr.Head.SHA, Base: pr.Base.Ref,
		Action: p.Action, URL: pr.URL, State: tandem.ChangeState(state)}, nil
}

// WebhookReceiver reads Gitea's webhook deliveries: signed in
// X-Gitea-Signature, named in X-Gitea-Event and identified by
// X-Gitea-Delivery.
type WebhookReceiver struct{}

var _ tandem.WebhookReceiver = WebhookReceiver{}

// Verify reports whether the delivery's X-Gitea-Signature is the HMAC of
// body under secret (see VerifySignature).
func (WebhookReceiver) Verify(secret, body []byte, h http.Header) bool {
	return VerifySignature(secret, body, h.Get("X-Gitea-Signature"))
}

// Delivery returns the X-Gitea-Event and X-Gitea-Delivery of a delivery.
func (WebhookReceiver) Delivery(h http.Header) (event, id string) {
	return h.Get("X-Gitea-Event"), h.Get("X-Gitea-Delivery")
}

// ParsePush returns the repository of a push event's payload (see
// ParsePush).
func (WebhookReceiver) ParsePush(body []byte) (string, error) {
	repo, _, _, err := ParsePush(body)
	return repo, err
}

// ParsePullRequest returns the pull request of a pull request event's
// payload (see ParsePullRequest).
func (WebhookReceiver) ParsePullRequest(body []byte) (tandem.PullRequestEvent, error) {
	return ParsePullRequest(body)
}
