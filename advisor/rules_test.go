package advisor

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"go.yaml.in/yaml/v3"
)

func TestDefaultRules(t *testing.T) {
	r, err := ParseRules("rules.yaml", builtin)
	if err != nil {
		t.Fatalf("the embedded table does not parse: %v", err)
	}
	if got, want := len(r.tradeoffs), len(Patterns); got != want {
		t.Errorf("trade-offs of %d patterns, want %d", got, want)
	}
	if len(r.rules) == 0 || len(r.warnings) == 0 {
		t.Errorf("the embedded table has %d rules and %d warnings, want some of each", len(r.rules), len(r.warnings))
	}
	if got, want := DefaultRules().tradeoffs[string(tandem.FileATicket)].Scalability, "high"; got != want {
		t.Errorf("file-a-ticket scalability = %q, want %q", got, want)
	}
}

// table returns a rules table whose patterns section takes lines 1-10,
// followed by rest from line 11.
func table(rest string) string {
	var b strings.Builder
	b.WriteString("patterns:\n")
	for _, p := range Patterns {
		fmt.Fprintf(&b, "  %s: {scalability: low, lead_time: fast, cost_to_driver: low, cost_to_owner: low, cognitive_load: low}\n", p)
	}
	return b.String() + rest
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // the error message, or its start
	}{
		{"a minimal table parses", table("rules:\n  - when: {phase: [migration]}\n    add: {file-a-ticket: 1}\n    reason: Tickets.\n"), ""},
		{"an unknown field of a rule is located", table("rules:\n  - when: {phase: [migration]}\n    add: {file-a-ticket: 1}\n    reason: Tickets.\n    weight: 2\n"),
			"t.yaml:15: rules[0].weight: unknown field (want when, add or reason)"},
		{"an unknown top-level field is located", table("rulez: []\n"), "t.yaml:11: rulez: unknown field"},
		{"an unknown pattern name is located", table("rules:\n  - when: {phase: [migration]}\n    add: {file-a-tiket: 1}\n    reason: Tickets.\n"),
			"t.yaml:13: rules[0].add.file-a-tiket: unknown pattern"},
		{"an unknown condition value is located", table("rules:\n  - add: {file-a-ticket: 1}\n    when: {phase: [migrate]}\n    reason: Tickets.\n"),
			`t.yaml:13: rules[0].when.phase: unknown value "migrate" (want migration, consumption or evolution)`},
		{"an unknown condition is located", table("rules:\n  - when: {colour: [red]}\n    add: {file-a-ticket: 1}\n    reason: Tickets.\n"),
			"t.yaml:12: rules[0].when.colour: unknown field"},
		{"a rule may not look at the ranking", table("rules:\n  - when: {top: [file-a-ticket]}\n    add: {file-a-ticket: 1}\n    reason: Tickets.\n"),
			"t.yaml:12: rules[0].when.top: unknown field"},
		{"a bad duration is located", table("warnings:\n  - when: {notice: {min: soon}}\n    text: Hurry.\n"),
			`t.yaml:12: warnings[0].when.notice.min: expected a duration like 4w, got "soon"`},
		{"a score must be a number", table("rules:\n  - add: {file-a-ticket: lots}\n    reason: Tickets.\n"),
			`t.yaml:12: rules[0].add.file-a-ticket: expected a number, got "lots"`},
		{"an unknown placeholder is located", table("warnings:\n  - text: Ask {manager}.\n"),
			"t.yaml:12: warnings[0].text: unknown placeholder {manager}"},
		{"a pattern without trade-offs is an error", "patterns:\n  file-a-ticket: {scalability: high, lead_time: slow, cost_to_driver: low, cost_to_owner: high, cognitive_load: low}\n",
			"t.yaml:2: patterns: missing pattern tour-of-duty"},
		{"an unknown trade-off value is located", strings.Replace(table(""), "lead_time: fast", "lead_time: quick", 1),
			`t.yaml:2: patterns.file-a-ticket.lead_time: unknown value "quick" (want fast, medium or slow)`},
		{"malformed YAML is located", table("rules:\n  - when: {phase: [migration]}\n\t add: {file-a-ticket: 1}\n"), "t.yaml:13: found character that cannot start any token"},
		{"an empty file is an error", "", "t.yaml:1: empty rules table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules("t.yaml", []byte(tt.yaml))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ParseRules: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseRules succeeded, want %q", tt.want)
			}
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			if got := err.Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("error = %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite the built-in table in ../docs/advisor.md")

