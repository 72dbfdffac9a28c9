package web

import (
	"context"
	"net/http"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
)

// handleCampaignStats answers a campaign's analytics
// (tandem.CampaignStats); ?stuck_after= (14d, 36h) sets when open work
// without action counts as stuck.
func (s *Server) handleCampaignStats(w http.ResponseWriter, r *http.Request) {
	after, err := stuckAfter(r.URL.Query().Get("stuck_after"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.campaigns.Stats(r.Context(), r.PathValue("name"), after)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// stuckAfter parses a stuck_after parameter: tandem.DefaultStuckAfter
// when empty.
func stuckAfter(v string) (time.Duration, error) {
	if v == "" {
		return tandem.DefaultStuckAfter, nil
	}
	d, err := tandem.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, tandem.Errorf(tandem.EINVALID, "stuck_after %q: want a positive duration such as 14d or 36h", v)
	}
	return d, nil
}

// campaignWork returns what reads a campaign's work for the advisor's
// history: nil for a server without a campaign service.
func campaignWork(c *campaign.Service) func(ctx context.Context, migration string) ([]tandem.Work, error) {
	if c == nil {
		return nil
	}
	return c.Work
}
