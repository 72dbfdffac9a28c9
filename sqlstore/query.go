package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The helpers every part of the store builds its statements and reads
// their rows with: conditions and placeholders, rows scanned into values,
// and the JSON of TEXT columns.

// conds is a WHERE clause built from a filter's set fields, numbering
// their parameters in order.
type conds struct {
	list []string
	args []any
}

// add adds cond, a format whose %[1]d verbs are its parameter's number,
// with its value v.
func (c *conds) add(cond string, v any) {
	c.args = append(c.args, v)
	c.list = append(c.list, fmt.Sprintf(cond, len(c.args)))
}

// addPlain adds cond, a condition without a parameter.
func (c *conds) addPlain(cond string) {
	c.list = append(c.list, cond)
}

// addSet adds "col = $n" when v is set: not zero.
func addSet[V comparable](c *conds, col string, v V) {
	var zero V
	if v != zero {
		c.add(col+" = $%d", v)
	}
}

// where returns " WHERE a AND b …", or "" without conditions.
func (c *conds) where() string {
	if len(c.list) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.list, " AND ")
}

// where returns " WHERE col = $1" and its argument when v is set.
func where(col, v string) (string, []any) {
	if v == "" {
		return "", nil
	}
	return " WHERE " + col + " = $1", []any{v}
}

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

// queryRows returns the values scan reads from each of query's rows, in
// their order; never nil. The rows are closed when it returns, so that
// the transaction can run its next statement.
func queryRows[T any](ctx context.Context, tx *sql.Tx, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// column returns the first column of query's rows, in their order.
func column[T any](ctx context.Context, tx *sql.Tx, query string, args ...any) ([]T, error) {
	return queryRows(ctx, tx, func(rows *sql.Rows) (T, error) {
		var v T
		err := rows.Scan(&v)
		return v, err
	}, query, args...)
}

// pairs returns the second column of query's rows grouped by the first,
// each group sorted.
func pairs(ctx context.Context, tx *sql.Tx, query string, args ...any) (map[string][]string, error) {
	kvs, err := queryRows(ctx, tx, func(rows *sql.Rows) (kv [2]string, err error) {
		err = rows.Scan(&kv[0], &kv[1])
		return kv, err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	m := map[string][]string{}
	for _, kv := range kvs {
		m[kv[0]] = append(m[kv[0]], kv[1])
	}
	for _, vs := range m {
		slices.Sort(vs)
	}
	return m, nil
}

// anyRow reports whether query returns a row.
func anyRow(ctx context.Context, tx *sql.Tx, query string, args ...any) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// timePtr returns a nullable time column as a UTC time, nil for NULL.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// decode unmarshals a JSON column into v; a string list is never nil.
func decode(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode %.40q: %w", s, err)
	}
	if p, ok := v.(*[]string); ok {
		*p = nonNil(*p)
	}
	return nil
}

// decodeAll decodes JSON columns, each of cols into the value into
// holds at its index, stopping at the first error.
func decodeAll(cols []string, into ...any) error {
	for i, s := range cols {
		if err := decode(s, into[i]); err != nil {
			return err
		}
	}
	return nil
}

// encode returns v as JSON for a TEXT column; nil string lists become [].
func encode(v any) string {
	if p, ok := v.([]string); ok {
		v = nonNil(p)
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Every stored type marshals; a failure is a programming error.
		panic(fmt.Sprintf("sqlstore: encode %T: %v", v, err))
	}
	return string(b)
}

// nonNil returns s, or an empty slice when s is nil, so that it marshals
// as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
