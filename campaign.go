package tandem

import (
	"context"
	"time"
)

// Campaign is a migration's progress: its targets and how many are in
// each state.
type Campaign struct {
	Migration Migration      `json:"migration"`
	Counts    map[string]int `json:"counts"`
	Targets   []Target       `json:"targets"`
}

// CampaignStore is what a campaign reads beyond its targets, tickets and
// change requests: its pace, and one actor at a time per migration.
type CampaignStore interface {
	// CreatedSince returns when a migration created tickets and change
	// requests since a time, for rollout limits.
	CreatedSince(ctx context.Context, migration string, since time.Time) ([]time.Time, error)
	// Exclusive runs fn while holding the lock called name: one caller at
	// a time, among every process sharing the store.
	Exclusive(ctx context.Context, name string, fn func(context.Context) error) error
}
