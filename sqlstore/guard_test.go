package sqlstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestGuardReports checks that a report is kept once per pull request
// head and migration, replaced when saved again, and found by each field,
// newest first.
func TestGuardReports(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db := open(t, e)
			at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
			report := func(number int64, head, migration string, posted time.Time) tandem.GuardReport {
				return tandem.GuardReport{Host: "forge", Repo: "api", Number: number, URL: "http://forge/acme/api/pulls/1", Head: head,
					Migration: migration, Mode: tandem.GuardBlock, State: tandem.StatusSuccess, PostedAt: posted}
			}
			first := report(1, "aaa", "logrus", at)
			for _, r := range []tandem.GuardReport{first, report(1, "aaa", "gomock", at.Add(time.Minute)), report(2, "bbb", "logrus", at.Add(2*time.Minute))} {
				if err := db.SaveGuardReport(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			commented := at.Add(3 * time.Minute)
			first.State, first.Evidence, first.CommentedAt = tandem.StatusFailure, []tandem.Match{{Path: "main.go", Line: 3}}, &commented
			if err := db.SaveGuardReport(ctx, first); err != nil {
				t.Fatal(err)
			}

			got, err := db.FindGuardReports(ctx, tandem.GuardReportFilter{Host: "forge", Repo: "api", Number: 1, Head: "aaa", Migration: "logrus"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].State != tandem.StatusFailure || !slices.Equal(got[0].Evidence, first.Evidence) ||
				got[0].CommentedAt == nil || !got[0].CommentedAt.Equal(commented) || !got[0].PostedAt.Equal(at) || got[0].URL != first.URL {
				t.Fatalf("FindGuardReports of the saved-again report = %+v, want %+v", got, first)
			}
			all, err := db.FindGuardReports(ctx, tandem.GuardReportFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var order []string
			for _, r := range all {
				order = append(order, r.Migration+"#"+r.Head)
			}
			if want := []string{"logrus#bbb", "gomock#aaa", "logrus#aaa"}; !slices.Equal(order, want) {
				t.Errorf("every report = %v, want %v, newest first", order, want)
			}
			if last, err := db.FindGuardReports(ctx, tandem.GuardReportFilter{Migration: "logrus", Limit: 1}); err != nil || len(last) != 1 || last[0].Head != "bbb" {
				t.Errorf("last logrus report = %+v, %v, want head bbb", last, err)
			}
			if none, err := db.FindGuardReports(ctx, tandem.GuardReportFilter{Number: 3}); err != nil || len(none) != 0 || none == nil {
				t.Errorf("reports of another pull request = %#v, %v, want an empty list", none, err)
			}
		})
	}
}
