package main

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// printf writes to w as fmt.Fprintf does, for a person at a terminal.
// format is the program's own text; every argument is data (names of
// repositories and files, titles, messages from the server) and is
// escaped (see terminal), so that a name cannot move the cursor, retitle
// the window, reorder the line or start a new one. Every text and table
// the CLI prints goes through printf; JSON and YAML output does not, and
// stays exact.
func printf(w io.Writer, format string, args ...any) {
	escaped := make([]any, len(args))
	for i, a := range args {
		escaped[i] = escapeArg(a)
	}
	fmt.Fprintf(w, format, escaped...)
}

// multiline is text whose line breaks are its own (a ticket's body): printf
// escapes it but keeps its newlines.
type multiline string

// escapeArg returns a printf argument with its text escaped: strings and
// what prints as one (errors, Stringers, string types, lists of them).
// Numbers and other values print as they are.
func escapeArg(a any) any {
	switch v := a.(type) {
	case nil:
		return nil
	case multiline:
		return escapeText(string(v), true)
	case string:
		return terminal(v)
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = terminal(s)
		}
		return out
	case error:
		return terminal(v.Error())
	case fmt.Stringer:
		return terminal(v.String())
	}
	if rv := reflect.ValueOf(a); rv.Kind() == reflect.String {
		return terminal(rv.String())
	}
	return a
}

// terminal returns s with every character that a terminal would act on
// instead of showing escaped as in a Go string literal (\x1b, \n, \u202e):
// C0 controls (tab and newline too), DEL, C1 controls, the bidirectional
// formatting characters that reorder text (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069) and bytes that are not UTF-8. Other text,
// backslashes included, is unchanged.
func terminal(s string) string { return escapeText(s, false) }

func escapeText(s string, keepNewlines bool) string {
	if !needsEscape(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepNewlines && r == '\n' || !unsafeRune(r):
			b.WriteString(s[i : i+size])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeRune(r) && !(keepNewlines && r == '\n') {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports whether a terminal acts on r instead of showing it.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
