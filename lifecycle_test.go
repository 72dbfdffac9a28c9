package tandem_test

import (
	"slices"
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
