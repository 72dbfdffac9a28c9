package campaign

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	tandem "github.com/tandem-dev/tandem"
)

// MaxRenderSize is the largest text a template may produce, in bytes.
const MaxRenderSize = 64 << 10

// Default ticket templates, used when a migration leaves its own empty.
const (
	DefaultTicketTitle = "{{.Migration.Title}} ({{.Team}})"
	DefaultTicketBody  = `## {{.Migration.Title}}
{{with .Migration.Summary}}
{{.}}
{{end}}{{with .Deadline}}
**Deadline:** {{.}}
{{end}}
Codebases of {{.Team}} that need the change:

{{range .Codebases}}- **{{.Name}}**{{with .Paths}} (the paths you own: {{join ", " .}}){{end}}{{with evidence .Evidence}}: {{.}}{{end}}
{{end}}
Tandem closes this ticket by itself when the code no longer needs the change.
`
	// DefaultFixBody is a change request's description when the fix has
	// none. It says the deadline passed only once it has: a person may
	// escalate before it.
	DefaultFixBody = `{{ .Migration.Title }}.

{{ with .Migration.Summary }}{{ . }}

{{ end }}This change was made by the platform team with Tandem, because the codebase still {{ if .PastDeadline }}needed it after the deadline, {{ .Deadline }}{{ else }}needs it{{ with .Deadline }}; the deadline is {{ . }}{{ end }}{{ end }}.`
)

// TicketData is what ticket and fix templates see. Fix templates see it
// with a single codebase.
type TicketData struct {
	Team      string
	Codebases []CodebaseData // sorted by name
	Migration tandem.Migration
	Deadline  string // "2027-01-31" or ""
	// PastDeadline says that the deadline's day is over.
	PastDeadline bool
}

// CodebaseData is one codebase of a ticket and the matches that make it a
// target. For an owned part of a codebase (a monorepo's folders a team
// owns), Part is the part and Paths the files of the evidence, sorted.
type CodebaseData struct {
	Name     string
	Part     string
	Paths    []string
	Evidence []tandem.Match
}

// codebaseData is what templates see of a target.
func codebaseData(t tandem.Target) CodebaseData {
	d := CodebaseData{Name: t.Codebase, Part: t.Part, Evidence: t.Evidence}
	if t.Part != "" {
		for _, m := range t.Evidence {
			if !slices.Contains(d.Paths, m.Path) {
				d.Paths = append(d.Paths, m.Path)
			}
		}
		slices.Sort(d.Paths)
	}
	return d
}

// String returns the codebase's name, so that {{join ", " .Codebases}}
// lists names.
func (c CodebaseData) String() string { return c.Name }

// maxEvidence is how many matches the evidence function lists.
const maxEvidence = 5

// Funcs are the only functions templates may call besides text/template's
// built-ins:
//
//	join SEP LIST    the elements of a list (strings, or anything printable) joined by SEP
//	upper S, lower S S in upper or lower case
//	evidence MATCHES "path:line, path:line", at most 5, then "and N more"
var Funcs = template.FuncMap{
	"join":     join,
	"upper":    strings.ToUpper,
	"lower":    strings.ToLower,
	"evidence": evidence,
}

func join(sep string, list any) (string, error) {
	if ss, ok := list.([]string); ok {
		return strings.Join(ss, sep), nil
	}
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return "", fmt.Errorf("join: %T is not a list", list)
	}
	parts := make([]string, v.Len())
	for i := range parts {
		parts[i] = fmt.Sprint(v.Index(i).Interface())
	}
	return strings.Join(parts, sep), nil
}

func evidence(ms []tandem.Match) string {
	n := min(len(ms), maxEvidence)
	parts := make([]string, n)
	for i, m := range ms[:n] {
		parts[i] = m.String()
	}
	s := strings.Join(parts, ", ")
	if more := len(ms) - n; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// errTooLong is the writer error that stops a template at MaxRenderSize.
var errTooLong = errors.New("output exceeds 64 KiB")

// cappedBuilder is a strings.Builder that refuses to grow past MaxRenderSize.
type cappedBuilder struct{ strings.Builder }

func (b *cappedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxRenderSize {
		return 0, errTooLong
	}
	return b.Builder.Write(p)
}

// parseTemplate parses tmpl under name with Funcs only, and rejects
// number literals where they could make a template loop without bound.
func parseTemplate(name, tmpl string) (*template.Template, error) {
	t, err := template.New(name).Funcs(Funcs).Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return nil, tandem.Errorf(tandem.EINVALID, "%s: %v", name, err)
	}
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		if err := checkNode(tt.Root); err != nil {
			return nil, tandem.Errorf(tandem.EINVALID, "%s: template: %s: %v", name, tt.Name(), err)
		}
	}
	return t, nil
}

