package gitlab

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tandem-dev/tandem"
)

// VerifyToken reports whether header, a webhook's X-Gitlab-Token header,
// is secret. GitLab sends the secret itself rather than a signature.
func VerifyToken(secret []byte, header string) bool {
	return len(secret) > 0 && header != "" && subtle.ConstantTimeCompare(secret, []byte(header)) == 1
}

// WebhookReceiver reads GitLab's webhook deliveries: carrying the secret
// in X-Gitlab-Token, named in X-Gitlab-Event and identified by
// Idempotency-Key (GitLab 17.4 and later) or else X-Gitlab-Event-UUID.
type WebhookReceiver struct{}

var _ tandem.WebhookReceiver = WebhookReceiver{}

// Verify reports whether the delivery's X-Gitlab-Token is secret.
func (WebhookReceiver) Verify(secret, _ []byte, h http.Header) bool {
	return VerifyToken(secret, h.Get("X-Gitlab-Token"))
}

// Delivery returns the event of a delivery, its X-Gitlab-Event with a
// push and a merge request named as Gitea and GitHub name them, and its
// id.
func (WebhookReceiver) Delivery(h http.Header) (event, id string) {
	switch event = h.Get("X-Gitlab-Event"); event {
	case "Push Hook":
		event = tandem.EventPush
	case "Merge Request Hook":
		event = tandem.EventPullRequest
	}
	id = h.Get("Idempotency-Key")
	if id == "" {
		id = h.Get("X-Gitlab-Event-UUID")
	}
	return event, id
}

// ParsePush returns the project a push event's payload names: the last
// part of its path, as the event's repository has the project's display
// name. A payload without repository or ref, or a path whose last part is
// not a tandem.FolderName, is EINVALID.
func (WebhookReceiver) ParsePush(body []byte) (string, error) {
	var p struct {
		Ref        string `json:"ref"`
		Repository struct {
			Name string `json:"name"`
		} `json:"repository"`
		Project struct {
			Path string `json:"path_with_namespace"`
		} `json:"project"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return "", tandem.Errorf(tandem.EINVALID, "push event: %v", err)
	}
	if p.Repository.Name == "" || p.Ref == "" {
		return "", tandem.Errorf(tandem.EINVALID, "push event: repository name or ref missing")
	}
	repo := p.Repository.Name
	if p.Project.Path != "" {
		repo = p.Project.Path[strings.LastIndex(p.Project.Path, "/")+1:]
	}
	// The name picks a mirror folder: nothing that could leave it.
	if !tandem.FolderName(repo) {
		return "", tandem.Errorf(tandem.EINVALID, "push event: %q is not a repository name", repo)
	}
	return repo, nil
}

// ParsePullRequest returns what a merge request event's payload says of
// its merge request, its object_attributes: a state of opened, merged,
// closed or locked (being merged, and so still open), the action (open,
// reopen, update…), the last commit and the target branch; and the
// project, by the last part of its path. A payload without the merge
// request's address, or whose project path does not end in a
// tandem.FolderName, is EINVALID.
func (WebhookReceiver) ParsePullRequest(body []byte) (tandem.PullRequestEvent, error) {
	var p struct {
		MergeRequest *struct {
			IID        int64  `json:"iid"`
			URL        string `json:"url"`
			State      string `json:"state"`
			Action     string `json:"action"`
			Target     string `json:"target_branch"`
			LastCommit struct {
				ID string `json:"id"`
			} `json:"last_commit"`
		} `json:"object_attributes"`
		Project struct {
			Path string `json:"path_with_namespace"`
		} `json:"project"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: %v", err)
	}
	mr := p.MergeRequest
	if mr == nil || mr.URL == "" {
		return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: the pull request's address is missing")
	}
	var repo string
	if p.Project.Path != "" {
		repo = p.Project.Path[strings.LastIndex(p.Project.Path, "/")+1:]
		// The name picks a mirror folder: nothing that could leave it.
		if !tandem.FolderName(repo) {
			return tandem.PullRequestEvent{}, tandem.Errorf(tandem.EINVALID, "pull request event: %q is not a project path", p.Project.Path)
		}
	}
	return tandem.PullRequestEvent{Repo: repo, Number: mr.IID, Head: mr.LastCommit.ID, Base: mr.Target,
		Action: mr.Action, URL: mr.URL, State: tandem.ChangeState(mr.State)}, nil
}
