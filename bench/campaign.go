package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/sqlstore"
)

// campaignCatalog is the catalog of SeedCampaign: a platform and its
// migration "big".
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

// SeedCampaign fills a store with one migration, "big", of n codebases and
// targets over 200 teams, in every state, found over the last 60 days, as
// the campaign page's benchmark and load tests read it. The rows are
// written directly, in one transaction, without scanning anything.
func SeedCampaign(ctx context.Context, db *sqlstore.DB, n int) error {
	objs, err := manifest.Decode([]manifest.Source{{Name: "campaign.yaml", Data: []byte(campaignCatalog)}})
	if err != nil {
		return err
	}
	if _, err := db.Apply(ctx, objs); err != nil {
		return err
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	for i := range n {
		name := fmt.Sprintf("svc-%05d", i)
		team := fmt.Sprintf("team-%03d", i%200)
		if _, err := tx.ExecContext(ctx, `INSERT INTO codebases (name, host, default_branch, head, ownership, problems, owner, owner_source, contributions, trusted)
			VALUES ($1, 'h', 'main', 'c', '{}', '[]', $2, 'codeowners', 'closed', '[]')`, name, team); err != nil {
			return err
		}
		state := tandem.TargetStates[i%len(tandem.TargetStates)]
		found := now.AddDate(0, 0, -(i % 60))
		var done any
		if state == tandem.TargetDone {
			done = found.AddDate(0, 0, 3)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO targets (migration, codebase, state, evidence, commit_id, found_at, done_at, team)
			VALUES ('big', $1, $2, '[{"path":"main.go","line":3}]', 'c', $3, $4, $5)`, name, state, found, done, team); err != nil {
			return err
		}
	}
	return tx.Commit()
}
