package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestLifecycleModel drives a campaign through random sequences of what
// its users and the code do (commits that add or remove a use, fixes,
// merges, reverts, owners gained and lost, launch, escalate, approve,
// exempt, unexempt, exemptions expiring, withdraw a Tour of Duty, the
// server killed and started again), through the CLI against a real server on each engine,
// and after every step checks what must always hold: one ticket per team,
// at most one open change request per codebase, every state change in its
// lifecycle table, pr-open exactly when a change request is open, no
// stale error on a done target, counts equal to the rows.
//
// TANDEM_MODEL_SEED replays a run (its seed is logged); TANDEM_MODEL_STEPS
// sets its length.
func TestLifecycleModel(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("TANDEM_MODEL_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("TANDEM_MODEL_SEED=%q: %v", s, err)
		}
	}
	steps := 60
	if testing.Short() {
		steps = 10
	}
	if s := os.Getenv("TANDEM_MODEL_STEPS"); s != "" {
		var err error
		if steps, err = strconv.Atoi(s); err != nil {
			t.Fatalf("TANDEM_MODEL_STEPS=%q: %v", s, err)
		}
	}
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			t.Logf("seed %d (replay with TANDEM_MODEL_SEED=%d)", seed, seed)
			m := newModel(t, engine.DSN, seed)
			m.run("apply", "-f", m.catalog)
			m.scan()
			m.check("first scan")
			for step := 1; step <= steps; step++ {
				op := m.ops[m.rnd.IntN(len(m.ops))]
				m.step, m.scanned = step, false
				what := op(m)
				m.check(what)
			}
			if !m.restarted {
				m.step++
				m.check(m.restart())
			}
		})
	}
}

// modelCampaign is the migration the model drives.
const modelCampaign = "logrus-to-obslog"

// model is a campaign on the campaign fleet, served by a process of its
// own, and what the last check saw of it.
type model struct {
	t         *testing.T
	rnd       *rand.Rand
	seed      uint64
	step      int
	dsn       string
	mirrors   string
	catalog   string
	repos     string
	url       string
	server    *exec.Cmd
	restarted bool
	scanned   bool // the step scanned after its last change to a repository
	ops       []func(*model) string

	targets     map[string]string // codebase → state
	tickets     map[int64]string  // id → state
	changes     map[int64]string  // id → state
	engagements map[int64]string  // id → state
}

func newModel(t *testing.T, dsn string, seed uint64) *model {
	m := &model{t: t, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed: seed, dsn: dsn,
		mirrors: filepath.Join(t.TempDir(), "mirrors"), targets: map[string]string{}, tickets: map[int64]string{}, changes: map[int64]string{}, engagements: map[int64]string{}}
	m.catalog, m.repos = campaignFleet(t)
	m.url, m.server = startProcess(t, dsn, m.mirrors)
	// Weighted by repetition: uses come back more often than owners fix
	// them, so the campaign keeps work to do.
	m.ops = []func(*model) string{
		(*model).addUse, (*model).addUse, (*model).addUse, (*model).fix, (*model).revert,
		(*model).scan, (*model).launch, (*model).launch, (*model).escalate, (*model).escalate, (*model).escalate,
		(*model).approve, (*model).approve, (*model).merge, (*model).merge, (*model).exempt, (*model).unexempt,
		(*model).expire, (*model).own, (*model).withdrawTour, (*model).tour, (*model).tour, (*model).restart,
	}
	return m
}

// modelCodebases are the codebases of the campaign fleet.
var modelCodebases = []string{"payments-api", "payments-ledger", "search", "checkout-web", "billing", "orphan"}

func (m *model) pick(from []string) string { return from[m.rnd.IntN(len(from))] }

// fatalf fails the run, naming what replays it.
func (m *model) fatalf(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("seed %d, step %d: %s", m.seed, m.step, fmt.Sprintf(format, args...))
}

// run runs a command that must succeed.
func (m *model) run(args ...string) string {
	m.t.Helper()
	code, out, errOut := tandemCLI(m.t, m.url, args...)
	if code != 0 {
		m.fatalf("%v exited %d: %s", args, code, errOut)
	}
	return out
}

// try runs a command a user may be refused: a refusal must say why, never
// be an internal error.
func (m *model) try(args ...string) string {
	m.t.Helper()
	code, out, errOut := tandemCLI(m.t, m.url, args...)
	if code != 0 && (strings.Contains(errOut, "internal") || strings.TrimSpace(errOut) == "") {
		m.fatalf("%v exited %d without a reason a user can act on: %q", args, code, errOut)
	}
	if code != 0 {
		return "refused: " + strings.TrimSpace(errOut)
	}
	return strings.TrimSpace(out)
}