// checkNode rejects number literals in the pipelines that set dot or a
// variable or are ranged over: a template's integers then only come from
// its data, and {{range 1000000000}} cannot spin without output.
func checkNode(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkNode(c); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 {
			return checkPipe(n.Pipe)
		}
	case *parse.IfNode:
		return checkBranch(&n.BranchNode, len(n.Pipe.Decl) > 0)
	case *parse.RangeNode:
		return checkBranch(&n.BranchNode, true)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode, true)
	case *parse.TemplateNode:
		if n.Pipe != nil {
			return checkPipe(n.Pipe)
		}
	}
	return nil
}

func checkBranch(b *parse.BranchNode, strict bool) error {
	if strict {
		if err := checkPipe(b.Pipe); err != nil {
			return err
		}
	}
	if err := checkNode(b.List); err != nil {
		return err
	}
	return checkNode(b.ElseList)
}

func checkPipe(p *parse.PipeNode) error {
	for _, c := range p.Cmds {
		for _, a := range c.Args {
			switch a := a.(type) {
			case *parse.NumberNode:
				return fmt.Errorf("number %s not allowed in %q", a.Text, p.String())
			case *parse.PipeNode:
				if err := checkPipe(a); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Render executes the Go text/template tmpl with data and returns its
// output. Templates are sandboxed: they may call only Funcs and the
// built-ins, a missing map key is an error, and output stops at
// MaxRenderSize. A template that does not parse or fails to execute
// returns an EINVALID *tandem.Error that starts with name
// ("ticket.title: template: ...").
func Render(name, tmpl string, data any) (string, error) {
	t, err := parseTemplate(name, tmpl)
	if err != nil {
		return "", err
	}
	var b cappedBuilder
	if err := t.Execute(&b, data); err != nil {
		if errors.Is(err, errTooLong) {
			return "", tandem.Errorf(tandem.EINVALID, "%s: %v", name, errTooLong)
		}
		return "", tandem.Errorf(tandem.EINVALID, "%s: %v", name, err)
	}
	return b.String(), nil
}

// TicketTitle returns the title of a ticket of migration m, rendered from
// m.Ticket.Title or DefaultTicketTitle when that is empty.
func TicketTitle(m tandem.Migration, d TicketData) (string, error) {
	return Render("ticket.title", orDefault(m.Ticket.Title, DefaultTicketTitle), d)
}

// TicketBody returns the body of a ticket of migration m, rendered from
// m.Ticket.Body or DefaultTicketBody when that is empty. It appends no
// marker: the caller appends tandem.TicketMarker.
func TicketBody(m tandem.Migration, d TicketData) (string, error) {
	return Render("ticket.body", orDefault(m.Ticket.Body, DefaultTicketBody), d)
}

// FixBody returns the description of a change request of migration m,
// rendered from m.Fix.Body or DefaultFixBody when that is empty.
func FixBody(m tandem.Migration, d TicketData) (string, error) {
	body := ""
	if m.Fix != nil {
		body = m.Fix.Body
	}
	return Render("fix.body", orDefault(body, DefaultFixBody), d)
}

// PastDeadline reports whether a deadline ("2027-01-31", UTC) is over at
// now: from the end of its day on, as escalate.after: deadline counts. No
// deadline, or one that does not parse, is never past.
func PastDeadline(deadline string, now time.Time) bool {
	if deadline == "" {
		return false
	}
	end, err := endOfDay(deadline, time.UTC)
	return err == nil && !now.Before(end)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ValidateTemplates parses every template of m (ticket title and body,
// fix title and body) so that a bad one is refused when the migration is
// applied rather than when its first ticket is filed. It returns an
// EINVALID error listing one problem per bad template, the field named
// ticket.title, ticket.body, fix.title or fix.body.
func ValidateTemplates(m tandem.Migration) error {
	templates := [][2]string{
		{"ticket.title", orDefault(m.Ticket.Title, DefaultTicketTitle)},
		{"ticket.body", orDefault(m.Ticket.Body, DefaultTicketBody)},
	}
	if m.Fix != nil {
		templates = append(templates, [2]string{"fix.title", m.Fix.Title}, [2]string{"fix.body", m.Fix.Body})
	}
	var ps tandem.Problems
	for _, t := range templates {
		if _, err := parseTemplate(t[0], t[1]); err != nil {
			ps = append(ps, tandem.Problem{Field: t[0], Message: strings.TrimPrefix(tandem.ErrorMessage(err), t[0]+": ")})
		}
	}
	return ps.Err()
}
