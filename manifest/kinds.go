package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
	"go.yaml.in/yaml/v3"
)

// kinds lists every valid kind, in the order the docs present them.
var kinds = []string{tandem.KindTeam, tandem.KindPerson, tandem.KindCodeHost, tandem.KindCodebase, tandem.KindPlatform, tandem.KindMigration}

// secretRef is how a secret is named: the server's environment variable.
var secretRef = regexp.MustCompile(`^env:[A-Za-z_][A-Za-z0-9_]*$`)

// trackerTypes lists the valid Team tracker types.
var trackerTypes = []string{tandem.TrackerBuiltin, tandem.TrackerGitea, tandem.TrackerGitHub, tandem.TrackerGitLab, tandem.TrackerJira}

// hostTypes lists the valid CodeHost types.
var hostTypes = []string{tandem.HostLocal, tandem.HostGitea, tandem.HostGitHub, tandem.HostGitLab}

// contributionPolicies lists the valid Codebase contribution policies.
var contributionPolicies = []string{tandem.Closed, tandem.Trusted, tandem.Open}

// document decodes one document into an Object. It returns false when the
// kind or name is missing or invalid, so that the object cannot be told
// apart from others.
func (d *decoder) document(n *yaml.Node) (tandem.Object, bool) {
	o := tandem.Object{File: d.file, Line: n.Line, Lines: d.lines}
	top, ok := d.mapping("", n, "apiVersion", "kind", "metadata", "spec")
	if !ok {
		return o, false
	}
	if v := top.required("apiVersion"); v != "" && v != tandem.APIVersion {
		d.errorf("apiVersion", nil, "unsupported apiVersion %q (want %s)", v, tandem.APIVersion)
	}
	o.Kind = top.required("kind")
	known := o.Kind != ""
	if known && !slices.Contains(kinds, o.Kind) {
		d.errorf("kind", nil, "unknown kind %q%s (valid: %s)", o.Kind, tandem.DidYouMean(o.Kind, kinds), strings.Join(kinds, ", "))
		known = false
	}
	meta, ok := d.mapping("metadata", top.vals["metadata"], "name")
	if ok {
		o.Name = meta.required("name")
		switch {
		case o.Name == "":
		case o.Kind == tandem.KindCodebase && !validCodebaseName(o.Name):
			d.errorf("metadata.name", nil, "%s", invalidCodebaseName(o.Name))
			o.Name = ""
		case o.Kind != tandem.KindCodebase && !validName(o.Name):
			d.errorf("metadata.name", nil, "%s", invalidName(o.Name))
			o.Name = ""
		}
	}
	if !known {
		return o, false
	}
	spec := top.vals["spec"]
	switch o.Kind {
	case tandem.KindTeam:
		o.Spec = d.team(o.Name, spec)
	case tandem.KindPerson:
		o.Spec = d.person(o.Name, spec)
	case tandem.KindCodeHost:
		o.Spec = d.codeHost(o.Name, spec)
	case tandem.KindCodebase:
		o.Spec = d.codebase(o.Name, spec)
	case tandem.KindPlatform:
		o.Spec = d.platform(o.Name, spec)
	case tandem.KindMigration:
		o.Spec = d.migration(o.Name, spec)
	}
	return o, o.Name != ""
}

// team decodes a Team spec.
func (d *decoder) team(name string, n *yaml.Node) *tandem.Team {
	t := &tandem.Team{Name: name, Members: []string{}, Aliases: []string{}, Tracker: tandem.Tracker{Type: "builtin"}}
	f, ok := d.mapping("spec", n, "type", "members", "aliases", "tracker", "chat")
	if !ok {
		return t
	}
	if c, ok := d.mapping(f.field("chat"), f.vals["chat"], "webhook"); ok && f.has("chat") {
		t.Chat = &tandem.Chat{Webhook: c.required("webhook")}
		if w := t.Chat.Webhook; w != "" && !secretRef.MatchString(w) {
			d.errorf(c.field("webhook"), c.vals["webhook"], "a webhook is a secret: name it as env:NAME, never inline")
		}
	}
	typ := f.required("type")
	f.oneOf("type", typ, "team type", tandem.Strings(tandem.TeamTypes))
	t.Type = tandem.TeamType(typ)
	t.Members = f.names("members", true)
	t.Aliases = f.names("aliases", false)
	if tr, ok := d.mapping(f.field("tracker"), f.vals["tracker"], "type", "host", "repo", "url", "project", "issueType", "user", "token"); ok {
		t.Tracker = d.tracker(tr)
	}
	return t
}

