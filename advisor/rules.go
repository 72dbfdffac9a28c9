package advisor

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
	"go.yaml.in/yaml/v3"
)

// Patterns lists every pattern the advisor knows, in the order of the
// domain: how teams change each other's code, then how a platform
// supports its consumers.
var Patterns = tandem.Strings([]tandem.Pattern{
	tandem.FileATicket, tandem.TourOfDuty, tandem.TrustedOutsider,
	tandem.InternalOpenSource, tandem.EmbeddedExpert,
	tandem.ProfessionalServices, tandem.WhiteGlove,
	tandem.CommunityOfPractice, tandem.SelfService,
})

//go:embed rules.yaml
var builtin []byte

var defaultRules = mustParse("advisor/rules.yaml", builtin)

func mustParse(name string, data []byte) Rules {
	r, err := ParseRules(name, data)
	if err != nil {
		panic(err)
	}
	return r
}

// DefaultRules returns the built-in rules table (advisor/rules.yaml,
// embedded in the binary), parsed once when the program starts.
func DefaultRules() Rules { return defaultRules }

// Rules is a parsed rules table: the trade-offs of every pattern, the
// rules that score patterns for a situation, and the warnings.
type Rules struct {
	tradeoffs map[string]Tradeoffs
	rules     []rule
	warnings  []warning
}

// rule adds score deltas to patterns when every condition holds.
type rule struct {
	when   condition
	add    []delta // in the order of the file
	reason string
}

type delta struct {
	pattern string
	score   float64
}

// warning is a text shown when every condition holds.
type warning struct {
	when condition
	text string
}

// condition is the conjunction of a rule's or warning's conditions; nil
// and empty fields always hold.
type condition struct {
	phase, policy, maturity, size, support []string
	trusted, urgent, crossTeam             *bool
	teams, notice, readiness               *span
	tourWeeks, collaboratingWeeks          *span
	// ranked and top look at the ranking: warnings only.
	ranked, top []string
}

// span is a numeric condition: min and max are inclusive, below is not.
type span struct {
	min, max, below *float64
}

func (s *span) holds(v float64, known bool) bool {
	if s == nil {
		return true
	}
	if !known {
		return false
	}
	return (s.min == nil || v >= *s.min) && (s.max == nil || v <= *s.max) && (s.below == nil || v < *s.below)
}

// Values a condition may name.
var (
	phases     = tandem.Strings(tandem.Phases)
	policies   = []string{tandem.Closed, tandem.Trusted, tandem.Open}
	maturities = []string{"low", "medium", "high"}
	sizes      = []string{tandem.SizeSmall, tandem.SizeLarge}
	levels     = []string{"low", "medium", "high"}
	leadTimes  = []string{"fast", "medium", "slow"}
)

// placeholders are the {name}s a reason or warning text may use; Advise
// fills them in from the situation.
var placeholders = []string{"driver", "owner", "phase", "policy", "maturity", "size", "support",
	"teams", "notice", "readiness", "tour_weeks", "collaborating_weeks"}

var placeholderRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// ParseRules parses a rules table strictly: unknown fields, unknown
// pattern names and condition values, and malformed YAML are EINVALID
// errors that say "name:line: field: problem".
func ParseRules(name string, data []byte) (Rules, error) {
	p := parser{name: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Rules{}, p.yamlError(err)
	}
	if len(doc.Content) == 0 {
		return Rules{}, tandem.Errorf(tandem.EINVALID, "%s:1: empty rules table", name)
	}
	top, err := p.mapping("", doc.Content[0], "patterns", "rules", "warnings")
	if err != nil {
		return Rules{}, err
	}
	var r Rules
	if r.tradeoffs, err = p.tradeoffs(doc.Content[0], top["patterns"]); err != nil {
		return Rules{}, err
	}
	if n := top["rules"]; n != nil {
		if err := p.sequence("rules", n); err != nil {
			return Rules{}, err
		}
		for i, e := range n.Content {
			ru, err := p.rule(fmt.Sprintf("rules[%d]", i), e)
			if err != nil {
				return Rules{}, err
			}
			r.rules = append(r.rules, ru)
		}
	}
	if n := top["warnings"]; n != nil {
		if err := p.sequence("warnings", n); err != nil {
			return Rules{}, err
		}
		for i, e := range n.Content {
			w, err := p.warning(fmt.Sprintf("warnings[%d]", i), e)
			if err != nil {
				return Rules{}, err
			}
			r.warnings = append(r.warnings, w)
		}
	}
	return r, nil
}

type parser struct{ name string }

