package tandem

import (
	"context"
	"time"
)

// Session kinds: how a platform meets its consumers.
const (
	SessionOfficeHours = "office-hours"
	SessionCommunity   = "community" // a community-of-practice meeting
)

// Session is an office hours or community-of-practice meeting of a
// platform: who hosted it, which teams came, what they asked.
type Session struct {
	ID        int64          `json:"id"`
	Platform  string         `json:"platform"`
	Kind      string         `json:"kind"`
	At        time.Time      `json:"at"`
	Host      string         `json:"host"`
	Attendees map[string]int `json:"attendees"` // people by team
	Questions []string       `json:"questions"`
}

// SessionStore keeps the office hours and community sessions of platforms.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) (Session, error)
	FindSessions(ctx context.Context, platform string) ([]Session, error)
}
