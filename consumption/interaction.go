package consumption

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// Team Topologies interaction modes, strongest first.
const (
	ModeCollaboration = "collaboration"
	ModeFacilitating  = "facilitating"
	ModeXAsAService   = "x-as-a-service"
)

// Modes lists every interaction mode, strongest first.
var Modes = []string{ModeCollaboration, ModeFacilitating, ModeXAsAService}

// facilitatingWindow is how recent a session must be for its attendees to
// count as facilitated.
const facilitatingWindow = 90 * day

// Interaction is how two teams interact now: the strongest mode with
// evidence, since when, and every mode that has evidence.
type Interaction struct {
	A    string `json:"a"`
	B    string `json:"b"`
	Mode string `json:"mode"`
	// Since is when Mode began, YYYY-MM-DD; "" when the data does not say
	// (an adoption without requests).
	Since    string   `json:"since"`
	Evidence []string `json:"evidence"`
	// Modes are every mode with evidence, strongest first; the first is
	// Mode.
	Modes []ModeEvidence `json:"modes"`
}

// ModeEvidence is one interaction mode between two teams and what shows it.
type ModeEvidence struct {
	Mode     string   `json:"mode"`
	Since    string   `json:"since"`
	Evidence []string `json:"evidence"`
}

// InteractionInput is what interactions are derived from.
type InteractionInput struct {
	// Platforms give each platform's owning team.
	Platforms []tandem.Platform
	// Adoption gives the teams adopting each platform.
	Adoption    []tandem.Adoption
	Requests    []tandem.Request
	Engagements []tandem.Engagement
	Sessions    []tandem.Session
}

// Interactions returns, for each pair of distinct teams with something
// between them, sorted by A then B with A < B, the interaction mode that
// holds at now:
//   - collaboration: an active engagement between them (home and host
//     team), since its start;
//   - facilitating: one attended a session of a platform the other owns in
//     the last 90 days, since the first such session;
//   - x-as-a-service: one adopted a platform the other owns or filed
//     requests with it, since the first request ("" for adoption alone).
//
// Collaboration wins over facilitating, which wins over x-as-a-service;
// Modes keeps the evidence of each. Platforms without a known owner and
// empty team names are ignored.
func Interactions(in InteractionInput, now time.Time) []Interaction {
	owner := map[string]string{}
	for _, p := range in.Platforms {
		owner[p.Name] = p.Owner
	}
	found := pairModes{}
	found.collaborations(in.Engagements)
	found.facilitations(in.Sessions, owner, now)
	found.services(in.Requests, in.Adoption, owner)
	return found.interactions()
}

// pairModes is the evidence of each mode between two teams, by pair
// (sorted) and mode.
type pairModes map[[2]string]map[string]*ModeEvidence

// add records evidence of a mode between teams x and y since a day (""
// when unknown); a team with itself or with no team is no pair.
func (found pairModes) add(x, y, mode, since, evidence string) {
	if x == "" || y == "" || x == y {
		return
	}
	key := [2]string{min(x, y), max(x, y)}
	if found[key] == nil {
		found[key] = map[string]*ModeEvidence{}
	}
	m := found[key][mode]
	if m == nil {
		m = &ModeEvidence{Mode: mode, Since: since}
		found[key][mode] = m
	}
	if since != "" && (m.Since == "" || since < m.Since) {
		m.Since = since
	}
	m.Evidence = append(m.Evidence, evidence)
}

// collaborations records every active engagement as collaboration between
// its home and host teams, since its start.
func (found pairModes) collaborations(engagements []tandem.Engagement) {
	for _, e := range engagements {
		if e.State != tandem.EngagementActive {
			continue
		}
		who := e.Person
		if who == "" {
			who = "an engineer"
		}
		found.add(e.HomeTeam, e.HostTeam, ModeCollaboration, e.Starts, fmt.Sprintf("%s: %s of %s works with %s from %s to %s",
			e.Type, who, e.HomeTeam, e.HostTeam, e.Starts, e.Ends))
	}
}

