package tandem

import (
	"context"
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