// tracker decodes a team's tracker: a code host's repository of issues
// (gitea, github, gitlab) or a Jira project (jira), each with only its own fields.
func (d *decoder) tracker(tr fields) tandem.Tracker {
	t := tandem.Tracker{Type: tandem.TrackerBuiltin}
	if typ := tr.str("type"); typ != "" {
		tr.oneOf("type", typ, "tracker type", trackerTypes)
		t.Type = typ
	}
	t.Host, t.Repo = tr.name("host"), tr.str("repo")
	t.URL, t.Project, t.IssueType, t.User, t.Token = tr.str("url"), tr.str("project"), tr.str("issueType"), tr.str("user"), tr.secret("token")
	jiraOnly := t.URL != "" || t.Project != "" || t.IssueType != "" || t.User != "" || t.Token != ""
	switch t.Type {
	case tandem.TrackerGitea, tandem.TrackerGitHub, tandem.TrackerGitLab:
		tr.need("host", t.Host)
		tr.need("repo", t.Repo)
		if r := t.Repo; r != "" && (strings.Count(r, "/") != 1 && t.Type != tandem.TrackerGitLab || !strings.Contains(r, "/")) {
			d.errorf(tr.field("repo"), tr.vals["repo"], "%q is not owner/name", r)
		}
		if jiraOnly {
			d.errorf(tr.field("type"), tr.vals["type"], "url, project, issueType, user and token belong to a jira tracker; a %s tracker takes host and repo", t.Type)
		}
	case tandem.TrackerJira:
		tr.need("url", t.URL)
		tr.need("project", t.Project)
		tr.need("token", t.Token)
		tr.httpURL("url", t.URL)
		if p := t.Project; p != "" && !jiraProject.MatchString(p) {
			d.errorf(tr.field("project"), tr.vals["project"], "%q is not a Jira project key (such as PAY)", p)
		}
		if t.Host != "" || t.Repo != "" {
			d.errorf(tr.field("type"), tr.vals["type"], "host and repo belong to a gitea, github or gitlab tracker; a jira tracker takes url and project")
		}
	default:
		if t.Host != "" || t.Repo != "" || jiraOnly {
			d.errorf(tr.field("type"), tr.vals["type"], "these fields need a tracker type such as gitea, github or jira")
		}
	}
	return t
}

