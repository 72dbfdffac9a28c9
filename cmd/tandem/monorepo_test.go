package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// monorepoTeams is how many teams own folders of the tests' monorepo.
const monorepoTeams = 30

// monorepo returns the files of a monorepo whose one CODEOWNERS file names
// 30 teams: each owns its folder under services/, team-06 also owns the
// legacy folder nested in team-05's, an earlier rule giving team-10's
// folder to team-11 is overridden by a later one (the last rule wins),
// shared/ has two teams (the first, team-29, owns it; both review), and
// vendor/ names a team nobody declared (unowned). Core owns the rest.
// It returns the files, and the paths each part's target should hold
// (by target part: "" for core's, a team's name, tandem.PartUnowned).
func monorepo() (files map[string]string, paths map[string][]string) {
	var owners strings.Builder
	owners.WriteString("# Core owns what no narrower rule names.\n* @acme/core\n/services/team-10/ @acme/team-11\n")
	files = map[string]string{"tools/main.go": logrusImport, "README.md": "monorepo\n"}
	paths = map[string][]string{"": {"tools/main.go"}}
	for i := 1; i <= monorepoTeams; i++ {
		team := fmt.Sprintf("team-%02d", i)
		fmt.Fprintf(&owners, "/services/%s/ @acme/%s\n", team, team)
		files["services/"+team+"/main.go"] = logrusImport
		files["services/"+team+"/README.md"] = team + "\n"
		paths[team] = []string{"services/" + team + "/main.go"}
	}
	owners.WriteString("/services/team-05/legacy/ @acme/team-06\n/services/team-10/ @acme/team-10\n/shared/ @acme/team-29 @acme/team-30\n/vendor/ @acme/ghosts\n")
	files["CODEOWNERS"] = owners.String()
	files["services/team-05/legacy/log.go"] = logrusImport
	files["shared/log.go"] = logrusImport
	files["vendor/lib/log.go"] = logrusImport
	paths["team-06"] = []string{"services/team-05/legacy/log.go", "services/team-06/main.go"}
	paths["team-29"] = []string{"services/team-29/main.go", "shared/log.go"}
	paths[tandem.PartUnowned] = []string{"vendor/lib/log.go"}
	return files, paths
}

// monorepoCatalog is the catalog of the monorepo tests: core and the 30
// teams (person p-NN in team-NN), the code host (spec given), the
// monorepo open to the platform team with autoMerge, and the migration
// off logrus whose fix rewrites every Go file.
func monorepoCatalog(host string) string {
	var b strings.Builder
	b.WriteString("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: core}\nspec: {type: platform, members: [cora]}\n---\n")
	for i := 1; i <= monorepoTeams; i++ {
		fmt.Fprintf(&b, "apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: team-%02d}\nspec: {type: stream-aligned, members: [p-%02d]}\n---\n", i, i)
	}
	b.WriteString(`apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: ` + host + `
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: mono}
spec: {contributions: open, autoMerge: true}
---
` + logrusMigration(`  fix:
    run: ["sh", "-c", "find . -name '*.go' -not -path './.git/*' -exec sed -i 's#github.com/sirupsen/logrus#acme.dev/obslog#' {} +"]
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog
`))
	return b.String()
}

// evidencePaths returns the monorepo paths a text names, sorted.
func evidencePaths(text string) []string {
	found := regexp.MustCompile(`(services/[a-z0-9/-]+\.go|shared/log\.go|vendor/lib/log\.go|tools/main\.go)`).FindAllString(text, -1)
	slices.Sort(found)
	return slices.Compact(found)
}

// TestMonorepoBuiltin runs a campaign over a monorepo owned by 30 teams
// and an ordinary repository, on a local code host and the built-in
// tracker: a target per owned part, one ticket per team listing exactly
// its paths (and its other repository), one change request per team with
// only its files and its CODEOWNERS as reviewers, the unowned files
// reported and not proposed; only a member of the part's team approves
// its change, and merging it makes exactly that part done.
func TestMonorepoBuiltin(t *testing.T) {
	t.Parallel()
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { monorepoBuiltin(t, e.DSN) })
	}
}

