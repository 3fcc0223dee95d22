package rest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// Fetch reads one facet of the customer req.ID from its endpoint.
func (a *Adapter) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rest %s: fetch %s: %w", a.source, req.Facet, err)
	}
	var f *facetPlan
	for _, c := range a.facets {
		if c.spec.Name == req.Facet {
			f = c
		}
	}
	if f == nil {
		return nil, fmt.Errorf("rest %s: no facet %q: %w", a.source, req.Facet, adapters.ErrBadRequest)
	}
	id := strings.TrimSpace(req.ID)
	if id == "" {
		return nil, fmt.Errorf("rest %s: fetch %s: empty id: %w", a.source, req.Facet, adapters.ErrNotFound)
	}
	u, err := f.path.expand(id)
	if err != nil {
		if errors.Is(err, errOffBase) {
			return nil, fmt.Errorf("rest %s: fetch %s: the id %w: %w", a.source, req.Facet, err, adapters.ErrNotFound)
		}
		return nil, fmt.Errorf("rest %s: fetch %s: %w", a.source, req.Facet, err)
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	limit := 0
	if f.spec.Header {
		limit = 1
	}
	pg, err := a.collect(ctx, &f.endpoint, u, limit, true)
	if err != nil {
		return nil, fmt.Errorf("rest %s: fetch %s: %w", a.source, req.Facet, err)
	}
	if pg.none {
		a.hint(ctx, f.spec.Name, f.items.key)
	}
	facet := &adapters.Facet{Source: a.source, Name: f.spec.Name, FetchedAt: a.now()}
	if f.spec.Header {
		if len(pg.items) == 0 {
			return nil, fmt.Errorf("rest %s: fetch %s: the answer holds no record: %w", a.source, req.Facet, adapters.ErrNotFound)
		}
		a.header(ctx, f, pg.items[0], facet)
		return facet, nil
	}
	a.table(ctx, f, pg, facet)
	return facet, nil
}

func (a *Adapter) header(ctx context.Context, f *facetPlan, rec any, facet *adapters.Facet) {
	facet.Fields = make(map[string]adapters.Value, len(f.fields))
	for _, fp := range f.fields {
		facet.Fields[fp.name] = a.value(ctx, fp.prog, rec, fp.kind, "")
	}
	facet.Keys = a.keysOf(ctx, f.keys, rec)
	facet.URL = a.linkOf(ctx, f.url, rec)
}

func (a *Adapter) table(ctx context.Context, f *facetPlan, pg page, facet *adapters.Facet) {
	items := pg.items
	if f.order != nil {
		v, err := f.order.first(ctx, anyList(items))
		if sorted, ok := v.([]any); err == nil && ok {
			items = sorted
		} else {
			a.log.DebugContext(ctx, "rest: order did not yield the list; kept the system's order", "key", f.order.key, "error", err)
		}
	}
	tb := adapters.Table{Name: f.spec.Name, Rows: make([]adapters.Row, 0, len(items))}
	for _, c := range f.columns {
		tb.Columns = append(tb.Columns, c.col)
	}
	for _, rec := range items {
		row := adapters.Row{Cells: make([]adapters.Value, len(f.columns)), URL: a.linkOf(ctx, f.url, rec)}
		for i, c := range f.columns {
			row.Cells[i] = a.value(ctx, c.prog, rec, c.col.Kind, c.currency)
		}
		row.Emphasis = a.value(ctx, f.emphasis, rec, adapters.KindBool, "").Bool
		tb.Rows = append(tb.Rows, row)
		if ev, ok := a.event(ctx, f.events, rec); ok {
			facet.Events = append(facet.Events, ev)
		}
	}
	tb.Total = len(tb.Rows)
	if f.total != nil {
		if n := a.value(ctx, f.total, pg.first, adapters.KindNumber, ""); n.Valid && int(n.Number) >= tb.Total {
			tb.Total = int(n.Number)
		}
	}
	for _, m := range f.summary {
		tb.Summary = append(tb.Summary, adapters.Metric{Label: m.label, Key: m.key, Value: a.value(ctx, m.prog, anyList(items), m.kind, m.currency)})
	}
	facet.Tables = []adapters.Table{tb}
}

// event maps a record to a timeline event; false when it has no date.
func (a *Adapter) event(ctx context.Context, e *eventPlan, rec any) (adapters.Event, bool) {
	if e == nil {
		return adapters.Event{}, false
	}
	at := a.value(ctx, e.at, rec, adapters.KindDateTime, "")
	if !at.Valid {
		a.log.DebugContext(ctx, "rest: record without a date; no event", "key", e.at.key)
		return adapters.Event{}, false
	}
	ev := adapters.Event{
		At:     at.Time,
		Kind:   e.kind,
		Title:  a.text(ctx, e.title, rec),
		Detail: a.text(ctx, e.detail, rec),
		Status: a.text(ctx, e.status, rec),
		URL:    a.linkOf(ctx, e.link, rec),
	}
	if ev.Title == "" {
		ev.Title = e.kind
	}
	return ev, true
}

// anyList makes a record list a jq value; a nil slice would be null.
func anyList(items []any) []any {
	if items == nil {
		return []any{}
	}
	return items
}
