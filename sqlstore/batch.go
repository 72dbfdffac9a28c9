package sqlstore

import (
	"strconv"
	"strings"
)

// batchRows bounds the rows one statement writes or names, well under
// both engines' limits on bound values.
const batchRows = 500

// placeholders returns n numbered placeholders from $first, comma
// separated: "$3, $4, $5".
func placeholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i))
	}
	return b.String()
}

// valueRows returns rows parenthesised groups of width placeholders,
// numbered from $1: "($1, $2), ($3, $4)".
func valueRows(rows, width int) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + placeholders(1+r*width, width) + ")")
	}
	return b.String()
}

// anySlice returns s as arguments of a statement.
func anySlice[T any](s []T) []any {
	args := make([]any, len(s))
	for i, v := range s {
		args[i] = v
	}
	return args
}