func monorepoBuiltin(t *testing.T, dsn string) {
	root := t.TempDir()
	repos := filepath.Join(root, "repos")
	files, paths := monorepo()
	gittest.Init(t, filepath.Join(repos, "mono"), files)
	gittest.Init(t, filepath.Join(repos, "billing"), map[string]string{"CODEOWNERS": "* @acme/team-01\n", "main.go": logrusImport})
	catalog := filepath.Join(root, "catalog.yaml")
	writeFile(t, catalog, monorepoCatalog("{type: local, path: repos}"))
	url := startServer(t, dsn)
	cli := func(args ...string) string {
		t.Helper()
		code, out, errOut := tandemCLI(t, url, args...)
		if code != 0 {
			t.Fatalf("%v exited %d: %s", args, code, errOut)
		}
		return out
	}
	targets := func() map[string]tandem.Target {
		t.Helper()
		var c tandem.Campaign
		getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
		byAddress := map[string]tandem.Target{}
		for _, tg := range c.Targets {
			byAddress[tg.Address()] = tg
		}
		return byAddress
	}
	cli("apply", "-f", catalog)
	cli("scan", "--wait")

	// A target per owned part, each with its own paths as evidence.
	got := targets()
	if len(got) != monorepoTeams+3 {
		t.Fatalf("%d targets, want %d: one per team's part, core's, the unowned part and billing: %v", len(got), monorepoTeams+3, slices.Sorted(maps.Keys(got)))
	}
	for part, want := range paths {
		tg := got[tandem.TargetAddress("mono", part)]
		if have := evidencePaths(fmt.Sprint(tg.Evidence)); !slices.Equal(have, want) {
			t.Errorf("target %s holds %v, want %v", tg.Address(), have, want)
		}
	}
	if tg := got["mono:"+tandem.PartUnowned]; tg.State != tandem.TargetUnowned || tg.Owner != nil {
		t.Errorf("the unowned part is %s, owner %v; want unowned, no owner", tg.State, tg.Owner)
	}
	if tg := got["mono:team-10"]; tg.Owner == nil || *tg.Owner != "team-10" || got["mono:team-11"].Evidence[0].Path != "services/team-11/main.go" {
		t.Errorf("team-10's folder: the later rule must win; targets: team-10 %+v, team-11 %+v", tg, got["mono:team-11"])
	}

	// The codebase's page lists its targets by owned part, with paths.
	if status, page := asAdmin(t, http.MethodGet, url+"/codebases/mono", ""); status != http.StatusOK ||
		!strings.Contains(string(page), "the paths of team-06: pending (<code>services/team-05/legacy/log.go</code>, <code>services/team-06/main.go</code>)") {
		t.Errorf("codebase page: %d, want team-06's part with its paths:\n%s", status, page)
	}
	if status, page := asAdmin(t, http.MethodGet, url+"/campaigns/logrus-to-obslog?team=team-06", ""); status != http.StatusOK ||
		!strings.Contains(string(page), `<span class="muted">part of team-06</span>`) {
		t.Errorf("campaign page filtered by team-06: %d, want its part:\n%s", status, page)
	}

	// Launch: one ticket per team, listing exactly its paths.
	launched := cli("campaign", "launch", "logrus-to-obslog")
	if !strings.Contains(launched, "mono:"+tandem.PartUnowned) {
		t.Errorf("launch does not report the unowned part:\n%s", launched)
	}
	var tickets []tandem.Ticket
	getJSON(t, url, &tickets, "get", "tickets", "--migration", "logrus-to-obslog", "-o", "json")
	if len(tickets) != monorepoTeams+1 {
		t.Fatalf("%d tickets, want %d: one per team", len(tickets), monorepoTeams+1)
	}
	for part, want := range paths {
		team := part
		switch part {
		case tandem.PartUnowned:
			continue
		case "":
			team = "core"
		}
		tk := ticketOf(t, tickets, team)
		if have := evidencePaths(tk.Body); !slices.Equal(have, want) {
			t.Errorf("%s's ticket lists %v, want exactly %v:\n%s", team, have, want, tk.Body)
		}
	}
	if body := ticketOf(t, tickets, "team-01").Body; !strings.Contains(body, "**billing**") || !strings.Contains(body, "**mono** (the paths you own: services/team-01/main.go)") {
		t.Errorf("team-01's ticket lacks billing or its monorepo paths:\n%s", body)
	}

	// Escalating one part opens its change request alone.
	one := cli("campaign", "escalate", "logrus-to-obslog", "--codebase", "mono:team-02")
	if !strings.Contains(one, "mono:team-02") || strings.Contains(one, "team-03") || !strings.Contains(one, "vendor/lib/log.go") {
		t.Errorf("escalating mono:team-02 alone:\n%s\nwant its change request and the unowned file reported, nothing of other teams", one)
	}

	// Escalation: one change request per team's part, its files only.
	escalated := cli("campaign", "escalate", "logrus-to-obslog", "-o", "json")
	if !strings.Contains(escalated, "no known team owns") || !strings.Contains(escalated, "vendor/lib/log.go") {
		t.Errorf("escalation does not report the unowned file:\n%s", escalated)
	}
	var crs []tandem.ChangeRequest
	status, raw := asAdmin(t, http.MethodGet, url+"/api/v1/change-requests", "")
	if status != http.StatusOK {
		t.Fatalf("change requests: %d %s", status, raw)
	}
	if err := json.Unmarshal(raw, &crs); err != nil {
		t.Fatalf("change requests: %v", err)
	}
	byPart := map[string]tandem.ChangeRequest{}
	for _, cr := range crs {
		if cr.Codebase != "mono" {
			continue
		}
		if _, twice := byPart[cr.Part]; twice {
			t.Errorf("two change requests for part %q", cr.Part)
		}
		byPart[cr.Part] = cr
	}
	if len(byPart) != monorepoTeams+1 {
		t.Errorf("%d change requests on mono, want %d: one per owned part but the unowned", len(byPart), monorepoTeams+1)
	}
	for part, want := range paths {
		cr, ok := byPart[part]
		if part == tandem.PartUnowned {
			if ok {
				t.Errorf("a change request was opened for the unowned files: %+v", cr)
			}
			continue
		}
		changed := strings.Fields(gittest.Run(t, filepath.Join(repos, "mono"), "diff", "--name-only", "main", cr.Branch))
		if !slices.Equal(cr.Files, want) || !slices.Equal(changed, want) {
			t.Errorf("change request of part %q changes %v (branch %s: %v), want %v", part, cr.Files, cr.Branch, changed, want)
		}
	}
	if got := byPart["team-29"].Reviewers; !slices.Equal(got, []string{"@acme/team-29", "@acme/team-30"}) {
		t.Errorf("shared/'s reviewers = %v, want both teams of its rule", got)
	}
	if got := byPart["team-06"].Reviewers; !slices.Equal(got, []string{"@acme/team-06"}) {
		t.Errorf("team-06's reviewers = %v, want its own", got)
	}
	if got := targets()["billing"].State; got != tandem.TargetTourProposed {
		t.Errorf("billing, closed, is %s; want tour-proposed", got)
	}

	// Only a member of the part's team approves its change: p-02 may not
	// approve team-01's, neither as named by an admin nor with a token of
	// their own; p-01 may, and Tandem merges it.
	if code, _, errOut := tandemCLI(t, url, "campaign", "approve", "logrus-to-obslog", "--codebase", "mono:team-01", "--by", "p-02"); code == 0 || !strings.Contains(errOut, "p-02 is not in team-01") {
		t.Errorf("p-02 approving team-01's change: exit %d, %s", code, errOut)
	}
	p02 := tokenSecret(t, url, "token", "create", "--person", "p-02", "--role", "team-member")
	if got := request(t, http.MethodPost, url+"/api/v1/campaigns/logrus-to-obslog/approve", "application/json", `{"codebase":"mono:team-01"}`, bearer(p02)); got.status != http.StatusForbidden {
		t.Errorf("p-02's token approving team-01's change: %d %s, want 403", got.status, got.body)
	}
	if got := request(t, http.MethodPost, url+"/api/v1/campaigns/logrus-to-obslog/exempt", "application/json",
		`{"codebase":"mono:team-01","reason":"not ours","until":"2099-01-01"}`, bearer(p02)); got.status != http.StatusForbidden {
		t.Errorf("p-02's token exempting team-01's part: %d %s, want 403", got.status, got.body)
	}
	p01 := tokenSecret(t, url, "token", "create", "--person", "p-01", "--role", "team-member")
	if got := request(t, http.MethodPost, url+"/api/v1/campaigns/logrus-to-obslog/approve", "application/json", `{"codebase":"mono:team-01"}`, bearer(p01)); got.status != http.StatusOK || !strings.Contains(got.body, `"merged"`) {
		t.Errorf("p-01's token approving team-01's change: %d %s, want it approved and merged", got.status, got.body)
	}
	cli("scan", "--wait")
	after := targets()
	for address, tg := range after {
		want := tandem.TargetPROpen
		switch address {
		case "mono:team-01":
			want = tandem.TargetDone
		case "mono:" + tandem.PartUnowned:
			want = tandem.TargetUnowned
		case "billing":
			want = tandem.TargetTourProposed
		}
		if tg.State != want {
			t.Errorf("after merging team-01's change: %s is %s, want %s", address, tg.State, want)
		}
	}
}

