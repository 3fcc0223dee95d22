package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// result is what a query returned, within its row limit.
type result struct {
	columns []string
	rows    [][]any
	// more says the query had rows beyond the limit, which were not read.
	more bool
}

// index returns the position of a column by name: the exact name first, then
// the name in any case (databases fold unquoted names); -1 when absent.
func (r *result) index(name string) int {
	folded := -1
	for i, c := range r.columns {
		if c == name {
			return i
		}
		if folded < 0 && strings.EqualFold(c, name) {
			folded = i
		}
	}
	return folded
}

// get returns a row's value of a column the mapping names; run has checked
// that the column is there.
func (r *result) get(row []any, name string) any {
	if i := r.index(name); i >= 0 {
		return row[i]
	}
	return nil
}

// run runs q with the values of its parameters, within its timeout, and reads
// at most limit rows. Reading stops there: when more rows follow, the query is
// cancelled rather than read to its end.
func (a *Adapter) run(ctx context.Context, q *query, params map[string]any, limit int) (*result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqldb: query %q: %w", q.name, context.Cause(ctx))
	}
	qctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	args := make([]any, len(q.stmt.args))
	for i, name := range q.stmt.args {
		args[i] = params[name]
	}
	rows, err := a.db.QueryContext(qctx, q.stmt.sql, args...)
	if err != nil {
		return nil, a.classify(ctx, qctx, q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, a.classify(ctx, qctx, q, err)
	}
	res := &result{columns: cols}
	for _, n := range q.needed {
		if res.index(n.column) < 0 {
			err := &MissingColumnError{Query: q.name, Column: n.column, Key: n.key, Returned: cols}
			a.hint(q, "missing "+n.column, "sqldb: a mapping names a column the query does not return",
				"column", n.column, "setting", n.key, "returned", strings.Join(cols, ", "),
				"hint", "add the column to the query's SELECT list, or correct the mapping")
			return nil, err
		}
	}
	for rows.Next() {
		if len(res.rows) == limit {
			res.more = true
			cancel() // stop the database from producing rows nobody reads
			break
		}
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, a.classify(ctx, qctx, q, err)
		}
		res.rows = append(res.rows, row)
	}
	if res.more {
		if !q.stmt.limited() {
			a.hint(q, "unlimited", "sqldb: a query returned more rows than it may show",
				"max_rows", q.maxRows, "hint", "add LIMIT :limit to its SQL so that the database stops at the rows Atrium reads")
		}
		return res, nil
	}
	if err := rows.Err(); err != nil {
		return nil, a.classify(ctx, qctx, q, err)
	}
	return res, nil
}

// limited reports whether the statement binds the limit parameter.
func (s *statement) limited() bool { return slices.Contains(s.args, "limit") }

// value converts a cell of a row, logging (once) a value the kind cannot read.
func (a *Adapter) value(q *query, r *result, row []any, col string, kind adapters.Kind, currency string) adapters.Value {
	v, err := valueOf(r.get(row, col), kind, currency)
	if err != nil {
		a.hint(q, "value "+col, "sqldb: a column holds values its kind cannot read; they show as empty",
			"column", col, "error", err.Error(), "hint", "change the column's kind, or convert the value in SQL")
	}
	return v
}