// TestDocsShowTheBuiltInTable keeps docs/advisor.md's rendering of
// rules.yaml current; run with -update to rewrite it.
func TestDocsShowTheBuiltInTable(t *testing.T) {
	const path = "../docs/advisor.md"
	const begin, end = "<!-- begin rules.yaml -->\n", "<!-- end rules.yaml -->\n"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), begin)
	current, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the %q and %q markers", path, begin, end)
	}
	want := renderTable(t, builtin)
	if *update {
		if err := os.WriteFile(path, []byte(before+begin+want+end+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if current != want {
		t.Errorf("%s does not show the current rules.yaml; run go test ./advisor/ -run Docs -update", path)
	}
}

// renderTable renders a rules table as markdown, from its YAML.
func renderTable(t *testing.T, data []byte) string {
	var raw struct {
		Patterns yaml.Node
		Rules    []struct {
			When   yaml.Node
			Add    yaml.Node
			Reason string
		}
		Warnings []struct {
			When yaml.Node
			Text string
		}
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("### Rules\n\n| # | when | score changes | reason |\n|---|---|---|---|\n")
	for i, r := range raw.Rules {
		var adds []string
		for j := 0; j+1 < len(r.Add.Content); j += 2 {
			v := r.Add.Content[j+1].Value
			if !strings.HasPrefix(v, "-") {
				v = "+" + v
			}
			adds = append(adds, fmt.Sprintf("%s %s", r.Add.Content[j].Value, v))
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", i+1, renderWhen(&r.When), strings.Join(adds, ", "), r.Reason)
	}
	b.WriteString("\n### Warnings\n\n| when | warning |\n|---|---|\n")
	for _, w := range raw.Warnings {
		fmt.Fprintf(&b, "| %s | %s |\n", renderWhen(&w.When), w.Text)
	}
	b.WriteString("\n### Trade-offs\n\n| pattern | scalability | lead time | cost to driver | cost to owner | cognitive load |\n|---|---|---|---|---|---|\n")
	for i := 0; i+1 < len(raw.Patterns.Content); i += 2 {
		fmt.Fprintf(&b, "| %s |", raw.Patterns.Content[i].Value)
		m := raw.Patterns.Content[i+1]
		for j := 1; j < len(m.Content); j += 2 {
			fmt.Fprintf(&b, " %s |", m.Content[j].Value)
		}
		b.WriteString("\n")
	}
	return b.String()
}

var spanWords = map[string]string{"min": "≥", "max": "≤", "below": "<"}

func renderWhen(n *yaml.Node) string {
	if len(n.Content) == 0 {
		return "always"
	}
	var parts []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		verb := map[string]string{"ranked": "recommending", "top": "recommending first"}[k]
		if k == "trusted" {
			k = "driver trusted"
		}
		k = strings.ReplaceAll(k, "_", " ")
		switch v.Kind {
		case yaml.SequenceNode:
			var vs []string
			for _, e := range v.Content {
				vs = append(vs, e.Value)
			}
			if verb == "" {
				verb = k + " is"
			}
			parts = append(parts, verb+" "+strings.Join(vs, " or "))
		case yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				parts = append(parts, fmt.Sprintf("%s %s %s", k, spanWords[v.Content[j].Value], v.Content[j+1].Value))
			}
		default:
			if v.Value == "false" {
				k = "not " + k
			}
			parts = append(parts, k)
		}
	}
	return strings.Join(parts, ", ")
}