// TestMonorepoOnGitea runs the monorepo's campaign on a real Gitea: one
// pull request per team's part with only its files, that team (both
// teams of shared/) requested to review it, and the unowned files in
// none; merging one team's pull request on Gitea makes exactly its part
// done at the next scan.
func TestMonorepoOnGitea(t *testing.T) {
	t.Parallel()
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			monorepoOnGitea(t, e.DSN)
		})
	}
}

// giteaMonorepo starts a Gitea holding the monorepo in organization acme,
// with a Gitea team per Tandem team, and writes the catalog; it returns
// the Gitea, the catalog file and the paths of each part.
func giteaMonorepo(t *testing.T) (*giteatest.Server, string, map[string][]string) {
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	files, paths := monorepo()
	// In .github/, where Tandem reads it and Gitea does not: the teams
	// requested to review are then Tandem's requests, not Gitea's own.
	files[".github/CODEOWNERS"] = files["CODEOWNERS"]
	delete(files, "CODEOWNERS")
	g.CreateRepo(t, "acme", "mono", files)
	for _, team := range append([]string{"core"}, slices.Sorted(maps.Keys(paths))...) {
		if team == "" || team == tandem.PartUnowned {
			continue
		}
		g.Call(t, http.MethodPost, "/orgs/acme/teams", map[string]any{"name": team, "permission": "write",
			"includes_all_repositories": true, "units": []string{"repo.code", "repo.pulls"}}, nil)
	}
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, monorepoCatalog(`{type: gitea, url: "`+g.URL+`", org: acme, token: env:FORGE_TOKEN}`))
	return g, catalog, paths
}