// errorf returns an EINVALID error located at n's line.
func (p parser) errorf(n *yaml.Node, field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	return tandem.Errorf(tandem.EINVALID, "%s:%d: %s", p.name, n.Line, msg)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError locates a YAML syntax error in the file.
func (p parser) yamlError(err error) error {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		return tandem.Errorf(tandem.EINVALID, "%s:%s: %s", p.name, m[1], m[2])
	}
	return tandem.Errorf(tandem.EINVALID, "%s:1: %s", p.name, strings.TrimPrefix(err.Error(), "yaml: "))
}

// mapping returns the values of the mapping n by key, rejecting keys not
// in valid and keys given twice.
func (p parser) mapping(field string, n *yaml.Node, valid ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, field, "expected a mapping, got %s", describe(n))
	}
	vals := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(valid, k.Value) {
			return nil, p.errorf(k, join(field, k.Value), "unknown field (want %s)", orList(valid))
		}
		if _, dup := vals[k.Value]; dup {
			return nil, p.errorf(k, join(field, k.Value), "given twice")
		}
		vals[k.Value] = v
	}
	return vals, nil
}

func (p parser) sequence(field string, n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, field, "expected a list, got %s", describe(n))
	}
	return nil
}

func (p parser) tradeoffs(root, n *yaml.Node) (map[string]Tradeoffs, error) {
	if n == nil {
		return nil, p.errorf(root, "patterns", "missing: give the trade-offs of every pattern")
	}
	vals, err := p.mapping("patterns", n, Patterns...)
	if err != nil {
		return nil, err
	}
	out := map[string]Tradeoffs{}
	for _, name := range Patterns {
		v, ok := vals[name]
		if !ok {
			return nil, p.errorf(n, "patterns", "missing pattern %s", name)
		}
		field := "patterns." + name
		f, err := p.mapping(field, v, "scalability", "lead_time", "cost_to_driver", "cost_to_owner", "cognitive_load")
		if err != nil {
			return nil, err
		}
		var t Tradeoffs
		for _, x := range []struct {
			key   string
			dst   *string
			valid []string
		}{
			{"scalability", &t.Scalability, levels},
			{"lead_time", &t.LeadTime, leadTimes},
			{"cost_to_driver", &t.CostDriver, levels},
			{"cost_to_owner", &t.CostOwner, levels},
			{"cognitive_load", &t.CognitiveLoad, levels},
		} {
			fv, ok := f[x.key]
			if !ok {
				return nil, p.errorf(v, field, "missing %s", x.key)
			}
			if *x.dst, err = p.oneOf(join(field, x.key), fv, x.valid); err != nil {
				return nil, err
			}
		}
		out[name] = t
	}
	return out, nil
}

