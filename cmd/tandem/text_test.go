package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestPrintfEscapesData(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		format string
		args   []any
		want   string
	}{
		{"plain text is unchanged, backslashes too", "%s: %s\n", []any{"payments-api", `C:\repos`}, "payments-api: C:\\repos\n"},
		{"the format's own tabs and newlines stay", "%s\t%d\n", []any{"a", 3}, "a\t3\n"},
		{"C0 controls, tab and newline in data are escaped", "%s\n", []any{"a\x1b[31mb\tc\nd\re\x00"}, `a\x1b[31mb\tc\nd\re\x00` + "\n"},
		{"DEL and C1 controls are escaped", "%s\n", []any{"a\x7fb\u009b31mc\u0085"}, `a\x7fb\u009b31mc\u0085` + "\n"},
		{"bidi overrides and isolates are escaped", "%s\n", []any{"a\u202eb\u2066c\u2069d\u200f"}, `a\u202eb\u2066c\u2069d\u200f` + "\n"},
		{"bytes that are not UTF-8 are escaped", "%s\n", []any{"a\x9bb\xff"}, `a\x9bb\xff` + "\n"},
		{"other Unicode is unchanged", "%s\n", []any{"café → 東京 · ✓"}, "café → 東京 · ✓\n"},
		{"errors, Stringers, string types and lists are escaped", "%s %s %s %s\n",
			[]any{errors.New("x\ny"), tandem.Problem{Message: "p\x1b"}, tandem.TeamType("t\x07"), []string{"l\r"}}, `x\ny p\x1b t\a [l\r]` + "\n"},
		{"numbers print as numbers", "%d %.1f %v\n", []any{42, 1.5, true}, "42 1.5 true\n"},
		{"multiline text keeps its newlines only", "%s\n", []any{multiline("line 1\nline\x1b]0;x\x07 2\r")}, `line 1` + "\n" + `line\x1b]0;x\a 2\r` + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			printf(&b, tt.format, tt.args...)
			if got := b.String(); got != tt.want {
				t.Errorf("printf(%q, %q) = %q, want %q", tt.format, tt.args, got, tt.want)
			}
		})
	}
}