// giteaPull is what the tests read of a Gitea pull request.
type giteaPull struct {
	Number int    `json:"number"`
	State  string `json:"state"`
	Head   struct {
		Ref string `json:"ref"`
	} `json:"head"`
	RequestedTeams []struct {
		Name string `json:"name"`
	} `json:"requested_reviewers_teams"`
}

// monoPulls returns the monorepo's pull requests by their branch.
func monoPulls(t *testing.T, g *giteatest.Server) map[string][]giteaPull {
	t.Helper()
	byBranch := map[string][]giteaPull{}
	for page := 1; ; page++ {
		var got []giteaPull
		g.Call(t, http.MethodGet, fmt.Sprintf("/repos/acme/mono/pulls?state=all&limit=50&page=%d", page), nil, &got)
		if len(got) == 0 {
			return byBranch
		}
		for _, p := range got {
			byBranch[p.Head.Ref] = append(byBranch[p.Head.Ref], p)
		}
	}
}

func monorepoOnGitea(t *testing.T, dsn string) {
	g, catalog, paths := giteaMonorepo(t)
	url := startServerEnv(t, dsn, map[string]string{"FORGE_TOKEN": g.AdminToken})
	cli := func(args ...string) string {
		t.Helper()
		code, out, errOut := tandemCLI(t, url, args...)
		if code != 0 {
			t.Fatalf("%v exited %d: %s", args, code, errOut)
		}
		return out
	}
	cli("apply", "-f", catalog)
	cli("scan", "--wait")
	cli("campaign", "launch", "logrus-to-obslog")
	if out := cli("campaign", "escalate", "logrus-to-obslog"); strings.Contains(out, "not requested") {
		t.Errorf("escalation did not request reviewers:\n%s", out)
	}

	pulls := monoPulls(t, g)
	if len(pulls) != monorepoTeams+1 {
		t.Errorf("%d branches with pull requests, want %d: one per owned part but the unowned", len(pulls), monorepoTeams+1)
	}
	for part, want := range paths {
		if part == tandem.PartUnowned {
			continue
		}
		branch := "tandem/logrus-to-obslog"
		if part != "" {
			branch += "-" + part
		}
		ps := pulls[branch]
		if len(ps) != 1 {
			t.Errorf("branch %s has %d pull requests, want 1", branch, len(ps))
			continue
		}
		var changed []struct {
			Filename string `json:"filename"`
		}
		g.Call(t, http.MethodGet, fmt.Sprintf("/repos/acme/mono/pulls/%d/files", ps[0].Number), nil, &changed)
		var have []string
		for _, f := range changed {
			have = append(have, f.Filename)
		}
		slices.Sort(have)
		if !slices.Equal(have, want) {
			t.Errorf("pull request of part %q changes %v, want only %v", part, have, want)
		}
		var one giteaPull
		g.Call(t, http.MethodGet, fmt.Sprintf("/repos/acme/mono/pulls/%d", ps[0].Number), nil, &one)
		var teams []string
		for _, r := range one.RequestedTeams {
			teams = append(teams, r.Name)
		}
		slices.Sort(teams)
		wantTeams := []string{part}
		switch part {
		case "":
			wantTeams = nil // the codebase's own part: no narrower rule names reviewers
		case "team-29":
			wantTeams = []string{"team-29", "team-30"}
		}
		if !slices.Equal(teams, wantTeams) {
			t.Errorf("pull request of part %q asks teams %v to review, want %v", part, teams, wantTeams)
		}
	}

	// Team-07 merges its pull request on Gitea: its part alone is done.
	merged := pulls["tandem/logrus-to-obslog-team-07"][0]
	g.Call(t, http.MethodPost, fmt.Sprintf("/repos/acme/mono/pulls/%d/merge", merged.Number), map[string]string{"Do": "merge"}, nil)
	cli("scan", "--wait")
	var c tandem.Campaign
	getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
	for _, tg := range c.Targets {
		want := tandem.TargetPROpen
		switch tg.Address() {
		case "mono:team-07":
			want = tandem.TargetDone
		case "mono:" + tandem.PartUnowned:
			want = tandem.TargetUnowned
		}
		if tg.State != want {
			t.Errorf("after team-07's merge: %s is %s, want %s", tg.Address(), tg.State, want)
		}
	}
}

