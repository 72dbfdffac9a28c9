package tandem

import (
	"context"
	"strconv"
	"strings"
)

// Tracker types: where a team's tickets go.
const (
	TrackerBuiltin = "builtin"
	TrackerGitea   = "gitea"
	TrackerGitHub  = "github"
	TrackerGitLab  = "gitlab"
	TrackerJira    = "jira"
)

// ExternalTicket is a ticket as a team's own tracker knows it.
type ExternalTicket struct {
	ID    string // the tracker's number or key
	URL   string
	State string // open | closed
	// Head is a pull request's head commit, where the code host says
	// (empty for tickets).
	Head string
	// Reviewed says that someone reviewed the pull request: approved it,
	// asked for changes or commented a review.
	Reviewed bool
}

// TicketTracker files and follows tickets in a team's own tracker. Every
// ticket body and comment carries a hidden marker, so that Tandem finds
// what it wrote again after a crash or the loss of its database instead
// of writing it twice.
type TicketTracker interface {
	// Find returns the ticket whose body carries marker.
	Find(ctx context.Context, marker string) (ExternalTicket, bool, error)
	Create(ctx context.Context, title, body string, labels []string) (ExternalTicket, error)
	// Comment adds body to the ticket unless a comment carrying marker is
	// there already.
	Comment(ctx context.Context, id, body, marker string) error
	// SetState opens or closes the ticket.
	SetState(ctx context.Context, id string, open bool) error
}

// ChangeProposer opens pull requests on a code host for changes committed
// in a codebase's mirror (a campaign's fix).
type ChangeProposer interface {
	// Propose pushes branch and opens a pull request from it into base, or
	// returns the one already open (or merged) from that branch.
	Propose(ctx context.Context, codebase, branch, base, title, body string) (ExternalTicket, error)
	// PullRequest reads the state (open, merged or closed) of the pull
	// request at url on the codebase's repository.
	PullRequest(ctx context.Context, codebase, url string) (ExternalTicket, error)
	// CommentPullRequest adds body to the pull request at url unless a
	// comment carrying marker is there already.
	CommentPullRequest(ctx context.Context, codebase, url, body, marker string) error
	// RequestReviewers asks the CODEOWNERS owners reviewers (@org/team,
	// @user; e-mail addresses are skipped) to review the pull request at
	// url, again when they were asked before.
	RequestReviewers(ctx context.Context, codebase, url string, reviewers []string) error
}

// ReviewerHandles splits CODEOWNERS owners into the users (@user, as
// "user") and the teams (@org/team, as "team") a code host is asked to
// review by; e-mail addresses and other forms are left out.
func ReviewerHandles(owners []string) (users, teams []string) {
	for _, o := range owners {
		handle, ok := strings.CutPrefix(o, "@")
		if !ok || handle == "" {
			continue
		}
		if i := strings.LastIndexByte(handle, '/'); i >= 0 {
			teams = append(teams, handle[i+1:])
			continue
		}
		users = append(users, handle)
	}
	return users, teams
}

// PullRequestNumber returns the number a code host gives the pull request
// at url: the last part of its path on Gitea (/pulls/N), GitHub (/pull/N)
// and GitLab (/-/merge_requests/N).
func PullRequestNumber(url string) (int64, error) {
	n, err := strconv.ParseInt(url[strings.LastIndexByte(url, '/')+1:], 10, 64)
	if err != nil || n <= 0 {
		return 0, Errorf(EINVALID, "%s is not the address of a pull request: it does not end in its number", url)
	}
	return n, nil
}

// TicketHost returns the web host (as CodeHost.WebHost returns it) where a
// team's tickets live: the code host holding a gitea, github or gitlab
// tracker's repository (codeHost, the CodeHost its Host names), or a jira
// tracker's site. It returns "" for the built-in tracker, whose tickets
// have no host of their own, and so for any URL host.
func TicketHost(t Tracker, codeHost CodeHost) string {
	switch t.Type {
	case TrackerGitea, TrackerGitHub, TrackerGitLab:
		return codeHost.WebHost()
	case TrackerJira:
		return hostOf(t.URL)
	}
	return ""
}