// getJSON runs a command that prints JSON and decodes it into v.
func (m *model) getJSON(v any, args ...string) {
	m.t.Helper()
	out := m.run(args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		m.fatalf("%v: %v\n%s", args, err, out)
	}
}

// commit writes files to a codebase's default branch, as its owners do,
// over whatever Tandem merged there.
func (m *model) commit(codebase string, files map[string]string) {
	m.t.Helper()
	dir := filepath.Join(m.repos, codebase)
	gittest.Run(m.t, dir, "checkout", "--quiet", "main")
	gittest.Run(m.t, dir, "reset", "--quiet", "--hard")
	gittest.Commit(m.t, dir, files)
}

var fixedImport = strings.ReplaceAll(logrusImport, "github.com/sirupsen/logrus", "acme.dev/obslog")

func (m *model) addUse() string {
	cb, file := m.pick(modelCodebases), m.pick([]string{"main.go", "main.go", "main.go", "extra.go"})
	m.commit(cb, map[string]string{file: logrusImport})
	m.scan()
	return "a use of logrus in " + cb + "/" + file + ", scanned"
}

func (m *model) fix() string {
	cb := m.pick(modelCodebases)
	m.commit(cb, map[string]string{"main.go": fixedImport, "extra.go": fixedImport})
	m.scan()
	return cb + " fixed by its owners, scanned"
}

func (m *model) revert() string {
	cb := m.pick(modelCodebases)
	dir := filepath.Join(m.repos, cb)
	gittest.Run(m.t, dir, "checkout", "--quiet", "main")
	gittest.Run(m.t, dir, "reset", "--quiet", "--hard")
	if gittest.Run(m.t, dir, "rev-list", "--count", "HEAD") == "1" {
		return "revert: " + cb + " has only its first commit"
	}
	// A merge (Tandem's approve merges with a merge commit, owners' merges
	// may too) is reverted against its first parent: the fix goes away.
	args, what := []string{"revert", "--no-edit", "HEAD"}, "last commit"
	if git(dir, "rev-parse", "--verify", "--quiet", "HEAD^2") == nil {
		args, what = []string{"revert", "--no-edit", "-m", "1", "HEAD"}, "last merge"
	}
	if err := git(dir, args...); err != nil {
		_ = git(dir, "revert", "--abort")
		return "reverting " + cb + "'s " + what + " failed: " + err.Error()
	}
	m.scan()
	return cb + "'s " + what + " reverted, scanned"
}

// scan scans the fleet and waits for it, so that the next check also
// holds the targets to what the repositories say.
func (m *model) scan() string {
	m.run("scan", "--wait")
	m.scanned = true
	return "scan"
}

func (m *model) launch() string {
	return "launch: " + m.try("campaign", "launch", modelCampaign)
}

func (m *model) escalate() string {
	if m.rnd.IntN(2) == 0 {
		return "escalate: " + m.try("campaign", "escalate", modelCampaign)
	}
	cb := m.pick(modelCodebases)
	return "escalate " + cb + ": " + m.try("campaign", "escalate", modelCampaign, "--codebase", cb)
}

func (m *model) approve() string {
	cb := m.pick([]string{"search", "checkout-web"})
	by := map[string]string{"search": "sam", "checkout-web": "bob"}[cb]
	return "approve " + cb + ": " + m.try("campaign", "approve", modelCampaign, "--codebase", cb, "--by", by)
}

// merge has a codebase's owners merge the branch of its open change
// request themselves, on the default branch.
func (m *model) merge() string {
	s := m.status()
	var open []tandem.Target
	for _, t := range s.Targets {
		if t.PullRequest != nil && t.PullRequest.State == tandem.ChangeOpen && t.PullRequest.Branch != "" {
			open = append(open, t)
		}
	}
	if len(open) == 0 {
		return "merge: no open change request"
	}
	t := open[m.rnd.IntN(len(open))]
	dir := filepath.Join(m.repos, t.Codebase)
	gittest.Run(m.t, dir, "checkout", "--quiet", "main")
	gittest.Run(m.t, dir, "reset", "--quiet", "--hard")
	if err := git(dir, "merge", "--quiet", "--no-edit", t.PullRequest.Branch); err != nil {
		_ = git(dir, "merge", "--abort")
		return "merging " + t.PullRequest.Branch + " into " + t.Codebase + " conflicted"
	}
	m.scan()
	return t.Codebase + "'s owners merged " + t.PullRequest.Branch + ", scanned"
}

