package advisor

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// urgentWithin is how close the day work is needed by makes it urgent.
const urgentWithin = 14 * 24 * time.Hour

// Question is a piece of work as a person describes it: what they say of
// it, and the codebase and platform whose records tell the rest.
type Question struct {
	Driver, Owner, Phase, Policy, Maturity, Size string
	Trusted                                      bool
	Teams, TourWeeks, CollaboratingWeeks         int
	// Notice is how long before the work must start; 0 when not said.
	Notice time.Duration
	// NeededBy is the day the work is needed by; zero when not said.
	NeededBy time.Time
	// Codebase names the codebase that must change, "" for none: its
	// owner, policy, trusted list and readiness fill in what is not said.
	Codebase string
	// Platform names the platform the work is about, "" for none: its
	// support model, and its maturity unless said.
	Platform string
}

// Situation returns the situation of q: what it says, and what the
// records of its codebase and platform add. The phase follows from who
// drives and who owns unless given. It returns ENOTFOUND for a codebase,
// platform or team that is not in the catalog, and EINVALID when the phase
// is neither given nor follows from a driver and an owner.
func (s *Service) Situation(ctx context.Context, q Question) (Situation, error) {
	st := Situation{Driver: q.Driver, Owner: q.Owner, Phase: tandem.Phase(q.Phase), Policy: q.Policy,
		Maturity: q.Maturity, Size: cmp.Or(q.Size, tandem.SizeSmall), Readiness: -1, CrossTeam: true,
		Trusted: q.Trusted, Teams: q.Teams, TourWeeks: q.TourWeeks, CollaboratingWeeks: q.CollaboratingWeeks,
		Notice: q.Notice}
	if !q.NeededBy.IsZero() {
		left := q.NeededBy.Sub(s.now())
		st.Urgent = left < urgentWithin
		if st.Notice == 0 {
			st.Notice = max(left, 0)
		}
	}
	if q.Codebase != "" {
		if err := s.ofCodebase(ctx, &st, q.Codebase); err != nil {
			return st, err
		}
	}
	if q.Platform != "" {
		ps, err := s.Store.FindPlatforms(ctx, q.Platform)
		if err != nil {
			return st, err
		}
		st.Support = string(ps[0].Support)
		if st.Maturity == "" {
			st.Maturity = maturityOf(ps[0].Support)
		}
	}
	if st.Phase == "" {
		phase, cross, err := s.phaseOf(ctx, st.Driver, st.Owner)
		if err != nil {
			return st, err
		}
		st.Phase, st.CrossTeam = phase, cross
	}
	if st.Teams == 0 && st.Owner != "" {
		st.Teams = 1 // the owner's
	}
	return st, nil
}

// ofCodebase fills in st from the codebase called name: its owner and
// policy when not said, whether it trusts the driver, and its readiness.
func (s *Service) ofCodebase(ctx context.Context, st *Situation, name string) error {
	cs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: name})
	if err != nil {
		return err
	}
	c := cs[0]
	if c.Owner != nil && st.Owner == "" {
		st.Owner = *c.Owner
	}
	if st.Policy == "" {
		st.Policy = c.Contributions
	}
	if st.Driver != "" && !st.Trusted {
		st.Trusted = s.trusts(ctx, c, st.Driver)
	}
	st.Readiness, err = s.readiness(ctx, name)
	return err
}

// trusts reports whether codebase c trusts the team or one of its
// members; a team that cannot be read counts by its name alone.
func (s *Service) trusts(ctx context.Context, c tandem.Codebase, team string) bool {
	trusted := slices.Contains(c.Trusted, team)
	if teams, err := s.Store.FindTeams(ctx, team); err == nil {
		for _, m := range teams[0].Members {
			trusted = trusted || slices.Contains(c.Trusted, m)
		}
	}
	return trusted
}

// readiness returns the percentage of a codebase's readiness checks that
// hold, -1 when it has none.
func (s *Service) readiness(ctx context.Context, codebase string) (int, error) {
	results, err := s.Store.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: codebase})
	if err != nil {
		return -1, err
	}
	ok, n := 0, 0
	for _, res := range results {
		if kind, _, _ := tandem.SplitCheckID(res.Check); kind == "readiness" {
			n++
			if res.Holds {
				ok++
			}
		}
	}
	if n == 0 {
		return -1, nil
	}
	return 100 * ok / n, nil
}

// maturityOf is a platform's maturity as its support model shows it: a
// platform still giving white-glove help is young; one that is
// self-service is mature.
func maturityOf(support tandem.SupportModel) string {
	switch support {
	case tandem.SupportWhiteGlove:
		return "low"
	case tandem.SupportCommunity, tandem.SupportSelfService:
		return "high"
	case "":
		return ""
	}
	return "medium"
}

// phaseOf tells the phase of work from who drives it and who owns the code:
// a platform team changing product teams' code is a migration, a product
// team changing a platform's is evolution, a product team in its own code
// consuming a platform is consumption; a platform team in its own code is
// no cross-team work.
func (s *Service) phaseOf(ctx context.Context, driver, owner string) (tandem.Phase, bool, error) {
	if driver == "" || owner == "" {
		return "", true, tandem.Errorf(tandem.EINVALID, "say who drives and who owns the code (driver and owner, or a codebase), or give the phase")
	}
	typeOf := func(name string) (tandem.TeamType, error) {
		ts, err := s.Store.FindTeams(ctx, name)
		if err != nil {
			return "", err
		}
		return ts[0].Type, nil
	}
	dt, err := typeOf(driver)
	if err != nil {
		return "", true, err
	}
	ot, err := typeOf(owner)
	if err != nil {
		return "", true, err
	}
	switch {
	case driver == owner && dt == tandem.PlatformTeam:
		return "", false, nil
	case driver == owner:
		return tandem.PhaseConsumption, true, nil
	case dt == tandem.PlatformTeam && ot != tandem.PlatformTeam:
		return tandem.PhaseMigration, true, nil
	default:
		return tandem.PhaseEvolution, true, nil
	}
}
