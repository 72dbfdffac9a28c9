package bench

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/manifest"
)

// campaignCatalog is the catalog of SeedCampaign: a platform and its
// migration "big". The teams that own the codebases follow, from
// campaignTeams, and their code host, from campaignHost.
const campaignCatalog = `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: platform}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: platform}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: big}
spec: {platform: obslog, title: Big, target: {path: "**"}, deadline: "2027-01-31"}
`

// campaignHost is the code host of SeedCampaign's codebases: a local one
// whose folder does not exist, so that a server serving the seeded store
// scans nothing of it and keeps the codebases as they were seeded. A
// catalog file could not declare it: its folder must exist.
var campaignHost = tandem.CodeHost{Name: "bench", Type: tandem.HostLocal, Path: "/nonexistent/tandem-bench"}

// campaignTeams is how many teams own SeedCampaign's codebases.
const campaignTeams = 200

// seedBatch is how many codebases one SaveCodebases writes: a scan's
// batch, so that 50,000 codebases take a few dozen transactions.
const seedBatch = 1000

// SeedCampaign fills a store with one migration, "big", of n codebases and
// targets over 200 teams, in every state (one in len(tandem.TargetStates)
// of each, in each team but the unowned), as the campaign page's
// benchmark and load tests read it. It
// writes through the store's API, as a scan and a campaign would: a scan
// saves the codebases, in batches, with the check results that make them
// targets; tickets are filed per team; Tours of Duty proposed, change
// requests opened and exemptions granted target by target; and a second
// scan finds some codebases gone from their host and others no longer
// needing the change. The store stamps its own times: every target is
// found, and every done one done, at the time of the seed. It takes what
// a scan of n codebases takes, plus a transaction for each of the 3n/8
// targets moved one by one.
func SeedCampaign(ctx context.Context, db tandem.Store, n int) error {
	if err := applyCampaignCatalog(ctx, db); err != nil {
		return err
	}
	seed := campaignSeed{db: db, n: n}
	var err error
	if seed.checks, err = tandem.StoredChecks(ctx, db); err != nil {
		return err
	}
	if err := seed.scan(ctx); err != nil {
		return err
	}
	if err := seed.fileTickets(ctx); err != nil {
		return err
	}
	if err := seed.escalate(ctx); err != nil {
		return err
	}
	return seed.rescan(ctx)
}

// applyCampaignCatalog applies campaignCatalog, the teams that own the
// codebases and their code host.
func applyCampaignCatalog(ctx context.Context, db tandem.Store) error {
	var yaml strings.Builder
	yaml.WriteString(campaignCatalog)
	for i := range campaignTeams {
		fmt.Fprintf(&yaml, "---\napiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: %s}\nspec: {type: stream-aligned}\n", seedTeam(i))
	}
	objs, err := manifest.Decode([]manifest.Source{{Name: "campaign.yaml", Data: []byte(yaml.String())}})
	if err != nil {
		return err
	}
	host := campaignHost
	objs = append(objs, tandem.Object{Kind: tandem.KindCodeHost, Name: host.Name, File: "campaign.go", Spec: &host})
	_, err = db.Apply(ctx, objs)
	return err
}

// campaignSeed is one SeedCampaign: codebase i is svc-i, owned by
// seedTeam(i) but for the unowned ones, and its target ends in
// state(i).
type campaignSeed struct {
	db     tandem.Store
	n      int
	checks []tandem.NamedCheck // what a scan of the catalog evaluates
}

func seedCodebase(i int) string { return fmt.Sprintf("svc-%05d", i) }
func seedTeam(i int) string     { return fmt.Sprintf("team-%03d", i%campaignTeams) }

// state is the state codebase i's target ends in: each team has targets
// in every state.
func (s campaignSeed) state(i int) string {
	return tandem.TargetStates[i/campaignTeams%len(tandem.TargetStates)]
}

// codebases returns the indexes of the codebases whose targets end in
// one of states.
func (s campaignSeed) codebases(states ...string) []int {
	var is []int
	for i := range s.n {
		if slices.Contains(states, s.state(i)) {
			is = append(is, i)
		}
	}
	return is
}

// read returns what a scan reads of codebase i at head: its CODEOWNERS
// name its team, unless it is to be unowned, and the migration's target
// check holds, with its evidence, unless needed is false.
func (s campaignSeed) read(i int, head string, needed bool) tandem.CodebaseRead {
	c := tandem.Codebase{Name: seedCodebase(i), Host: campaignHost.Name, DefaultBranch: "main", Head: head}
	if s.state(i) != tandem.TargetUnowned {
		c.Ownership = tandem.Ownership{Codeowners: []string{"@acme/" + seedTeam(i)}, CodeownersFile: "CODEOWNERS"}
	}
	r := tandem.CodebaseRead{Codebase: c, BytesRead: 4 << 10}
	for _, nc := range s.checks {
		res := tandem.CheckResult{Codebase: c.Name, Check: nc.ID, Digest: nc.Digest, Commit: head}
		if _, _, role := tandem.SplitCheckID(nc.ID); role == tandem.RoleTarget && needed {
			res.Holds, res.Evidence = true, []tandem.Match{{Path: "main.go", Line: 3}}
		}
		r.Results = append(r.Results, res)
	}
	return r
}

