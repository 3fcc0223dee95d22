package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// Fetch runs a facet's query for one customer. The header facet maps the
// first row to fields and keys (for identity resolution) and is not found
// without one; a table facet maps its rows, at most max_rows, to a table and,
// when configured, to timeline events.
//
// A table whose query has more rows than max_rows reports Total as
// max_rows+1, a lower bound meaning "more than max_rows", unless the facet
// names a total_column (e.g. count(*) OVER () AS total) with the exact count.
// Summaries cover the fetched rows only.
func (a *Adapter) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	var q *query
	for _, f := range a.facets {
		if f.name == req.Facet {
			q = f
		}
	}
	if q == nil {
		return nil, fmt.Errorf("sqldb: source %q has no facet %q: %w", a.source, req.Facet, adapters.ErrBadRequest)
	}
	rows := q.maxRows
	if q.role == roleHeader {
		rows = 1
	}
	res, err := a.run(ctx, q, map[string]any{"id": req.ID, "limit": rows + 1}, rows)
	if err != nil {
		return nil, err
	}
	f := &adapters.Facet{Source: a.source, Name: q.name, FetchedAt: a.now()}
	if q.role == roleHeader {
		if len(res.rows) == 0 {
			return nil, fmt.Errorf("sqldb: %s: customer %q: %w", q.name, req.ID, adapters.ErrNotFound)
		}
		if res.more {
			a.hint(q, "several", "sqldb: the header query returned several rows for one customer; the first is shown",
				"hint", "select the customer by its key, e.g. WHERE customer_no = :id")
		}
		row := res.rows[0]
		f.Fields = make(map[string]adapters.Value, len(q.fields))
		for _, fl := range q.fields {
			if !fl.key {
				f.Fields[fl.name] = a.value(q, res, row, fl.column, fl.kind, q.currency)
				continue
			}
			s, _ := textOf(res.get(row, fl.column))
			if k, ok := keyOf(fl.name, s, q.external); ok {
				f.Keys = mergeKeys(f.Keys, []adapters.Key{k})
			}
		}
		f.URL = a.link(q, res, row)
		return f, nil
	}
	t := a.table(q, res)
	f.Tables = []adapters.Table{t}
	f.Events = a.events(q, res, t.Rows)
	return f, nil
}

// events maps the fetched rows of a table to timeline events; a row without
// a readable date has none.
func (a *Adapter) events(q *query, res *result, rows []adapters.Row) []adapters.Event {
	ev := q.event
	if ev == nil {
		return nil
	}
	text := func(row []any) func(string) (string, bool) {
		return func(col string) (string, bool) { return textOf(res.get(row, col)) }
	}
	amount := -1
	for i, c := range q.columns {
		if ev.amount != "" && strings.EqualFold(c.name, ev.amount) {
			amount = i
		}
	}
	var out []adapters.Event
	for i, row := range res.rows {
		at := a.value(q, res, row, ev.at, adapters.KindDateTime, "")
		if !at.Valid {
			continue
		}
		e := adapters.Event{At: at.Time, Kind: ev.kind, Title: ev.title.expand(text(row)), URL: rows[i].URL}
		if ev.detail != nil {
			e.Detail = ev.detail.expand(text(row))
		}
		if ev.status != "" {
			e.Status, _ = textOf(res.get(row, ev.status))
		}
		if amount >= 0 {
			e.Amount = rows[i].Cells[amount]
		}
		out = append(out, e)
	}
	return out
}

// table maps the rows of a table facet.
func (a *Adapter) table(q *query, res *result) adapters.Table {
	t := adapters.Table{Name: q.name, Total: len(res.rows)}
	for _, c := range q.columns {
		t.Columns = append(t.Columns, adapters.Column{Key: c.name, Title: c.title, Kind: c.kind})
	}
	for _, row := range res.rows {
		r := adapters.Row{Cells: make([]adapters.Value, len(q.columns)), URL: a.link(q, res, row)}
		for i, c := range q.columns {
			cur := c.currency
			if c.currencyColumn != "" {
				s, _ := textOf(res.get(row, c.currencyColumn))
				cur = strings.ToUpper(strings.TrimSpace(s))
			}
			r.Cells[i] = a.value(q, res, row, c.name, c.kind, cur)
		}
		t.Rows = append(t.Rows, r)
	}
	if res.more {
		t.Total = q.maxRows + 1
	}
	if q.total != "" && len(res.rows) > 0 {
		if n, err := numberOf(res.get(res.rows[0], q.total)); err == nil && int(n) >= len(t.Rows) {
			t.Total = int(n)
		}
	}
	t.Summary = summarize(q, res, t.Rows)
	return t
}

func (a *Adapter) link(q *query, res *result, row []any) string {
	if q.link == nil {
		return ""
	}
	return q.link.expand(func(col string) (string, bool) { return textOf(res.get(row, col)) })
}

// summarize computes a table's summary over its fetched rows.
func summarize(q *query, res *result, rows []adapters.Row) []adapters.Metric {
	var out []adapters.Metric
	for _, s := range q.summary {
		col := -1
		for i, c := range q.columns {
			if strings.EqualFold(c.name, s.column) {
				col = i
			}
		}
		var (
			count    int
			sum      float64
			best     adapters.Value
			currency string
			mixed    bool
		)
		for ri, raw := range res.rows {
			if !holds(res, raw, s.where) {
				continue
			}
			if col < 0 { // count: "*"
				count++
				continue
			}
			v := rows[ri].Cells[col]
			if !v.Valid {
				continue
			}
			count++
			sum += v.Number
			if count == 1 {
				currency = v.Currency
			} else if v.Currency != currency {
				mixed = true
			}
			if !best.Valid || greater(v, best) {
				best = v
			}
		}
		m := adapters.Metric{Label: s.label, Key: s.key}
		switch s.agg {
		case "count":
			m.Value = adapters.Value{Kind: adapters.KindNumber, Number: float64(count), Valid: true}
		case "sum":
			kind := q.columns[col].kind
			// A sum of amounts in several currencies means nothing: show none.
			m.Value = adapters.Value{Kind: kind, Number: sum, Currency: currency, Valid: !mixed}
			if kind == adapters.KindMoney && count == 0 {
				// Nothing to add up: zero, in the currency the table shows.
				m.Value.Currency = q.columns[col].currency
				for _, r := range rows {
					if c := r.Cells[col]; c.Valid && c.Currency != "" {
						m.Value.Currency = c.Currency
						break
					}
				}
			}
		case "max":
			m.Value = best
		}
		out = append(out, m)
	}
	return out
}

// holds reports whether a row matches every condition: the column's value,
// as text, equals the condition's. NULL matches nothing.
func holds(res *result, row []any, where []cond) bool {
	for _, c := range where {
		s, ok := textOf(res.get(row, c.column))
		if !ok || s != c.value {
			return false
		}
	}
	return true
}

// greater orders two valid values of one kind.
func greater(v, than adapters.Value) bool {
	switch v.Kind {
	case adapters.KindNumber, adapters.KindMoney, adapters.KindPercent:
		return v.Number > than.Number
	case adapters.KindDate, adapters.KindDateTime:
		return v.Time.After(than.Time)
	case adapters.KindBool:
		return v.Bool && !than.Bool
	}
	return v.Text > than.Text
}
