package consumption

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
)

// DefaultSupportNotice is how long before it takes effect a support model
// change must be announced, when the platform sets no notice.
const DefaultSupportNotice = 28 * day

// ValidateSupportChange returns an EINVALID error naming the field unless
// c, announced at now, moves platform p to another support model, no
// sooner than p's notice (DefaultSupportNotice unless it sets one), and
// says how and why; and the error of a notice of p that does not parse.
func ValidateSupportChange(p tandem.Platform, c tandem.SupportChange, now time.Time) error {
	notice := DefaultSupportNotice
	if p.SupportNotice != "" {
		var err error
		if notice, err = tandem.ParseDuration(p.SupportNotice); err != nil {
			return err
		}
	}
	effective, err := time.Parse(time.DateOnly, c.Effective)
	earliest := now.Add(notice).Truncate(day)
	switch {
	case !slices.Contains(tandem.SupportModels, c.To):
		return tandem.Errorf(tandem.EINVALID, "to: %q is not a support model", c.To)
	case c.To == p.Support:
		return tandem.Errorf(tandem.EINVALID, "to: %s is already %s's support model", c.To, p.Name)
	case err != nil:
		return tandem.Errorf(tandem.EINVALID, "effective: %q is not a date (YYYY-MM-DD)", c.Effective)
	case effective.Before(earliest):
		return tandem.Errorf(tandem.EINVALID, "effective: %s gives consumers less than the %s notice; the earliest is %s",
			c.Effective, noticeText(notice), earliest.Format(time.DateOnly))
	case c.Announcement == "":
		return tandem.Errorf(tandem.EINVALID, "announcement: required: say how support changes and why")
	}
	return nil
}

// noticeText is a notice in whole days, as an adjective: "28-day".
func noticeText(d time.Duration) string {
	return strconv.Itoa(int(d.Hours()/24)) + "-day"
}

// ConsumingTeams returns the teams that use platform p, sorted: adopters,
// requesters, and hosts of its engagements, never its owner. It returns
// the store's errors.
func (s *Service) ConsumingTeams(ctx context.Context, p tandem.Platform) ([]string, error) {
	seen := map[string]bool{}
	as, err := s.Adoption(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	for _, t := range as[0].Teams {
		seen[t] = true
	}
	reqs, err := s.Store.FindRequests(ctx, tandem.RequestFilter{Platform: p.Name})
	if err != nil {
		return nil, err
	}
	for _, q := range reqs {
		seen[q.FromTeam] = true
	}
	es, err := s.Store.FindEngagements(ctx, tandem.EngagementFilter{Platform: p.Name})
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		seen[e.HostTeam] = true
	}
	delete(seen, p.Owner)
	teams := make([]string, 0, len(seen))
	for t := range seen {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	return teams, nil
}

// NewSession returns ss as it is to be recorded, held at now unless it
// says when, or an EINVALID error unless it is office hours or a
// community session.
func NewSession(ss tandem.Session, now time.Time) (tandem.Session, error) {
	if ss.Kind != tandem.SessionOfficeHours && ss.Kind != tandem.SessionCommunity {
		return ss, tandem.Errorf(tandem.EINVALID, "session kind %q is not office-hours or community", ss.Kind)
	}
	if ss.At.IsZero() {
		ss.At = now
	}
	return ss, nil
}