// scan saves every codebase in a scan of the code host, each needing the
// migration's change: its target is found pending, or unowned.
func (s campaignSeed) scan(ctx context.Context) error {
	all := s.codebases(tandem.TargetStates...)
	names := make([]string, len(all))
	for j, i := range all {
		names[j] = seedCodebase(i)
	}
	scanID, err := s.startScan(ctx, tandem.Listing{Read: names, Complete: true})
	if err != nil {
		return err
	}
	return s.save(ctx, scanID, all, "c", true)
}

// save saves in scan scanID the reads of the codebases is at head, a
// batch per transaction.
func (s campaignSeed) save(ctx context.Context, scanID int64, is []int, head string, needed bool) error {
	for batch := range slices.Chunk(is, seedBatch) {
		reads := make([]tandem.CodebaseRead, len(batch))
		for j, i := range batch {
			reads[j] = s.read(i, head, needed)
		}
		if _, err := s.db.SaveCodebases(ctx, scanID, reads); err != nil {
			return err
		}
	}
	return nil
}

// startScan starts a scan of the code host whose listing is l, and
// returns its id.
func (s campaignSeed) startScan(ctx context.Context, l tandem.Listing) (int64, error) {
	none := func(context.Context, *sql.Tx, int64) error { return nil }
	scan, err := s.db.CreateScan(ctx, []string{campaignHost.Name}, none)
	if err != nil {
		return 0, err
	}
	_, err = s.db.RecordRepositories(ctx, scan.ID, campaignHost.Name, l, func(context.Context, *sql.Tx) error { return nil })
	return scan.ID, err
}

// fileTickets files one ticket per team for the targets that end
// ticketed, in a Tour of Duty or with a change request open.
func (s campaignSeed) fileTickets(ctx context.Context) error {
	byTeam := map[string][]string{}
	for _, i := range s.codebases(tandem.TargetTicketed, tandem.TargetTourProposed, tandem.TargetPROpen) {
		byTeam[seedTeam(i)] = append(byTeam[seedTeam(i)], seedCodebase(i))
	}
	for team, codebases := range byTeam {
		f := tandem.TicketFiling{Migration: "big", Team: team, Codebases: codebases, Evidence: map[string][]tandem.Match{},
			Title: "Big", Body: "Make the Big change.\n\n" + tandem.TicketMarker("big", team, "")}
		for _, c := range codebases {
			f.Evidence[c] = []tandem.Match{{Path: "main.go", Line: 3}}
		}
		if _, _, err := s.db.FileTicket(ctx, f); err != nil {
			return fmt.Errorf("file ticket for %s: %w", team, err)
		}
	}
	return nil
}

// escalate moves the targets that end in a Tour of Duty, with a change
// request open or exempt there, one by one, as escalations and
// exemptions do.
func (s campaignSeed) escalate(ctx context.Context) error {
	now := time.Now().UTC()
	for _, i := range s.codebases(tandem.TargetTourProposed, tandem.TargetPROpen, tandem.TargetExempt) {
		var err error
		switch c := seedCodebase(i); s.state(i) {
		case tandem.TargetTourProposed:
			_, _, err = s.db.ProposeTour(ctx, tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementProposed,
				HomeTeam: "platform", HostTeam: seedTeam(i), Purpose: "Make the Big change with the team.", Migration: "big",
				Codebases: []string{c}, Starts: now.Format(time.DateOnly), Ends: now.AddDate(0, 0, 42).Format(time.DateOnly)})
		case tandem.TargetPROpen:
			_, _, err = s.db.OpenChangeRequest(ctx, tandem.ChangeRequest{Migration: "big", Codebase: c, Branch: "tandem/big",
				Commit: "f", Title: "Big", Body: "Make the Big change."})
		case tandem.TargetExempt:
			_, err = s.db.Exempt(ctx, "big", c, tandem.Exemption{Reason: "retiring", Expires: now.AddDate(0, 3, 0), By: "bench", At: now})
		}
		if err != nil {
			return fmt.Errorf("%s: %w", seedCodebase(i), err)
		}
	}
	return nil
}

// rescan scans the code host again: the codebases whose targets end gone
// are no longer listed, those that end done are read at a new head that
// no longer needs the change, and the others are unchanged.
func (s campaignSeed) rescan(ctx context.Context) error {
	var l tandem.Listing
	l.Complete = true
	for i := range s.n {
		switch s.state(i) {
		case tandem.TargetGone:
		case tandem.TargetDone:
			l.Read = append(l.Read, seedCodebase(i))
		default:
			l.Unchanged = append(l.Unchanged, seedCodebase(i))
		}
	}
	scanID, err := s.startScan(ctx, l)
	if err != nil {
		return err
	}
	return s.save(ctx, scanID, s.codebases(tandem.TargetDone), "d", false)
}