// facilitations records, for every team that attended sessions of a
// platform with a known owner in the facilitatingWindow before now,
// facilitating between the owner and the team, since the first of them.
func (found pairModes) facilitations(sessions []tandem.Session, owner map[string]string, now time.Time) {
	type attendance struct {
		platform, team string
	}
	attended := map[attendance][]time.Time{}
	for _, s := range sessions {
		if owner[s.Platform] == "" || !s.At.After(now.Add(-facilitatingWindow)) || s.At.After(now) {
			continue
		}
		for team, people := range s.Attendees {
			if people > 0 {
				k := attendance{s.Platform, team}
				attended[k] = append(attended[k], s.At)
			}
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(attended), func(x, y attendance) int {
		return cmp.Or(cmp.Compare(x.platform, y.platform), cmp.Compare(x.team, y.team))
	}) {
		ats := attended[k]
		slices.SortFunc(ats, time.Time.Compare)
		first, last := ats[0].UTC().Format(time.DateOnly), ats[len(ats)-1].UTC().Format(time.DateOnly)
		found.add(owner[k.platform], k.team, ModeFacilitating, first, fmt.Sprintf("%s attended %s of %s in the last 90 days, the last on %s",
			k.team, plural(len(ats), "session"), k.platform, last))
	}
}

// services records x-as-a-service between the owner of a platform and
// every team that filed requests with it, since the first, and every team
// that adopted it.
func (found pairModes) services(reqs []tandem.Request, adoption []tandem.Adoption, owner map[string]string) {
	type filing struct {
		platform, team string
	}
	filed := map[filing][]time.Time{}
	for _, r := range reqs {
		if owner[r.Platform] != "" {
			k := filing{r.Platform, r.FromTeam}
			filed[k] = append(filed[k], r.CreatedAt)
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(filed), func(x, y filing) int {
		return cmp.Or(cmp.Compare(x.platform, y.platform), cmp.Compare(x.team, y.team))
	}) {
		ats := filed[k]
		slices.SortFunc(ats, time.Time.Compare)
		first := ats[0].UTC().Format(time.DateOnly)
		found.add(owner[k.platform], k.team, ModeXAsAService, first, fmt.Sprintf("%s filed %s with %s since %s",
			k.team, plural(len(ats), "request"), k.platform, first))
	}
	for _, a := range adoption {
		for _, team := range a.Teams {
			found.add(owner[a.Platform], team, ModeXAsAService, "", fmt.Sprintf("%s adopted %s", team, a.Platform))
		}
	}
}

// interactions returns every pair's interaction, sorted by A then B: its
// strongest mode first.
func (found pairModes) interactions() []Interaction {
	out := []Interaction{}
	for _, key := range slices.SortedFunc(maps.Keys(found), func(x, y [2]string) int {
		return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1]))
	}) {
		i := Interaction{A: key[0], B: key[1], Modes: []ModeEvidence{}}
		for _, mode := range Modes {
			if m := found[key][mode]; m != nil {
				i.Modes = append(i.Modes, *m)
			}
		}
		i.Mode, i.Since, i.Evidence = i.Modes[0].Mode, i.Modes[0].Since, i.Modes[0].Evidence
		out = append(out, i)
	}
	return out
}

// Interactions derives how every pair of teams works together now, from
// every platform, adoption, request, engagement and session. It returns
// the store's errors.
func (s *Service) Interactions(ctx context.Context) ([]Interaction, error) {
	var in InteractionInput
	var err error
	if in.Platforms, err = s.Store.FindPlatforms(ctx, ""); err != nil {
		return nil, err
	}
	if in.Adoption, err = s.Adoption(ctx, ""); err != nil {
		return nil, err
	}
	if in.Requests, err = s.Store.FindRequests(ctx, tandem.RequestFilter{}); err != nil {
		return nil, err
	}
	if in.Engagements, err = s.Store.FindEngagements(ctx, tandem.EngagementFilter{}); err != nil {
		return nil, err
	}
	if in.Sessions, err = s.Store.FindSessions(ctx, ""); err != nil {
		return nil, err
	}
	return Interactions(in, s.now()), nil
}
