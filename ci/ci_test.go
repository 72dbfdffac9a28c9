package ci_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/ci"
	"github.com/tandem-dev/tandem/gitx/gittest"
)

func TestGuards(t *testing.T) {
	ev := []tandem.Match{{Path: "main.go", Line: 3}}
	migrations := []tandem.Migration{
		{Name: "a", Guard: &tandem.GuardSpec{Mode: tandem.GuardBlock}},
		{Name: "b", Guard: &tandem.GuardSpec{Mode: tandem.GuardWarn, Since: "2026-12-01"}},
		{Name: "c", Guard: &tandem.GuardSpec{Mode: tandem.GuardBlock, Since: "2027-01-01"}},
		{Name: "d"},
		{Name: "e", Guard: &tandem.GuardSpec{Mode: tandem.GuardBlock}},
	}
	var results []tandem.CheckResult
	for _, name := range []string{"a", "b", "c", "d"} {
		results = append(results, tandem.CheckResult{Check: tandem.CheckID("migration", name, tandem.RoleTarget), Holds: true, Evidence: ev})
	}
	results = append(results, tandem.CheckResult{Check: tandem.CheckID("migration", "e", tandem.RoleTarget)})
	got := ci.Guards(migrations, results, time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
	want := []ci.Tripped{{Migration: "a", Mode: tandem.GuardBlock, Evidence: ev}, {Migration: "b", Mode: tandem.GuardWarn, Evidence: ev}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Guards = %+v, want %+v: c is not in force yet, d unguarded, e's target does not hold", got, want)
	}
	if blocked := (ci.Report{Guards: got}).Blocked(); len(blocked) != 1 || blocked[0].Migration != "a" {
		t.Errorf("Blocked = %+v, want a", blocked)
	}
}

func TestCodebaseName(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{"a": "a"})
	if got, err := ci.CodebaseName(t.Context(), dir); err != nil || got != "repo" {
		t.Errorf("without a remote = %q, %v; want the folder's name, repo", got, err)
	}
	gittest.Run(t, dir, "remote", "add", "origin", "/elsewhere")
	for _, url := range []string{"git@github.com:acme/payments-api.git", "https://gitea.example/acme/payments-api/", "/srv/git/payments-api.git"} {
		gittest.Run(t, dir, "remote", "set-url", "origin", url)
		if got, err := ci.CodebaseName(t.Context(), filepath.Join(dir, ".")); err != nil || got != "payments-api" {
			t.Errorf("origin %s = %q, %v; want payments-api", url, got, err)
		}
	}
}

func TestCatalogLeavesOtherKindsToApply(t *testing.T) {
	dir := t.TempDir()
	hostAndMigration := `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: ./not-on-this-machine}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus}
spec:
  platform: obslog
  title: Replace logrus
  target: {path: "**/*.go", contains: logrus}
  guard: {mode: %s}
`
	file := filepath.Join(dir, "fleet.yaml")
	write := func(mode string) {
		if err := os.WriteFile(file, fmt.Appendf(nil, hostAndMigration, mode), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("block")
	_, migrations, err := ci.Catalog([]string{file})
	if err != nil || len(migrations) != 1 || migrations[0].Guard == nil || migrations[0].Guard.Mode != tandem.GuardBlock {
		t.Errorf("Catalog with a code host's folder missing = %+v, %v; want the migration, guarded", migrations, err)
	}
	write("stop")
	if _, _, err := ci.Catalog([]string{file}); err == nil || !strings.Contains(err.Error(), file+":13: spec.guard.mode") || strings.Contains(err.Error(), "not-on-this-machine") {
		t.Errorf("Catalog with a bad guard mode = %v, want its line and not the code host's folder", err)
	}
}