// TestKilledMidShardedEscalation kills Tandem (SIGKILL) while it opens the
// monorepo's 31 pull requests on Gitea, restarts it on the same database
// and escalates again: each part's branch has exactly one pull request,
// and Tandem records exactly one change request per part. On every
// engine: what a kill leaves half done is each one's own.
func TestKilledMidShardedEscalation(t *testing.T) {
	t.Parallel()
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			killedMidShardedEscalation(t, e.DSN)
		})
	}
}

func killedMidShardedEscalation(t *testing.T, dsn string) {
	g, catalog, _ := giteaMonorepo(t)
	dir := t.TempDir()
	token := "FORGE_TOKEN=" + g.AdminToken
	url, server := startProcess(t, dsn, filepath.Join(dir, "mirrors"), token)
	applyAndScan(t, url, catalog)
	if code, _, errOut := tandemCLI(t, url, "campaign", "launch", "logrus-to-obslog"); code != 0 {
		t.Fatalf("launch exited %d: %s", code, errOut)
	}
	escalated := make(chan struct{})
	go func() {
		defer close(escalated)
		tandemCLI(t, url, "campaign", "escalate", "logrus-to-obslog") // cut short by the kill
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for len(monoPulls(t, g)) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	server.Wait()
	<-escalated
	before := len(monoPulls(t, g))
	if before == 0 || before >= monorepoTeams+1 {
		t.Fatalf("%d pull requests open when Tandem was killed; the test needs an escalation cut short", before)
	}
	t.Logf("killed with %d of %d pull requests open", before, monorepoTeams+1)

	url, _ = startProcess(t, dsn, filepath.Join(dir, "mirrors"), token)
	for attempt := 0; attempt < 5 && len(monoPulls(t, g)) < monorepoTeams+1; attempt++ {
		tandemCLI(t, url, "campaign", "escalate", "logrus-to-obslog")
	}
	tandemCLI(t, url, "campaign", "escalate", "logrus-to-obslog") // once more, with everything open
	pulls := monoPulls(t, g)
	if len(pulls) != monorepoTeams+1 {
		t.Errorf("%d branches with pull requests after the rerun, want %d", len(pulls), monorepoTeams+1)
	}
	for branch, ps := range pulls {
		if len(ps) != 1 {
			t.Errorf("branch %s has %d pull requests, want 1", branch, len(ps))
		}
	}
	status, raw := asAdmin(t, http.MethodGet, url+"/api/v1/change-requests", "")
	var crs []tandem.ChangeRequest
	if err := json.Unmarshal(raw, &crs); status != http.StatusOK || err != nil {
		t.Fatalf("change requests: %d %s", status, raw)
	}
	parts := map[string]int{}
	for _, cr := range crs {
		parts[cr.Part]++
	}
	if len(parts) != monorepoTeams+1 {
		t.Errorf("change requests for %d parts, want %d", len(parts), monorepoTeams+1)
	}
	for part, n := range parts {
		if n != 1 {
			t.Errorf("part %q has %d change requests, want 1", part, n)
		}
	}
}

// TestMonorepoTeamDeclaredLater: a folder whose CODEOWNERS rule names a
// team the catalog does not know is unowned; once the team is applied,
// without any new commit, the folder is that team's part, pending, and
// the unowned part is gone, with nothing done for it to undo.
func TestMonorepoTeamDeclaredLater(t *testing.T) {
	t.Parallel()
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			root := t.TempDir()
			gittest.Init(t, filepath.Join(root, "repos", "mono"), map[string]string{
				"CODEOWNERS":    "* @acme/core\n/svc/a/ @acme/alpha\n/svc/b/ @acme/beta\n",
				"svc/a/main.go": logrusImport, "svc/b/main.go": logrusImport,
			})
			catalog := filepath.Join(root, "catalog.yaml")
			teams := "apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: core}\nspec: {type: platform}\n---\n" +
				"apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: alpha}\nspec: {type: stream-aligned}\n---\n"
			rest := "apiVersion: tandem.dev/v1\nkind: CodeHost\nmetadata: {name: acme}\nspec: {type: local, path: repos}\n---\n" + logrusMigration("")
			writeFile(t, catalog, teams+rest)
			url := startServer(t, e.DSN)
			cli := func(args ...string) {
				t.Helper()
				if code, _, errOut := tandemCLI(t, url, args...); code != 0 {
					t.Fatalf("%v exited %d: %s", args, code, errOut)
				}
			}
			states := func() string {
				t.Helper()
				var c tandem.Campaign
				getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
				var s []string
				for _, tg := range c.Targets {
					s = append(s, tg.Address()+"="+tg.State)
				}
				return strings.Join(s, " ")
			}
			cli("apply", "-f", catalog)
			cli("scan", "--wait")
			if got, want := states(), "mono:(unowned)=unowned mono:alpha=pending"; got != want {
				t.Fatalf("before beta is declared: %s, want %s", got, want)
			}
			writeFile(t, catalog, teams+"apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: beta}\nspec: {type: stream-aligned}\n---\n"+rest)
			cli("apply", "-f", catalog)
			if got, want := states(), "mono:alpha=pending mono:beta=pending"; got != want {
				t.Errorf("once beta is declared: %s, want %s", got, want)
			}
		})
	}
}
