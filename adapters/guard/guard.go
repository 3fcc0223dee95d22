// Package guard wraps any adapter in the resilience every source needs, with
// the same interface in and out: a cache that serves fresh facets and, while it
// refreshes them in the background, stale ones; coalescing of identical
// concurrent calls; retries of idempotent reads with backoff; a circuit breaker;
// a bound on concurrent calls; and an API budget that turns a source nearly out
// of its allocation into a cache-only one.
package guard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"

	"github.com/atrium-dev/atrium/adapters"
)

// DefaultTimeout bounds an upstream operation that no caller bounds: a
// background refresh, or a shared call whose callers have no deadline.
const DefaultTimeout = 30 * time.Second

// Option configures a Guarded beyond its Policy.
type Option func(*Guarded)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(g *Guarded) { g.log = l } }

// WithClock sets the clock that ages cached facets and dates the end of an open
// breaker's period (default: time.Now). The period itself runs on time.Now:
// gobreaker takes no clock.
func WithClock(now func() time.Time) Option { return func(g *Guarded) { g.now = now } }

// WithCache sets the cache (default: a MemoryCache of DefaultCacheEntries,
// closed by Close; a cache given here is the caller's to close).
func WithCache(c Cache) Option { return func(g *Guarded) { g.cache = c } }

// WithUsage sets where the API usage comes from, for an adapter that does not
// report it itself (default: the adapter, if it is an adapters.UsageReporter).
func WithUsage(u adapters.UsageReporter) Option { return func(g *Guarded) { g.usage = u } }

// WithTimeout sets DefaultTimeout's bound.
func WithTimeout(d time.Duration) Option { return func(g *Guarded) { g.timeout = d } }

// budgetRetention is how long a facet is kept for a source with an API budget:
// when the budget runs low, a facet of any age beats none. Salesforce's
// allocation is counted over a rolling 24 hours.
const budgetRetention = 24 * time.Hour

// Guarded is an adapter wrapped in a guard. It is safe for concurrent use.
type Guarded struct {
	a       adapters.Adapter
	name    string
	p       Policy
	log     *slog.Logger
	now     func() time.Time
	cache   Cache
	usage   adapters.UsageReporter
	timeout time.Duration
	jitter  func(n int64) int64

	ownCache *MemoryCache // closed by Close
	keep     time.Duration
	breaker  *gobreaker.CircuitBreaker[any]
	openedAt atomic.Pointer[time.Time]
	slots    *semaphore.Weighted
	inFlight atomic.Int64
	overUsed atomic.Bool
	group    singleflight.Group
	closing  context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup // flights and background refreshes

	// invalidations counts Invalidate calls, so that a call that began
	// before one does not fill the cache.
	invalidations atomic.Uint64

	mu         sync.Mutex
	closed     bool
	flights    map[string]*flight
	generation uint64
	refreshing map[Key]bool
}

var _ adapters.Adapter = (*Guarded)(nil)

// Wrap guards a, the adapter of the source named name, by policy p.
func Wrap(a adapters.Adapter, name string, p Policy, opts ...Option) *Guarded {
	g := &Guarded{
		a:          a,
		name:       name,
		p:          p.normalized(),
		now:        time.Now,
		timeout:    DefaultTimeout,
		jitter:     rand.Int64N,
		flights:    map[string]*flight{},
		refreshing: map[Key]bool{},
	}
	if u, ok := a.(adapters.UsageReporter); ok {
		g.usage = u
	}
	for _, o := range opts {
		o(g)
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.timeout <= 0 {
		g.timeout = DefaultTimeout
	}
	g.keep = g.p.StaleTTL
	if g.usage != nil {
		g.keep = max(g.keep, budgetRetention)
	}
	if g.cache == nil && g.p.CacheTTL > 0 {
		g.ownCache = NewMemoryCache(DefaultCacheEntries, g.now, g.log)
		g.cache = g.ownCache
	}
	if r, ok := g.cache.(sourceRegistry); ok {
		r.register(name, a.Facets(), g.keep)
	}
	g.breaker = newBreaker(g)
	g.slots = semaphore.NewWeighted(int64(g.p.MaxConcurrent))
	g.closing, g.stop = context.WithCancel(context.Background())
	return g
}

var _ adapters.IDChecker = (*Guarded)(nil)

// CanonicalID returns the canonical form of id as the wrapped adapter checks
// it; an adapter that checks no ids has id passed on as it is. Checking makes
// no call, so the breaker, the bulkhead and the budget take no part.
func (g *Guarded) CanonicalID(id string) (string, error) {
	if c, ok := g.a.(adapters.IDChecker); ok {
		return c.CanonicalID(id)
	}
	return id, nil
}

// Facets lists the wrapped adapter's facets.
func (g *Guarded) Facets() []adapters.FacetSpec { return g.a.Facets() }

// Fetch returns a facet: fresh from the cache; stale from the cache while one
// background refresh runs, or while the API budget is nearly spent; otherwise
// from the system, through one call shared with every concurrent Fetch of it.
func (g *Guarded) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // as any adapter: nobody waits for the answer
	}
	if g.p.CacheTTL <= 0 {
		return g.load(ctx, req)
	}
	k := Key{Source: g.name, ID: req.ID, Facet: req.Facet}
	e, ok := g.cache.Get(ctx, k)
	if !ok || e.Facet == nil {
		return g.load(ctx, req)
	}
	age := g.now().Sub(e.Stored)
	switch {
	case age < g.p.CacheTTL:
		return e.Facet, nil
	case g.overBudget():
		return stale(e.Facet), nil
	case age < g.p.StaleTTL:
		if g.breakerState() != BreakerOpen {
			g.refresh(ctx, req, k)
		}
		return stale(e.Facet), nil
	}
	return g.load(ctx, req)
}

