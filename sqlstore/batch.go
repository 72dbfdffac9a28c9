package sqlstore

import (
	"fmt"
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

// oneOf returns the condition that column is one of names, and the one
// argument, $n, that binds them: an array on PostgreSQL, a JSON array
// read by json_each on SQLite. One statement matches any number of names,
// without a placeholder each.
func (db *DB) oneOf(column string, n int, names []string) (string, any) {
	if db.dialect == Postgres {
		return fmt.Sprintf("%s = ANY($%d)", column, n), names
	}
	return fmt.Sprintf("%s IN (SELECT value FROM json_each($%d))", column, n), encode(names)
}
