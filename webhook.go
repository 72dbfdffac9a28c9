package tandem

import (
	"context"
	"net/http"
	"time"
)

// DeliveryWindow is how long a code host's webhook delivery is
// remembered: the same delivery again within it is a replay, acted on
// once; after it, a delivery is new again.
const DeliveryWindow = 24 * time.Hour

// DeliveryStore remembers the webhook deliveries acted on, so that a
// replay (the code host's retry, or someone's) does nothing, across
// restarts and every process sharing the store.
type DeliveryStore interface {
	// RecordDelivery records a verified delivery of a code host under
	// its keys (its delivery id, the digest of its body) at now, and
	// forgets the deliveries older than DeliveryWindow. It reports false,
	// recording nothing, when one of the keys is already recorded: of two
	// deliveries with a key in common, even concurrent ones, one is new.
	RecordDelivery(ctx context.Context, host string, keys []string, now time.Time) (bool, error)
	// ForgetDelivery removes a delivery's keys, so that a delivery that
	// could not be acted on is acted on when the code host retries it.
	ForgetDelivery(ctx context.Context, host string, keys []string) error
}

// Webhook events, as a WebhookReceiver names them.
const (
	EventPush        = "push"         // commits pushed to a repository
	EventPullRequest = "pull_request" // a pull (merge) request opened, merged, closed…
)

// WebhookReceiver reads the webhook deliveries of one type of code host
// (HostGitea, HostGitHub, HostGitLab): how they are signed, named and
// shaped.
type WebhookReceiver interface {
	// Verify reports whether the delivery of body with the headers h was
	// signed with secret. An empty secret verifies nothing.
	Verify(secret, body []byte, h http.Header) bool
	// Delivery returns the event of a delivery, EventPush,
	// EventPullRequest or the host's own name of another, and the id
	// the host gives the delivery, the same when it retries or
	// redelivers it, or "" when there is none.
	Delivery(h http.Header) (event, id string)
	// ParsePush returns the repository a push event's payload names, a
	// name that stays inside a folder (see FolderName). A payload that
	// is not a push event, or another name, is EINVALID.
	ParsePush(body []byte) (repo string, err error)
	// ParsePullRequest returns what a pull request event's payload says
	// of its pull request: its repository (a FolderName), number,
	// address, head commit, base branch, the action, and its state,
	// ChangeOpen, ChangeMerged or ChangeClosed. A payload that is not
	// such an event, or without the pull request's address, is EINVALID.
	ParsePullRequest(body []byte) (PullRequestEvent, error)
}
