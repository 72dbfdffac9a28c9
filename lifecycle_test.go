package tandem_test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

// TestLifecycles checks each table: every move joins states of the
// lifecycle, every state can be reached from the creation, and no move is
// listed twice.
func TestLifecycles(t *testing.T) {
	for _, l := range tandem.Lifecycles {
		seen := map[[2]string]bool{}
		reached := map[string]bool{"": true}
		for _, m := range l.Moves {
			if m.From != "" && !slices.Contains(l.States, m.From) || !slices.Contains(l.States, m.To) {
				t.Errorf("%s: move %q -> %q names a state not in %v", l.Kind, m.From, m.To, l.States)
			}
			if seen[[2]string{m.From, m.To}] {
				t.Errorf("%s: move %q -> %q listed twice", l.Kind, m.From, m.To)
			}
			seen[[2]string{m.From, m.To}] = true
		}
		for grew := true; grew; {
			grew = false
			for _, m := range l.Moves {
				if reached[m.From] && !reached[m.To] {
					reached[m.To], grew = true, true
				}
			}
		}
		for _, s := range l.States {
			if !reached[s] {
				t.Errorf("%s: state %s cannot be reached", l.Kind, s)
			}
		}
	}
}

func TestLifecycleCheck(t *testing.T) {
	l := tandem.TargetLifecycle
	if err := l.Check("target x", tandem.TargetTicketed, tandem.TargetPROpen); err != nil {
		t.Errorf("ticketed -> pr-open: %v", err)
	}
	err := l.Check("target x", tandem.TargetDone, tandem.TargetExempt)
	if tandem.ErrorCode(err) != tandem.EINVALID || err.Error() != "target x is done: it cannot become exempt" {
		t.Errorf("done -> exempt: %v", err)
	}
	err = l.Check("target x", "", tandem.TargetDone)
	if tandem.ErrorCode(err) != tandem.EINVALID || err.Error() != "target x cannot start done" {
		t.Errorf("created done: %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite docs/lifecycles.md from the tables")

// TestLifecycleDocs keeps the state diagrams of docs/lifecycles.md drawn
// from the tables themselves: go test -run LifecycleDocs -update redraws
// them.
func TestLifecycleDocs(t *testing.T) {
	const path = "docs/lifecycles.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := string(doc)
	for _, l := range tandem.Lifecycles {
		begin, end := "<!-- diagram: "+l.Kind+" -->\n", "<!-- end: "+l.Kind+" -->"
		i, j := strings.Index(out, begin), strings.Index(out, end)
		if i < 0 || j < i {
			t.Errorf("%s has no %q ... %q section for the %s lifecycle", path, begin, end, l.Kind)
			continue
		}
		out = out[:i+len(begin)] + mermaid(l) + out[j:]
	}
	if out == string(doc) {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s does not draw the lifecycle tables as they are: run go test -run LifecycleDocs -update", path)
}

// mermaid draws a lifecycle as a Mermaid state diagram.
func mermaid(l tandem.Lifecycle) string {
	id := func(s string) string {
		if s == "" {
			return "[*]"
		}
		return strings.ReplaceAll(s, "-", "_")
	}
	var b strings.Builder
	b.WriteString("```mermaid\nstateDiagram-v2\n")
	for _, s := range l.States {
		if id(s) != s {
			fmt.Fprintf(&b, "    state %q as %s\n", s, id(s))
		}
	}
	for _, m := range l.Moves {
		fmt.Fprintf(&b, "    %s --> %s: %s\n", id(m.From), id(m.To), m.On)
	}
	b.WriteString("```\n")
	return b.String()
}