func (p parser) rule(field string, n *yaml.Node) (rule, error) {
	f, err := p.mapping(field, n, "when", "add", "reason")
	if err != nil {
		return rule{}, err
	}
	var r rule
	if w := f["when"]; w != nil {
		if r.when, err = p.condition(field+".when", w, false); err != nil {
			return rule{}, err
		}
	}
	add := f["add"]
	if add == nil {
		return rule{}, p.errorf(n, field, "missing add: the score changes of the rule")
	}
	if add.Kind != yaml.MappingNode || len(add.Content) == 0 {
		return rule{}, p.errorf(add, field+".add", "expected a mapping of pattern names to numbers, got %s", describe(add))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(add.Content); i += 2 {
		k, v := add.Content[i], add.Content[i+1]
		af := join(field+".add", k.Value)
		if !slices.Contains(Patterns, k.Value) {
			return rule{}, p.errorf(k, af, "unknown pattern (want %s)", orList(Patterns))
		}
		if seen[k.Value] {
			return rule{}, p.errorf(k, af, "given twice")
		}
		seen[k.Value] = true
		x, err := p.number(af, v)
		if err != nil {
			return rule{}, err
		}
		r.add = append(r.add, delta{pattern: k.Value, score: x})
	}
	if r.reason, err = p.text(field+".reason", n, f["reason"]); err != nil {
		return rule{}, err
	}
	return r, nil
}

func (p parser) warning(field string, n *yaml.Node) (warning, error) {
	f, err := p.mapping(field, n, "when", "text")
	if err != nil {
		return warning{}, err
	}
	var w warning
	if c := f["when"]; c != nil {
		if w.when, err = p.condition(field+".when", c, true); err != nil {
			return warning{}, err
		}
	}
	if w.text, err = p.text(field+".text", n, f["text"]); err != nil {
		return warning{}, err
	}
	return w, nil
}

// text returns a non-empty sentence whose placeholders are all known.
func (p parser) text(field string, parent, n *yaml.Node) (string, error) {
	if n == nil {
		return "", p.errorf(parent, field, "missing")
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || strings.TrimSpace(n.Value) == "" {
		return "", p.errorf(n, field, "expected a sentence, got %s", describe(n))
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(n.Value, -1) {
		if !slices.Contains(placeholders, m[1]) {
			return "", p.errorf(n, field, "unknown placeholder {%s} (want one of %s)", m[1], orList(placeholders))
		}
	}
	return n.Value, nil
}

func (p parser) condition(field string, n *yaml.Node, warning bool) (condition, error) {
	valid := []string{"phase", "policy", "trusted", "maturity", "size", "support", "teams", "notice",
		"urgent", "readiness", "tour_weeks", "collaborating_weeks", "cross_team"}
	if warning {
		valid = append(valid, "ranked", "top")
	}
	f, err := p.mapping(field, n, valid...)
	if err != nil {
		return condition{}, err
	}
	var c condition
	lists := []struct {
		key   string
		dst   *[]string
		valid []string
	}{
		{"phase", &c.phase, phases},
		{"policy", &c.policy, policies},
		{"maturity", &c.maturity, maturities},
		{"size", &c.size, sizes},
		{"support", &c.support, tandem.Strings(tandem.SupportModels)},
		{"ranked", &c.ranked, Patterns},
		{"top", &c.top, Patterns},
	}
	for _, l := range lists {
		if v := f[l.key]; v != nil {
			if *l.dst, err = p.list(join(field, l.key), v, l.valid); err != nil {
				return condition{}, err
			}
		}
	}
	bools := []struct {
		key string
		dst **bool
	}{{"trusted", &c.trusted}, {"urgent", &c.urgent}, {"cross_team", &c.crossTeam}}
	for _, b := range bools {
		if v := f[b.key]; v != nil {
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
				return condition{}, p.errorf(v, join(field, b.key), "expected true or false, got %s", describe(v))
			}
			x := v.Value == "true"
			*b.dst = &x
		}
	}
	spans := []struct {
		key      string
		dst      **span
		duration bool
	}{
		{"teams", &c.teams, false},
		{"notice", &c.notice, true},
		{"readiness", &c.readiness, false},
		{"tour_weeks", &c.tourWeeks, false},
		{"collaborating_weeks", &c.collaboratingWeeks, false},
	}
	for _, s := range spans {
		if v := f[s.key]; v != nil {
			if *s.dst, err = p.span(join(field, s.key), v, s.duration); err != nil {
				return condition{}, err
			}
		}
	}
	return c, nil
}

// list returns a non-empty list of values from valid.
func (p parser) list(field string, n *yaml.Node, valid []string) ([]string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, field, "expected a list like [%s], got %s", valid[0], describe(n))
	}
	var out []string
	for _, e := range n.Content {
		v, err := p.oneOf(field, e, valid)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (p parser) oneOf(field string, n *yaml.Node, valid []string) (string, error) {
	if n.Kind != yaml.ScalarNode || !slices.Contains(valid, n.Value) {
		return "", p.errorf(n, field, "unknown value %s (want %s)", describe(n), orList(valid))
	}
	return n.Value, nil
}

// span parses {min, max, below}: numbers, or durations like 4w for notice.
func (p parser) span(field string, n *yaml.Node, duration bool) (*span, error) {
	f, err := p.mapping(field, n, "min", "max", "below")
	if err != nil {
		return nil, err
	}
	if len(f) == 0 {
		return nil, p.errorf(n, field, "expected min, max or below")
	}
	s := &span{}
	for _, b := range []struct {
		key string
		dst **float64
	}{{"min", &s.min}, {"max", &s.max}, {"below", &s.below}} {
		key, dst := b.key, b.dst
		v := f[key]
		if v == nil {
			continue
		}
		var x float64
		if duration {
			d, err := tandem.ParseDuration(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				return nil, p.errorf(v, join(field, key), "expected a duration like 4w, got %s", describe(v))
			}
			x = float64(d)
		} else if x, err = p.number(join(field, key), v); err != nil {
			return nil, err
		}
		*dst = &x
	}
	return s, nil
}

func (p parser) number(field string, n *yaml.Node) (float64, error) {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		if x, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return x, nil
		}
	}
	return 0, p.errorf(n, field, "expected a number, got %s", describe(n))
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "an alias"
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func orList(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

// formatDuration returns d in the units campaigns are planned in: weeks
// when whole, else days, else hours, else minutes.
func formatDuration(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d >= 7*day && d%(7*day) == 0:
		return fmt.Sprintf("%dw", d/(7*day))
	case d >= day:
		return fmt.Sprintf("%dd", (d+day/2)/day)
	case d >= time.Hour:
		return fmt.Sprintf("%dh", (d+time.Hour/2)/time.Hour)
	default:
		return fmt.Sprintf("%dm", max(d/time.Minute, 1))
	}
}
