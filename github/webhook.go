package github

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v74/github"

	"github.com/tandem-dev/tandem"
)

// VerifySignature reports whether signature, a webhook's
// X-Hub-Signature-256 header, is the HMAC-SHA256 of body under secret.
func VerifySignature(secret, body []byte, signature string) bool {
	return strings.HasPrefix(signature, "sha256=") && gh.ValidateSignature(signature, body, secret) == nil
}

// WebhookReceiver reads GitHub's webhook deliveries: signed in
// X-Hub-Signature-256, named in X-GitHub-Event and identified by
// X-GitHub-Delivery.
type WebhookReceiver struct{}

var _ tandem.WebhookReceiver = WebhookReceiver{}

// Verify reports whether the delivery's X-Hub-Signature-256 is the HMAC
// of body under secret, which must not be empty.
func (WebhookReceiver) Verify(secret, body []byte, h http.Header) bool {
	return len(secret) > 0 && VerifySignature(secret, body, h.Get("X-Hub-Signature-256"))
}

// Delivery returns the X-GitHub-Event and X-GitHub-Delivery of a
// delivery.
func (WebhookReceiver) Delivery(h http.Header) (event, id string) {
	return h.Get("X-GitHub-Event"), h.Get("X-GitHub-Delivery")
}

// ParsePush returns the repository a push event's payload names. A
// payload without repository name or ref, or a name that is not a
// tandem.FolderName, is EINVALID.
func (WebhookReceiver) ParsePush(body []byte) (string, error) {
	var p gh.PushEvent
	if err := json.Unmarshal(body, &p); err != nil {
		return "", tandem.Errorf(tandem.EINVALID, "push event: %v", err)
	}
	repo := p.GetRepo().GetName()
	if repo == "" || p.GetRef() == "" {
		return "", tandem.Errorf(tandem.EINVALID, "push event: repository name or ref missing")
	}
	// The name picks a mirror folder: nothing that could leave it.
	if !tandem.FolderName(repo) {
		return "", tandem.Errorf(tandem.EINVALID, "push event: %q is not a repository name", repo)
	}
	return repo, nil
}

// ParsePullRequest returns what a pull request event's payload says of
// its pull request: closed with merged set is tandem.ChangeMerged. A
// payload without the pull request's address, or whose repository name
// is not a tandem.FolderName, is EINVALID.
func (WebhookReceiver) ParsePullRequest(body []byte) (tandem.PullRequestEvent, error) {
	var p gh.PullRequestEvent
	if err := json.Unmarshal(body, &p); err != nil {
		return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: %v", err)
	}
	pr := p.GetPullRequest()
	if pr.GetHTMLURL() == "" {
		return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: the pull request's address is missing")
	}
	repo := p.GetRepo().GetName()
	// The name picks a mirror folder: nothing that could leave it.
	if repo != "" && !tandem.FolderName(repo) {
		return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: %q is not a repository name", repo)
	}
	state := pr.GetState()
	if pr.GetMerged() {
		state = tandem.ChangeMerged
	}
	return tandem.PullRequestEvent{Repo: repo, Number: int64(cmp.Or(p.GetNumber(), pr.GetNumber())), Head: pr.GetHead().GetSHA(),
		Base: pr.GetBase().GetRef(), Action: p.GetAction(), URL: pr.GetHTMLURL(), State: tandem.ChangeState(state)}, nil
}
