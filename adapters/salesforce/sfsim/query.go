package sfsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// childRows is the full result of a parent-to-child subquery for one parent; the
// page that shows the parent decides how much of it to write.
type childRows struct {
	rows []*jsonObject
}

// query answers GET …/query?q= and …/queryAll?q=.
func (s *Server) query(w http.ResponseWriter, r *http.Request, version string, all bool) {
	if r.Method != http.MethodGet {
		writeError(w, errMethod(r.Method, "GET,HEAD"))
		return
	}
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		writeError(w, &apiError{status: http.StatusBadRequest, code: "MALFORMED_QUERY", message: "A query string has to be specified"})
		return
	}
	parsed, err := parseSOQL(q)
	if err != nil {
		writeError(w, queryAPIError(q, err))
		return
	}
	p, err := (&binder{schema: s.store.schema}).bind(parsed)
	if err != nil {
		writeError(w, queryAPIError(q, err))
		return
	}
	res := s.run(p, version, all)
	if p.countOnly {
		writeJSON(w, http.StatusOK, obj("totalSize", res.count, "done", true, "records", []*jsonObject{}))
		return
	}
	c := &cursor{rows: res.rows, batch: s.batchSize(r), version: version, all: all}
	writeJSON(w, http.StatusOK, s.page(c, 0))
}

// queryMore answers GET …/query/{locator}-{offset}, a nextRecordsUrl.
func (s *Server) queryMore(w http.ResponseWriter, r *http.Request, version string, all bool, locator string) {
	if r.Method != http.MethodGet {
		writeError(w, errMethod(r.Method, "GET,HEAD"))
		return
	}
	id, off, _ := strings.Cut(locator, "-")
	offset, err := strconv.Atoi(off)
	c := s.cursors.get(id, s.now())
	if err != nil || c == nil || offset < 0 || offset >= len(c.rows) {
		writeError(w, &apiError{status: http.StatusBadRequest, code: "INVALID_QUERY_LOCATOR", message: "invalid query locator"})
		return
	}
	writeJSON(w, http.StatusOK, s.page(c, offset))
}

// batchSize is the page size of a query: what Sforce-Query-Options asks for,
// clamped to 200..2000, and never above the server's own cap.
func (s *Server) batchSize(r *http.Request) int {
	n := defaultBatchSize
	for opt := range strings.SplitSeq(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(opt), "=")
		if !strings.EqualFold(k, "batchSize") {
			continue
		}
		if b, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			n = min(max(b, minBatchSize), defaultBatchSize)
		}
	}
	return min(n, s.opts.BatchSize)
}

// result is a query run to completion: every row, rendered.
type result struct {
	rows  []*jsonObject
	count int
}

// run executes a plan under the store's read lock and renders every row, so that
// the pages of a cursor show one consistent state.
func (s *Server) run(p *plan, version string, all bool) result {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	ev := &evalCtx{store: s.store, now: s.now(), all: all}
	recs := ev.selectRows(p, s.store.rows[p.obj])
	if p.countOnly {
		return result{count: len(recs)}
	}
	if len(p.aggs) > 0 {
		row := obj("attributes", obj("type", "AggregateResult"))
		for _, a := range p.aggs {
			row.set(a.key, a.value(ev, recs))
		}
		return result{rows: []*jsonObject{row}, count: 1}
	}
	children := make([]map[string][]*record, len(p.cols))
	for i, c := range p.cols {
		if c.child != nil {
			children[i] = ev.groupChildren(c.child)
		}
	}
	rows := make([]*jsonObject, len(recs))
	for i, rec := range recs {
		rows[i] = ev.render(p, rec, version, children)
	}
	return result{rows: rows, count: len(rows)}
}

// selectRows filters, sorts and cuts the candidate records of a plan.
func (ev *evalCtx) selectRows(p *plan, candidates []*record) []*record {
	var out []*record
	for _, r := range candidates {
		if (!r.deleted || ev.all) && (p.where == nil || p.where(ev, r)) {
			out = append(out, r)
		}
	}
	if len(p.order) > 0 {
		slices.SortStableFunc(out, func(a, b *record) int { return ev.compareRows(p.order, a, b) })
	}
	if p.offset > 0 {
		out = out[min(p.offset, len(out)):]
	}
	if p.limit >= 0 && len(out) > p.limit {
		out = out[:p.limit]
	}
	return out
}

func (ev *evalCtx) compareRows(keys []orderKey, a, b *record) int {
	for _, k := range keys {
		va, vb := ev.value(a, k.path), ev.value(b, k.path)
		var c int
		switch {
		case va == nil && vb == nil:
			c = 0
		case va == nil || vb == nil:
			// Nulls sort apart from the direction: first unless NULLS LAST.
			c = -1
			if va != nil {
				c = 1
			}
			if k.nullsLast {
				c = -c
			}
			return c
		default:
			c = compareValues(va, vb, k.path.leaf.typ.isText())
			if k.desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// groupChildren runs a subquery for every parent at once: it filters the child
// object's records and groups them by parent id, in subquery order.
func (ev *evalCtx) groupChildren(c *childPlan) map[string][]*record {
	cp := *c.plan
	cp.offset, cp.limit = 0, -1 // OFFSET and LIMIT apply per parent
	groups := map[string][]*record{}
	for _, r := range ev.selectRows(&cp, ev.store.rows[c.rel.child]) {
		if id, ok := r.fields[c.rel.field.name].(string); ok {
			groups[id] = append(groups[id], r)
		}
	}
	return groups
}

// render writes one record as the query selects it.
func (ev *evalCtx) render(p *plan, rec *record, version string, children []map[string][]*record) *jsonObject {
	row := newObject(len(p.cols) + 1)
	row.set("attributes", attributes(rec, version))
	for i, c := range p.cols {
		if c.child != nil {
			kids := children[i][rec.id]
			kids = kids[min(c.child.plan.offset, len(kids)):]
			if l := c.child.plan.limit; l >= 0 && len(kids) > l {
				kids = kids[:l]
			}
			rendered := make([]*jsonObject, len(kids))
			for j, k := range kids {
				rendered[j] = ev.render(c.child.plan, k, version, nil)
			}
			row.set(c.child.rel.name, &childRows{rows: rendered})
			continue
		}
		ev.put(row, rec, c.path.refs, c.path.leaf, version)
	}
	return row
}

// put writes a field path into dst: a field of rec, or a nested object per
// parent, each with its own attributes, null when the reference is empty.
func (ev *evalCtx) put(dst *jsonObject, rec *record, refs []*field, leaf *field, version string) {
	if len(refs) == 0 {
		dst.set(leaf.name, wire(leaf, leafValue(rec, leaf)))
		return
	}
	ref := refs[0]
	parent := ev.parent(rec, ref)
	have, ok := dst.get(ref.relName)
	if parent == nil {
		if !ok {
			dst.set(ref.relName, nil)
		}
		return
	}
	sub, _ := have.(*jsonObject)
	if sub == nil {
		sub = obj("attributes", attributes(parent, version))
		dst.set(ref.relName, sub)
	}
	ev.put(sub, parent, refs[1:], leaf, version)
}

func attributes(r *record, version string) *jsonObject {
	return obj("type", r.obj.name, "url", recordURL(version, r.obj.name, r.id))
}

func recordURL(version, objectName, id string) string {
	return "/services/data/v" + version + "/sobjects/" + objectName + "/" + id
}
