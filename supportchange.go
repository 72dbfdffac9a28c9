package tandem

import (
	"context"
	"fmt"
	"time"
)

// Support change states.
const (
	SupportAnnounced = "announced"
	SupportApplied   = "applied"
	SupportWithdrawn = "withdrawn"
)

// SupportChangeStates lists every support change state.
var SupportChangeStates = []string{SupportAnnounced, SupportApplied, SupportWithdrawn}

// SupportChange is an announced change of a platform's support model: it
// takes effect on Effective, and is posted to every consuming team's
// tracker before that.
type SupportChange struct {
	ID           int64        `json:"id"`
	Platform     string       `json:"platform"`
	From         SupportModel `json:"from"`
	To           SupportModel `json:"to"`
	Announcement string       `json:"announcement"`
	Effective    string       `json:"effective"` // YYYY-MM-DD
	// State is announced, applied or withdrawn (SupportChangeLifecycle).
	State       string     `json:"state"`
	By          string     `json:"by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	AppliedAt   *time.Time `json:"applied_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at"`
	WithdrawnBy string     `json:"withdrawn_by,omitempty"`
	// Teams are the consuming teams told, with their tickets.
	Teams []string `json:"teams"`
}

// SupportChangeStore keeps the announced changes of platforms' support
// models. Only members of the platform's owner team change one:
// EFORBIDDEN otherwise.
type SupportChangeStore interface {
	// AnnounceSupportChange records a support model change and files its
	// announcement in every given team's tracker, once per team; a
	// platform has one change announced at a time.
	AnnounceSupportChange(ctx context.Context, c SupportChange, teams []string) (SupportChange, error)
	// WithdrawSupportChange withdraws an announced change before it takes
	// effect, closing its announcement tickets with the reason.
	WithdrawSupportChange(ctx context.Context, platform string, id int64, reason, by string) (SupportChange, error)
	FindSupportChanges(ctx context.Context, platform string) ([]SupportChange, error)
	// ApplySupportChanges makes due announced changes effective.
	ApplySupportChanges(ctx context.Context, now time.Time) ([]SupportChange, error)
}

// Topic is the topic of the tickets announcing c.
func (c SupportChange) Topic() string { return fmt.Sprintf("support-change/%d", c.ID) }

// Ticket returns the title, body and marker of the ticket announcing c
// to team.
func (c SupportChange) Ticket(team string) (title, body, marker string) {
	marker = "<!-- tandem:" + c.Topic() + ";team=" + team + " -->"
	title = fmt.Sprintf("%s support changes from %s to %s on %s", c.Platform, c.From.OrNone(), c.To, c.Effective)
	return title, c.Announcement + "\n\n" + marker, marker
}