// jiraProject is the form of a Jira project key.
var jiraProject = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,9}$`)

// person decodes a Person spec; the handle is the document's name.
func (d *decoder) person(handle string, n *yaml.Node) *tandem.Person {
	p := &tandem.Person{Handle: handle, Teams: []string{}}
	f, ok := d.mapping("spec", n, "name", "email", "teams")
	if !ok {
		return p
	}
	p.Name = f.str("name")
	p.Email = f.str("email")
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			d.errorf(f.field("email"), nil, "invalid email address %q", p.Email)
		}
	}
	p.Teams = f.names("teams", true)
	return p
}

// codeHost decodes a CodeHost spec. A local host's relative path is
// resolved against the folder of the declaring file; the folder must exist.
func (d *decoder) codeHost(name string, n *yaml.Node) *tandem.CodeHost {
	h := &tandem.CodeHost{Name: name}
	f, ok := d.mapping("spec", n, "type", "path", "url", "org", "token", "archived", "forks", "webhookSecret")
	if !ok {
		return h
	}
	h.Type = f.required("type")
	f.oneOf("type", h.Type, "code host type", hostTypes)
	if h.Type == tandem.HostGitea || h.Type == tandem.HostGitHub || h.Type == tandem.HostGitLab {
		h.URL, h.Org = f.required("url"), f.required("org")
		f.httpURL("url", h.URL)
		h.Token, h.WebhookSecret = f.secret("token"), f.secret("webhookSecret")
		f.need("token", h.Token)
		h.Archived, h.Forks = f.boolean("archived"), f.boolean("forks")
		return h
	}
	if h.Type != tandem.HostLocal {
		return h
	}
	path := f.required("path")
	if path == "" {
		return h
	}
	h.Path = path
	if !filepath.IsAbs(path) {
		abs, err := filepath.Abs(filepath.Join(d.fileDir(), path))
		if err != nil {
			d.errorf(f.field("path"), nil, "resolve %q: %v", path, err)
			return h
		}
		h.Path = abs
	}
	fi, err := os.Stat(h.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.errorf(f.field("path"), nil, "folder %s does not exist", h.Path)
	case err != nil:
		d.errorf(f.field("path"), nil, "%v", err)
	case !fi.IsDir():
		d.errorf(f.field("path"), nil, "%s is not a folder", h.Path)
	}
	return h
}

// codebase decodes a Codebase spec; contributions defaults to closed.
func (d *decoder) codebase(name string, n *yaml.Node) *tandem.CodebasePolicy {
	c := &tandem.CodebasePolicy{Name: name, Contributions: tandem.Closed}
	f, ok := d.mapping("spec", n, "owner", "contributions", "trusted", "autoMerge")
	if !ok {
		return c
	}
	c.Owner = f.name("owner")
	c.AutoMerge = f.boolean("autoMerge")
	if s := f.str("contributions"); s != "" {
		f.oneOf("contributions", s, "contribution policy", contributionPolicies)
		c.Contributions = s
	}
	tn := deref(f.vals["trusted"])
	trusted := f.names("trusted", true)
	switch {
	case c.Contributions != tandem.Trusted:
		if tn != nil {
			d.errorf(f.field("trusted"), nil, "only allowed when contributions is trusted")
		}
	case tn == nil:
		d.errorAt(f.field("trusted"), f.line, "required when contributions is trusted")
	case isNull(tn) || tn.Kind == yaml.SequenceNode && len(tn.Content) == 0:
		d.errorf(f.field("trusted"), nil, "must not be empty when contributions is trusted")
	default:
		c.Trusted = trusted
	}
	if c.AutoMerge && c.Contributions == tandem.Closed {
		d.errorf(f.field("autoMerge"), f.vals["autoMerge"], "only allowed when contributions is open or trusted: a closed codebase takes no outside changes")
	}
	return c
}

// platform decodes a Platform spec.
func (d *decoder) platform(name string, n *yaml.Node) *tandem.Platform {
	p := &tandem.Platform{Name: name, Codebases: []string{}, Docs: []tandem.Link{}, Community: []tandem.Link{}}
	f, ok := d.mapping("spec", n, "owner", "codebases", "adoption", "support", "supportNotice", "docs", "community", "trustLadder")
	if !ok {
		return p
	}
	p.Owner = f.name("owner")
	f.need("owner", p.Owner)
	p.Codebases = f.names("codebases", false)
	if f.has("adoption") {
		p.Adoption = d.check(f.field("adoption"), f.vals["adoption"])
	}
	p.Support = tandem.SupportModel(f.str("support"))
	f.oneOf("support", string(p.Support), "support model", tandem.Strings(tandem.SupportModels))
	if p.SupportNotice = f.str("supportNotice"); p.SupportNotice != "" {
		f.duration("supportNotice", "a duration")
	}
	p.Docs = d.links(f, "docs")
	p.Community = d.links(f, "community")
	if f.has("trustLadder") {
		p.TrustLadder = f.positive("trustLadder")
	}
	return p
}

// links decodes a list of {title, url} with absolute http(s) URLs.
func (d *decoder) links(f fields, key string) []tandem.Link {
	links := []tandem.Link{}
	nodes, paths, _ := f.list(key, "links")
	for i, e := range nodes {
		l, ok := d.mapping(paths[i], e, "title", "url")
		if !ok {
			continue
		}
		link := tandem.Link{Title: l.str("title"), URL: l.required("url")}
		l.httpURL("url", link.URL)
		links = append(links, link)
	}
	return links
}

// migration decodes a Migration spec.
func (d *decoder) migration(name string, n *yaml.Node) *tandem.Migration {
	m := &tandem.Migration{Name: name, Ticket: tandem.TicketSpec{Per: tandem.PerTeam}}
	f, ok := d.mapping("spec", n, "platform", "title", "summary", "target", "done", "deadline",
		"ticket", "nudge", "fix", "escalate", "rollout", "guard", "review")
	if !ok {
		return m
	}
	m.Platform = f.name("platform")
	f.need("platform", m.Platform)
	m.Title = f.required("title")
	m.Summary = f.str("summary")
	if f.has("target") {
		if c := d.check(f.field("target"), f.vals["target"]); c != nil {
			m.Target = *c
		}
	} else {
		f.need("target", "")
	}
	if f.has("done") {
		m.Done = d.check(f.field("done"), f.vals["done"])
	}
	m.Deadline = f.str("deadline")
	if m.Deadline != "" {
		if _, err := time.Parse(time.DateOnly, m.Deadline); err != nil {
			d.errorf(f.field("deadline"), f.vals["deadline"], "%q is not a date (YYYY-MM-DD)", m.Deadline)
		}
	}
	if f.has("ticket") {
		m.Ticket = d.ticketSpec(f.field("ticket"), f.vals["ticket"])
	}
	if f.has("nudge") {
		m.Nudge = d.nudgeSpec(f.field("nudge"), f.vals["nudge"])
	}
	if f.has("fix") {
		m.Fix = d.fixSpec(f.field("fix"), f.vals["fix"])
	}
	if f.has("escalate") {
		if e, ok := d.mapping(f.field("escalate"), f.vals["escalate"], "after"); ok {
			m.Escalate = &tandem.EscalateSpec{After: e.required("after")}
			if a := m.Escalate.After; a != "" && a != "deadline" {
				e.duration("after", "deadline or a duration")
			} else if a == "deadline" && m.Deadline == "" {
				d.errorf(e.field("after"), e.vals["after"], "the migration has no deadline to escalate after")
			}
		}
	}
	if f.has("rollout") {
		if r, ok := d.mapping(f.field("rollout"), f.vals["rollout"], "max", "per"); ok {
			m.Rollout = &tandem.RolloutSpec{Max: r.positive("max"), Per: r.required("per")}
			if m.Rollout.Per != "" {
				r.duration("per", "a duration")
			}
		}
	}
	if f.has("guard") {
		if g, ok := d.mapping(f.field("guard"), f.vals["guard"], "mode", "since"); ok {
			m.Guard = &tandem.GuardSpec{Mode: g.required("mode"), Since: g.str("since")}
			if m.Guard.Mode != "" {
				g.oneOf("mode", m.Guard.Mode, "guard mode", []string{tandem.GuardWarn, tandem.GuardBlock})
			}
			if _, err := time.Parse(time.DateOnly, m.Guard.Since); m.Guard.Since != "" && err != nil {
				d.errorf(g.field("since"), g.vals["since"], "%q is not a date (YYYY-MM-DD)", m.Guard.Since)
			}
		}
	}
	if f.has("review") {
		m.Review = d.reviewSpec(f.field("review"), f.vals["review"])
	}
	return m
}

// reviewSteps lists the valid review routing steps, in their default
// order.
var reviewSteps = []string{tandem.ReviewRerequest, tandem.ReviewNudge, tandem.ReviewTour}

// reviewSpec decodes how a Migration routes the change requests nobody
// reviews: after is required, steps each one of reviewSteps, once.
func (d *decoder) reviewSpec(path string, n *yaml.Node) *tandem.ReviewSpec {
	f, ok := d.mapping(path, n, "after", "steps")
	if !ok {
		return nil
	}
	r := &tandem.ReviewSpec{After: f.required("after")}
	if r.After != "" {
		f.duration("after", "a duration")
	}
	nodes, paths, ok := f.list("steps", "review steps")
	if ok && f.has("steps") && len(nodes) == 0 {
		d.errorf(f.field("steps"), f.vals["steps"], "must not be empty: leave steps out for all of them")
	}
	seen := map[string]int{}
	for i, e := range nodes {
		p := paths[i]
		switch {
		case e.Kind != yaml.ScalarNode || isNull(e):
			d.errorf(p, e, "expected a review step, got %s", describe(e))
		case !slices.Contains(reviewSteps, e.Value):
			d.errorf(p, e, "unknown review step %q%s (valid: %s)", e.Value, tandem.DidYouMean(e.Value, reviewSteps), strings.Join(reviewSteps, ", "))
		case seen[e.Value] > 0:
			d.errorf(p, e, "%q listed twice (first at line %d)", e.Value, seen[e.Value])
		default:
			seen[e.Value] = e.Line
			r.Steps = append(r.Steps, e.Value)
		}
	}
	return r
}

// ticketSpec decodes a Migration's ticket templates.
func (d *decoder) ticketSpec(path string, n *yaml.Node) tandem.TicketSpec {
	t := tandem.TicketSpec{Per: tandem.PerTeam}
	f, ok := d.mapping(path, n, "title", "body", "per")
	if !ok {
		return t
	}
	t.Title, t.Body = f.template("title"), f.template("body")
	if per := f.str("per"); per != "" {
		f.oneOf("per", per, "ticket grouping", []string{tandem.PerTeam, tandem.PerCodebase})
		t.Per = per
	}
	return t
}

// nudgeSpec decodes a Migration's reminder schedule.
func (d *decoder) nudgeSpec(path string, n *yaml.Node) *tandem.NudgeSpec {
	f, ok := d.mapping(path, n, "every", "weekdays", "at", "timeZone")
	if !ok {
		return nil
	}
	s := &tandem.NudgeSpec{Every: f.required("every"), At: f.str("at"), TimeZone: f.str("timeZone")}
	if s.Every != "" {
		f.duration("every", "a duration")
	}
	for i, w := range f.names("weekdays", false) {
		if _, ok := weekdays[strings.ToLower(w)]; !ok {
			p := fmt.Sprintf("%s[%d]", f.field("weekdays"), i)
			d.errorAt(p, d.lines[p], "%q is not a weekday (mon, tue, … or monday, tuesday, …)", w)
		}
		s.Weekdays = append(s.Weekdays, w)
	}
	if s.At != "" {
		if _, err := time.Parse("15:04", s.At); err != nil {
			d.errorf(f.field("at"), f.vals["at"], "%q is not a time of day (HH:MM)", s.At)
		}
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			d.errorf(f.field("timeZone"), f.vals["timeZone"], "unknown time zone %q (use an IANA name such as Europe/Paris)", s.TimeZone)
		}
	}
	return s
}

// weekdays are the accepted spellings of weekdays.
var weekdays = map[string]bool{
	"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
}

// fixSpec decodes how a Migration's change is made by the platform team.
func (d *decoder) fixSpec(path string, n *yaml.Node) *tandem.FixSpec {
	f, ok := d.mapping(path, n, "run", "branch", "title", "body", "timeout", "env", "maxFiles")
	if !ok {
		return nil
	}
	fix := &tandem.FixSpec{Branch: f.required("branch"), Title: f.template("title"), Body: f.template("body"), Timeout: f.str("timeout"),
		Env: f.names("env", false)}
	for i, name := range fix.Env {
		if !envName.MatchString(name) {
			p := f.field("env") + "[" + strconv.Itoa(i) + "]"
			d.errorf(p, nil, "%q is not the name of an environment variable", name)
		}
	}
	f.need("title", fix.Title)
	if f.has("run") {
		fix.Run = d.argv(f, "run")
	} else {
		f.need("run", "")
	}
	if fix.Branch != "" && !validBranch(fix.Branch) {
		d.errorf(f.field("branch"), f.vals["branch"], "%q is not a valid branch name", fix.Branch)
	}
	if fix.Timeout != "" {
		f.duration("timeout", "a duration")
	}
	if f.has("maxFiles") {
		fix.MaxFiles = f.positive("maxFiles")
	}
	return fix
}

// envName is the name of an environment variable.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validBranch reports whether s can name a git branch: the common rules of
// git check-ref-format, without asking git.
func validBranch(s string) bool {
	if s == "" || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.HasSuffix(s, ".lock") ||
		strings.HasPrefix(s, "-") || strings.Contains(s, "..") || strings.Contains(s, "//") || strings.Contains(s, "@{") {
		return false
	}
	return !strings.ContainsAny(s, " ~^:?*[\\\x7f") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 })
}
