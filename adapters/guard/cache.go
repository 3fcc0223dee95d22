package guard

import (
	"context"
	"log/slog"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/atrium-dev/atrium/adapters"
)

// Cache keeps fetched facets for a guard. It holds typed entries; one backed by
// a shared store (Redis) encodes them itself, and should report a failure to
// reach the store as a miss and drop a failed Set, after logging it: the guard
// then asks the system, as it would without a cache.
//
// A cached Facet is shared by every reader and must not be modified.
type Cache interface {
	Get(ctx context.Context, k Key) (Entry, bool)
	// Set stores e for at least ttl, after which it may be dropped.
	Set(ctx context.Context, k Key, e Entry, ttl time.Duration)
}

// Key names one facet of one record of one source, so that one cache can serve
// several sources.
type Key struct {
	Source string
	ID     string
	Facet  string
}

// Entry is a cached facet.
type Entry struct {
	Facet *adapters.Facet
	// Stored is when the facet was fetched, on the guard's clock; its age
	// decides whether it is fresh or stale.
	Stored time.Time
}

// DefaultCacheEntries bounds the default in-process cache of each source.
const DefaultCacheEntries = 10_000

// MemoryCache is the in-process Cache, bounded in entries and evicting the
// least useful first (otter's W-TinyLFU).
type MemoryCache struct {
	c *otter.Cache[Key, memEntry]
}

var _ Cache = (*MemoryCache)(nil)

type memEntry struct {
	Entry
	ttl time.Duration
}

// NewMemoryCache returns an in-process cache of at most maxEntries facets. now
// is the clock that expires them (nil: time.Now); logger receives the cache's
// own warnings (nil: discarded). Close stops its clean-up goroutine.
func NewMemoryCache(maxEntries int, now func() time.Time, logger *slog.Logger) *MemoryCache {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := &otter.Options[Key, memEntry]{
		MaximumSize: maxEntries,
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[Key, memEntry]) time.Duration {
			return e.Value.ttl
		}),
		Logger: otterLogger{logger},
	}
	if now != nil {
		o.Clock = otterClock{now}
	}
	return &MemoryCache{c: otter.Must(o)}
}

// Get returns the entry stored under k, if it has not expired.
func (m *MemoryCache) Get(_ context.Context, k Key) (Entry, bool) {
	e, ok := m.c.GetIfPresent(k)
	return e.Entry, ok
}

// Set stores e under k for ttl; a ttl that is not positive stores nothing.
func (m *MemoryCache) Set(_ context.Context, k Key, e Entry, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	m.c.Set(k, memEntry{Entry: e, ttl: ttl})
}

// Len returns the number of entries, expired ones not yet removed included.
func (m *MemoryCache) Len() int { return m.c.EstimatedSize() }

// Close stops the cache's clean-up goroutine. The cache still answers after.
func (m *MemoryCache) Close() error {
	m.c.StopAllGoroutines()
	return nil
}

// otterClock runs the cache's expiry on the guard's clock; clean-ups still tick
// in real time.
type otterClock struct{ now func() time.Time }

func (c otterClock) NowNano() int64 { return c.now().UnixNano() }

func (c otterClock) Tick(d time.Duration) <-chan time.Time { return time.NewTicker(d).C }

type otterLogger struct{ l *slog.Logger }

func (l otterLogger) Warn(ctx context.Context, msg string, err error) {
	l.l.WarnContext(ctx, "guard cache: "+msg, "err", err)
}

func (l otterLogger) Error(ctx context.Context, msg string, err error) {
	l.l.ErrorContext(ctx, "guard cache: "+msg, "err", err)
}
