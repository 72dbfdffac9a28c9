package gitea

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
// not to a branch (a tag). A payload that is not a push event is EINVALID.
// GitHub's push events have the same fields; GitLab's name the repository
// by its display name, so the last part of its project's path is taken.
func ParsePush(body []byte) (repo, branch, after string, err error) {
	var p struct {
		Ref        string `json:"ref"`
		After      string `json:"after"`
		Repository struct {
			Name string `json:"name"`
		} `json:"repository"`
		Project struct {
			Path string `json:"path_with_namespace"`
		} `json:"project"`
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
	repo = p.Repository.Name
	if p.Project.Path != "" {
		repo = p.Project.Path[strings.LastIndex(p.Project.Path, "/")+1:]
	}
	// The name picks a mirror folder: nothing that could leave it.
	if repo == "" || repo == "." || repo == ".." || strings.ContainsAny(repo, `/\`) {
		return "", "", "", tandem.Errorf(tandem.EINVALID, "push event: %q is not a repository name", repo)
	}
	return repo, branch, p.After, nil
}

// ParsePullRequest returns the address of the pull request and its state
// (open, merged or closed) from the payload of a pull request event. The
// payloads of Gitea and GitHub carry it as pull_request, with merged set
// once merged; GitLab's merge request events as object_attributes, whose
// state is opened, merged, closed or locked. A payload that is not such an
// event is EINVALID.
func ParsePullRequest(body []byte) (url, state string, err error) {
	var p struct {
		PullRequest *struct {
			URL    string `json:"html_url"`
			State  string `json:"state"`
			Merged bool   `json:"merged"`
		} `json:"pull_request"`
		MergeRequest *struct {
			URL   string `json:"url"`
			State string `json:"state"`
		} `json:"object_attributes"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return "", "", tandem.Errorf(tandem.EINVALID, "pull request event: %v", err)
	}
	switch {
	case p.PullRequest != nil && p.PullRequest.URL != "":
		url, state = p.PullRequest.URL, p.PullRequest.State
		if p.PullRequest.Merged {
			state = tandem.ChangeMerged
		}
	case p.MergeRequest != nil && p.MergeRequest.URL != "":
		url, state = p.MergeRequest.URL, p.MergeRequest.State
	default:
		return "", "", tandem.Errorf(tandem.EINVALID, "pull request event: the pull request's address is missing")
	}
	switch state {
	case tandem.ChangeMerged, tandem.ChangeClosed:
	default:
		state = tandem.ChangeOpen
	}
	return url, state, nil
}