func (m *model) exempt() string {
	cb := m.pick(modelCodebases)
	return "exempt " + cb + ": " + m.try("campaign", "exempt", modelCampaign, "--codebase", cb, "--reason", "frozen for the audit", "--until", "2099-06-30", "--by", "carol")
}

func (m *model) unexempt() string {
	cb := m.pick(modelCodebases)
	return "unexempt " + cb + ": " + m.try("campaign", "unexempt", modelCampaign, "--codebase", cb, "--reason", "the audit is over")
}

// expire lets time pass to 2100: the server's expiry pass, run then, ends
// every exemption.
func (m *model) expire() string {
	db, err := sqlstore.Open(m.t.Context(), m.dsn)
	if err != nil {
		m.fatalf("open %s: %v", m.dsn, err)
	}
	defer db.Close()
	expired, err := db.ExpireExemptions(m.t.Context(), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		m.fatalf("expire exemptions: %v", err)
	}
	var names []string
	for _, t := range expired {
		names = append(names, t.Codebase)
	}
	return fmt.Sprintf("2100: %d exemptions expired %v", len(expired), names)
}

// own gives the orphan an owner, or takes it away, or moves billing
// between teams, through CODEOWNERS.
func (m *model) own() string {
	cb := m.pick([]string{"orphan", "billing"})
	owners := m.pick([]string{"", "* @acme/legacy\n", "* @acme/search\n", "* @acme/nobody-known\n"})
	m.commit(cb, map[string]string{"CODEOWNERS": owners})
	m.scan()
	return fmt.Sprintf("%s's CODEOWNERS now %q, scanned", cb, owners)
}

func (m *model) withdrawTour() string {
	var es []tandem.Engagement
	m.getJSON(&es, "engagement", "list", "--migration", modelCampaign, "-o", "json")
	var proposed []tandem.Engagement
	for _, e := range es {
		if e.State == tandem.EngagementProposed {
			proposed = append(proposed, e)
		}
	}
	if len(proposed) == 0 {
		return "withdraw a Tour of Duty: none proposed"
	}
	e := proposed[m.rnd.IntN(len(proposed))]
	return fmt.Sprintf("withdraw engagement %d: %s", e.ID, m.try("engagement", "withdraw", fmt.Sprint(e.ID), "--reason", "not now", "--by", "carol"))
}

// hostMembers names a member of each team that hosts Tours of Duty.
var hostMembers = map[string]string{"payments": "alice", "search": "sam", "checkout": "bob", "legacy": "lee"}

// tour moves a live Tour of Duty on: a proposal is staffed with carol of
// the platform team by its host team and started; a started one ends.
func (m *model) tour() string {
	var es []tandem.Engagement
	m.getJSON(&es, "engagement", "list", "--migration", modelCampaign, "-o", "json")
	var live []tandem.Engagement
	for _, e := range es {
		if e.State == tandem.EngagementProposed || e.State == tandem.EngagementActive {
			live = append(live, e)
		}
	}
	if len(live) == 0 {
		return "Tour of Duty: none proposed or active"
	}
	e := live[m.rnd.IntN(len(live))]
	id := fmt.Sprint(e.ID)
	if e.State == tandem.EngagementActive {
		return fmt.Sprintf("end engagement %d: %s", e.ID, m.try("engagement", "end", id, "--by", "carol"))
	}
	by := hostMembers[e.HostTeam]
	staffed := m.try("engagement", "staff", id, "--person", "carol", "--by", by)
	if strings.HasPrefix(staffed, "refused: ") {
		return fmt.Sprintf("staff engagement %d: %s", e.ID, staffed)
	}
	return fmt.Sprintf("staff and start engagement %d: %s; %s", e.ID, staffed, m.try("engagement", "start", id, "--by", by))
}

// restart kills the server (SIGKILL) and starts another on the same
// database and mirrors.
func (m *model) restart() string {
	_ = m.server.Process.Kill()
	_ = m.server.Wait()
	m.url, m.server = startProcess(m.t, m.dsn, m.mirrors)
	m.restarted = true
	return "server killed and started again"
}

func (m *model) status() tandem.Campaign {
	m.t.Helper()
	var s tandem.Campaign
	m.getJSON(&s, "campaign", "status", modelCampaign, "-o", "json")
	return s
}

