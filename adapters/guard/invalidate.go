package guard

import (
	"context"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// Invalidator is a Cache that can drop what it holds of a record, when the
// record changed or someone asks to see it fresh.
type Invalidator interface {
	// Invalidate drops the entries of source's record id: the facet named,
	// or every facet of the record when facet is "". It does not fail: what
	// it cannot drop (a Redis out of reach) is logged, and the entries' own
	// lifetimes bound the damage.
	Invalidate(ctx context.Context, source, id, facet string)
}

// sourceRegistry is a cache that learns, from each guard it serves, the
// source's facets (what "every facet of a record" names) and how long the
// guard keeps an entry.
type sourceRegistry interface {
	register(source string, facets []adapters.FacetSpec, keep time.Duration)
}

var _ Invalidator = (*MemoryCache)(nil)

// Invalidate drops source's entries for the record id: the facet named, or,
// for "", every facet of it, which walks the cache's keys (invalidations are
// rare next to reads).
func (m *MemoryCache) Invalidate(_ context.Context, source, id, facet string) {
	if facet != "" {
		m.c.Invalidate(Key{Source: source, ID: id, Facet: facet})
		return
	}
	var drop []Key
	for k := range m.c.Keys() {
		if k.Source == source && k.ID == id {
			drop = append(drop, k)
		}
	}
	for _, k := range drop {
		m.c.Invalidate(k)
	}
}

// Clear drops every entry.
func (m *MemoryCache) Clear() { m.c.InvalidateAll() }

var _ interface {
	Invalidate(ctx context.Context, id, facet string)
} = (*Guarded)(nil)

// Invalidate drops what the guard's cache holds of the record id (facet "":
// every facet of it), so that the next Fetch asks the system. Calls already
// running for it are left to their callers but no longer joined, and no call
// that began before the invalidation fills the cache: it may carry what was
// invalidated. A cache that is not an Invalidator keeps its entries.
func (g *Guarded) Invalidate(ctx context.Context, id, facet string) {
	g.invalidations.Add(1)
	prefix := "fetch\x00" + id + "\x00"
	g.mu.Lock()
	for key := range g.flights {
		if rest, ok := strings.CutPrefix(key, prefix); ok && (facet == "" || rest == facet) {
			delete(g.flights, key) // later callers start a flight of their own
		}
	}
	g.mu.Unlock()
	if inv, ok := g.cache.(Invalidator); ok {
		inv.Invalidate(ctx, g.name, id, facet)
	}
}