func stale(f *adapters.Facet) *adapters.Facet {
	c := *f
	c.Stale = true
	return &c
}

// load fetches req from the system and caches the answer.
func (g *Guarded) load(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	key := "fetch\x00" + req.ID + "\x00" + req.Facet
	k := Key{Source: g.name, ID: req.ID, Facet: req.Facet}
	return coalesce(g, ctx, key, func(ctx context.Context) (*adapters.Facet, error) {
		invalidations := g.invalidations.Load()
		// A flight that landed between the caller's look in the cache and this
		// one's start has left a fresh facet: another call would only repeat it.
		if g.p.CacheTTL > 0 {
			if e, ok := g.cache.Get(ctx, k); ok && e.Facet != nil && g.now().Sub(e.Stored) < g.p.CacheTTL {
				return e.Facet, nil
			}
		}
		f, err := withRetries(g, ctx, func(ctx context.Context) (*adapters.Facet, error) {
			return g.a.Fetch(ctx, req)
		})
		if err == nil && f != nil && g.p.CacheTTL > 0 {
			// Named before it is shared, so that what is rendered from it
			// can be kept for as long as this answer is the one served.
			adapters.Versioned(f)
			if g.invalidations.Load() == invalidations {
				g.cache.Set(ctx, k, Entry{Facet: f, Stored: g.now()}, g.keep)
			}
		}
		return f, err
	})
}

// Search asks the system every time. Searches are not cached: they are typed
// one after another and rarely repeat, and a customer just created must be
// found at once. Identical concurrent searches share one call.
func (g *Guarded) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	key := "search\x00" + strconv.Itoa(q.Limit) + "\x00" + q.Text
	ms, err := coalesce(g, ctx, key, func(ctx context.Context) ([]adapters.Match, error) {
		return withRetries(g, ctx, func(ctx context.Context) ([]adapters.Match, error) {
			return g.a.Search(ctx, q)
		})
	})
	// Callers share the answer: each gets its own list to sort or cut.
	return slices.Clone(ms), err
}

// Check asks the system for its health, within the bound on concurrent calls,
// and adds the state of the breaker when it is open. It is not retried: a
// health report says what is, and has no error to judge a retry by.
func (g *Guarded) Check(ctx context.Context) adapters.Health {
	if err := g.slots.Acquire(ctx, 1); err != nil {
		return adapters.Health{Message: fmt.Sprintf("waited for a free call slot: %v", err), CheckedAt: g.now()}
	}
	h := func() adapters.Health {
		defer g.slots.Release(1)
		g.inFlight.Add(1)
		defer g.inFlight.Add(-1)
		return g.a.Check(ctx)
	}()
	if g.breakerState() == BreakerOpen {
		note := fmt.Sprintf("circuit breaker open after repeated failures; next attempt at %s",
			g.unavailable().Until.Format(time.TimeOnly))
		if h.Message != "" {
			note = h.Message + "; " + note
		}
		h.Message = note
	}
	return h
}

// attempt makes one call to the system, within the bulkhead and the breaker.
func attempt[T any](g *Guarded, ctx context.Context, call func(context.Context) (T, error)) (T, error) {
	var zero T
	if g.breakerState() == BreakerOpen {
		return zero, g.unavailable() // without waiting for a slot first
	}
	if err := g.slots.Acquire(ctx, 1); err != nil {
		return zero, err
	}
	defer g.slots.Release(1)
	g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	v, err := g.breaker.Execute(func() (v any, err error) {
		// The call runs on a goroutine of the guard's, where no recovery of the
		// caller's reaches: a panicking adapter must fail its callers, not the
		// process. A panic is a bug, so it is neither retried nor held against
		// the system.
		defer func() {
			if r := recover(); r != nil {
				g.log.ErrorContext(ctx, "guard: adapter panicked", "source", g.name, "panic", r, "stack", string(debug.Stack()))
				err = fmt.Errorf("%s: adapter panicked: %v", g.name, r)
			}
		}()
		return call(ctx)
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return zero, g.unavailable()
	}
	if err != nil {
		return zero, err
	}
	return v.(T), nil
}

// errClosed answers calls that would reach the system after Close.
var errClosed = fmt.Errorf("guard closed: %w", adapters.ErrUnavailable)

// Close cancels the background refreshes and shared calls still running, waits
// for them to return, and stops the default cache's goroutine. Cached facets
// are still served after; calls that would reach the system fail.
func (g *Guarded) Close() error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.stop()
	g.wg.Wait()
	if g.ownCache != nil {
		return g.ownCache.Close()
	}
	return nil
}