// check reads the campaign, its tickets, change requests and Tours of
// Duty, and fails on the first invariant broken after what happened.
func (m *model) check(what string) {
	m.t.Helper()
	m.t.Logf("step %d: %s", m.step, what)
	s := m.status()
	var tickets []tandem.Ticket
	m.getJSON(&tickets, "get", "tickets", "--migration", modelCampaign, "-o", "json")
	var crs []tandem.ChangeRequest
	m.getJSON(&crs, "get", "change-requests", "--migration", modelCampaign, "-o", "json")
	var es []tandem.Engagement
	m.getJSON(&es, "engagement", "list", "--migration", modelCampaign, "-o", "json")
	fail := func(format string, args ...any) {
		m.t.Helper()
		m.fatalf("after %s: %s", what, fmt.Sprintf(format, args...))
	}

	// Counts equal the rows, both the status's and the kept ones.
	counted := map[string]int{}
	for _, t := range s.Targets {
		counted[t.State]++
	}
	for _, state := range tandem.TargetStates {
		if s.Counts[state] != counted[state] {
			fail("counts say %d %s, the targets %d", s.Counts[state], state, counted[state])
		}
	}
	if kept := (campaignCLI{m.t, m.url}).keptCounts(modelCampaign); kept != nonZero(counted) {
		fail("the campaign list counts %q, the targets %q", kept, nonZero(counted))
	}

	// One ticket per team; a ticket's state moves as its table says.
	perTeam := map[string]int{}
	ticketState := map[int64]string{}
	for _, tk := range tickets {
		if perTeam[tk.Team]++; perTeam[tk.Team] > 1 {
			fail("%s has %d tickets", tk.Team, perTeam[tk.Team])
		}
		ticketState[tk.ID] = tk.State
		if prev, ok := m.tickets[tk.ID]; ok && prev != tk.State && !tandem.TicketLifecycle.Allows(prev, tk.State) {
			fail("ticket %d moved %s → %s, which its lifecycle lacks", tk.ID, prev, tk.State)
		} else if !ok && !tandem.TicketLifecycle.Allows("", tk.State) {
			fail("ticket %d started %s", tk.ID, tk.State)
		}
	}
	for id := range m.tickets {
		if _, ok := ticketState[id]; !ok {
			fail("ticket %d vanished", id)
		}
	}

	// At most one open change request per codebase; a change request
	// moves as its table says (merged is final) and is never lost.
	openCR := map[string]int64{}
	changeState := map[int64]string{}
	for _, cr := range crs {
		changeState[cr.ID] = cr.State
		if prev, ok := m.changes[cr.ID]; ok && prev != cr.State && !tandem.ChangeRequestLifecycle.Allows(prev, cr.State) {
			fail("change request %d moved %s → %s, which its lifecycle lacks", cr.ID, prev, cr.State)
		} else if !ok && !tandem.ChangeRequestLifecycle.Allows("", cr.State) {
			fail("change request %d started %s", cr.ID, cr.State)
		}
		if cr.State != tandem.ChangeOpen {
			continue
		}
		if other, ok := openCR[cr.Codebase]; ok {
			fail("%s has two open change requests, %d and %d", cr.Codebase, other, cr.ID)
		}
		openCR[cr.Codebase] = cr.ID
	}
	for id := range m.changes {
		if _, ok := changeState[id]; !ok {
			fail("change request %d vanished", id)
		}
	}

	// Every target: moves in its table, pr-open exactly with an open
	// change request it follows, no stale error once done, its ticket
	// open while it waits on it, what it says of its ticket and change
	// request what they say of themselves.
	//
	// Each step of the model makes at most one move of a target (a scan
	// moves it once, on what the repository holds after the step's
	// commit; approve merges without scanning), so a change between two
	// checks must be a single move of the table, not merely reachable
	// through it: the stricter check.
	states := map[string]string{}
	waiting := map[int64]bool{} // ticket → a target on it still needs the change
	for _, t := range s.Targets {
		states[t.Codebase] = t.State
		prev, seen := m.targets[t.Codebase]
		switch {
		case !seen && !tandem.TargetLifecycle.Allows("", t.State):
			fail("%s started %s", t.Codebase, t.State)
		case seen && prev != t.State && !tandem.TargetLifecycle.Allows(prev, t.State):
			fail("%s moved %s → %s, which its lifecycle lacks", t.Codebase, prev, t.State)
		}
		id, hasOpen := openCR[t.Codebase]
		switch t.State {
		case tandem.TargetPROpen:
			if !hasOpen || t.PullRequest == nil || t.PullRequest.ID != id {
				fail("%s is pr-open following %+v, open change request %d (%v)", t.Codebase, t.PullRequest, id, hasOpen)
			}
		case tandem.TargetExempt:
		default:
			if hasOpen {
				fail("%s is %s with change request %d open", t.Codebase, t.State, id)
			}
		}
		if t.State == tandem.TargetDone && t.Error != "" {
			fail("%s is done with the error %q", t.Codebase, t.Error)
		}
		if t.State == tandem.TargetTicketed && t.Ticket == nil {
			fail("%s is ticketed without a ticket", t.Codebase)
		}
		if t.Ticket != nil {
			if got, ok := ticketState[t.Ticket.ID]; !ok || got != t.Ticket.State {
				fail("%s says its ticket %d is %s, the ticket says %q", t.Codebase, t.Ticket.ID, t.Ticket.State, got)
			}
			if t.Open() {
				waiting[t.Ticket.ID] = true
			}
		}
		if t.PullRequest != nil {
			if got, ok := changeState[t.PullRequest.ID]; !ok || got != t.PullRequest.State {
				fail("%s says its change request %d is %s, the change request says %q", t.Codebase, t.PullRequest.ID, t.PullRequest.State, got)
			}
		}
		if waits := t.State == tandem.TargetTicketed || t.State == tandem.TargetPROpen || t.State == tandem.TargetTourProposed; waits && t.Ticket != nil &&
			ticketState[t.Ticket.ID] != tandem.TicketOpen {
			fail("%s is %s, its ticket %d %s", t.Codebase, t.State, t.Ticket.ID, ticketState[t.Ticket.ID])
		}
	}
	for cb := range m.targets {
		if _, ok := states[cb]; !ok {
			fail("the target on %s vanished", cb)
		}
	}

	// A ticket is open exactly while a codebase on it still needs the
	// change.
	for _, tk := range tickets {
		if open := tk.State == tandem.TicketOpen; open != waiting[tk.ID] {
			fail("ticket %d of %s is %s, a codebase on it waiting: %v", tk.ID, tk.Team, tk.State, waiting[tk.ID])
		}
	}

	// After a scan the targets say what the repositories hold: a codebase
	// whose default branch imports logrus is a target not done, one that
	// does not is done or never was a target.
	if m.scanned {
		for _, cb := range modelCodebases {
			uses := m.usesLogrus(cb)
			state, found := states[cb]
			switch {
			case uses && (!found || state == tandem.TargetDone):
				fail("%s imports logrus on main, its target is %q", cb, state)
			case !uses && found && state != tandem.TargetDone:
				fail("%s no longer imports logrus, its target is %s", cb, state)
			}
		}
	}

	// Tours of Duty: one proposed or active per host team, moving as
	// their table says.
	engagementState := map[int64]string{}
	live := map[string][]int64{}
	toured := map[string]bool{} // codebase → a proposed or active Tour of Duty is for it
	for _, e := range es {
		engagementState[e.ID] = e.State
		if prev, ok := m.engagements[e.ID]; ok && prev != e.State && !tandem.EngagementLifecycle.Allows(prev, e.State) {
			fail("engagement %d moved %s → %s, which its lifecycle lacks", e.ID, prev, e.State)
		}
		if e.State == tandem.EngagementProposed || e.State == tandem.EngagementActive {
			live[e.HostTeam] = append(live[e.HostTeam], e.ID)
			for _, cb := range e.Codebases {
				toured[cb] = true
			}
		}
		if e.State == tandem.EngagementProposed && !slices.ContainsFunc(e.Codebases, func(cb string) bool { return states[cb] == tandem.TargetTourProposed }) {
			fail("engagement %d is proposed, none of its codebases %v tour-proposed", e.ID, e.Codebases)
		}
	}
	for cb, state := range states {
		if state == tandem.TargetTourProposed && !toured[cb] {
			fail("%s is tour-proposed without a live Tour of Duty", cb)
		}
	}
	for team, ids := range live {
		if len(ids) > 1 {
			slices.Sort(ids)
			fail("%s hosts %d Tours of Duty at once: %v", team, len(ids), ids)
		}
	}
	m.targets, m.tickets, m.changes, m.engagements = states, ticketState, changeState, engagementState
}

// usesLogrus reports whether a codebase's default branch imports logrus,
// as the migration's target check reads it.
func (m *model) usesLogrus(codebase string) bool {
	m.t.Helper()
	cmd := exec.Command("git", "-C", filepath.Join(m.repos, codebase), "grep", "--quiet", "--fixed-strings", `"github.com/sirupsen/logrus"`, "main", "--", "*.go")
	cmd.Env = append(os.Environ(), gittest.Env...)
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() == 1 {
		return false
	}
	if err != nil {
		m.fatalf("git grep in %s: %v", codebase, err)
	}
	return true
}

// git runs git in dir, returning its failure with its output.
func git(dir string, args ...string) error {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), gittest.Env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
