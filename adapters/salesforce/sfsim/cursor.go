package sfsim

import (
	"strconv"
	"sync"
	"time"
)

// cursor is a query result being read page by page through nextRecordsUrl.
type cursor struct {
	id      string
	rows    []*jsonObject
	batch   int
	version string
	all     bool // opened by queryAll: its pages are under /queryAll/
	opened  time.Time
	used    time.Time
}

// cursorStore holds the open cursors. Like Salesforce it keeps a bounded number,
// releasing the oldest to open another, and lets unused ones expire.
type cursorStore struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	m     map[string]*cursor
	order []string // ids, oldest first
	ids   idSequence
}

// open registers c and returns its locator id.
func (cs *cursorStore) open(c *cursor, now time.Time) string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.m == nil {
		cs.m = map[string]*cursor{}
		cs.ids.prefix = prefixLocator
	}
	cs.expire(now)
	for len(cs.m) >= cs.max && len(cs.order) > 0 {
		delete(cs.m, cs.order[0])
		cs.order = cs.order[1:]
	}
	c.id = cs.ids.take(func(id string) bool { return cs.m[id] != nil })
	c.opened, c.used = now, now
	cs.m[c.id] = c
	cs.order = append(cs.order, c.id)
	return c.id
}

// get returns an open cursor and marks it used.
func (cs *cursorStore) get(id string, now time.Time) *cursor {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expire(now)
	c := cs.m[id]
	if c != nil {
		c.used = now
	}
	return c
}

// close releases a cursor whose last page has been read.
func (cs *cursorStore) close(id string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.m[id]; !ok {
		return
	}
	delete(cs.m, id)
	for i, have := range cs.order {
		if have == id {
			cs.order = append(cs.order[:i], cs.order[i+1:]...)
			break
		}
	}
}

// expire drops cursors unused for longer than the TTL; cs.mu is held.
func (cs *cursorStore) expire(now time.Time) {
	kept := cs.order[:0]
	for _, id := range cs.order {
		if now.Sub(cs.m[id].used) > cs.ttl {
			delete(cs.m, id)
			continue
		}
		kept = append(kept, id)
	}
	cs.order = kept
}

// page writes the rows of c from offset on, as many as fit in its batch. Child
// records count toward the batch; a row whose children exceed the batch shows
// the first batch of them and a nextRecordsUrl of their own.
func (s *Server) page(c *cursor, offset int) *jsonObject {
	budget := c.batch
	var out []*jsonObject
	i := offset
	for ; i < len(c.rows); i++ {
		row := c.rows[i]
		cost := 1 + childCost(row, c.batch)
		if len(out) > 0 && cost > budget {
			break
		}
		out = append(out, s.materialize(row, c))
		budget -= cost
	}
	if out == nil {
		out = []*jsonObject{}
	}
	res := obj("totalSize", len(c.rows), "done", i >= len(c.rows))
	switch {
	case i < len(c.rows) && c.id == "":
		s.cursors.open(c, s.now())
		res.set("nextRecordsUrl", c.url(i))
	case i < len(c.rows):
		res.set("nextRecordsUrl", c.url(i))
	case c.id != "":
		s.cursors.close(c.id)
	}
	res.set("records", out)
	return res
}

func (c *cursor) url(offset int) string {
	kind := "query"
	if c.all {
		kind = "queryAll"
	}
	return "/services/data/v" + c.version + "/" + kind + "/" + c.id + "-" + strconv.Itoa(offset)
}

// childCost is how many child records a row brings to a page.
func childCost(row *jsonObject, batch int) int {
	n := 0
	for _, v := range row.vals {
		if cr, ok := v.(*childRows); ok {
			n += min(len(cr.rows), batch)
		}
	}
	return n
}

// materialize replaces the subquery results of a row with nested query results:
// null without children, else a page of them that may open its own cursor.
func (s *Server) materialize(row *jsonObject, c *cursor) *jsonObject {
	var out *jsonObject
	for i, v := range row.vals {
		cr, ok := v.(*childRows)
		if !ok {
			continue
		}
		if out == nil {
			out = row.clone()
		}
		if len(cr.rows) == 0 {
			out.vals[i] = nil
			continue
		}
		out.vals[i] = s.page(&cursor{rows: cr.rows, batch: c.batch, version: c.version, all: c.all}, 0)
	}
	if out == nil {
		return row
	}
	return out
}
