package guard

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/bus"
)

// Bus is what a TieredCache needs of the bus (bus.Bus): to tell the other
// instances what it invalidated, and to hear what they did.
type Bus interface {
	Publish(ctx context.Context, m bus.Message) error
	Subscribe(kinds ...bus.Kind) (<-chan bus.Message, func())
}

// TieredCache is the cache of one Atrium instance among several: every
// entry is kept in process and, when configured, in a Redis the instances
// share. Reads ask Redis first, so that an instance serves what any
// instance fetched; while Redis cannot be reached, the instance's own copies
// answer instead, and its guards ask the systems for the rest, as they would
// without a shared cache.
//
// The in-process copies are kept right through the bus: an invalidation
// drops the entry here and in Redis and tells the other instances, which drop
// their copies; an instance that may have missed messages (bus.Resync) drops
// all of them.
type TieredCache struct {
	local  *MemoryCache
	remote *RedisCache // nil: in process only
	bus    Bus         // nil: nobody to tell
	log    *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	sources map[string]sourceInfo
	// pending are the Redis keys an invalidation could not delete while
	// Redis was out of reach; they are deleted when it answers again.
	pending map[Key]struct{}

	downUntil  atomic.Int64 // unix nanoseconds; Redis is skipped until then
	down       atomic.Bool  // Redis failed and has not answered since
	recovering sync.Mutex   // held by the caller trying Redis after a failure

	cancel func()
	done   chan struct{}
}

var (
	_ Cache          = (*TieredCache)(nil)
	_ Invalidator    = (*TieredCache)(nil)
	_ sourceRegistry = (*TieredCache)(nil)
)

type sourceInfo struct {
	facets []string
	keep   time.Duration
}

// TieredOptions configure a TieredCache. Local is required.
type TieredOptions struct {
	// Local holds the instance's copies; the caller closes it.
	Local *MemoryCache
	// Remote is the cache the instances share (nil: none); the caller closes
	// its client.
	Remote *RedisCache
	// Bus carries invalidations between instances (nil: there are none).
	Bus Bus
	// Logger receives Redis going away and coming back (nil: discarded).
	Logger *slog.Logger
	// Now is the clock of the pause after a Redis failure (nil: time.Now).
	Now func() time.Time
}

// redisPause is how long Redis is left alone after it failed: a Redis that
// is down must not add a timeout to every read.
const redisPause = time.Second

// maxPending bounds the deletions kept for a Redis that is down; beyond it,
// what Redis still holds ages out by the entries' lifetimes.
const maxPending = 1024

// NewTieredCache returns the instance's cache. With a bus it listens for the
// other instances' invalidations until Close.
func NewTieredCache(o TieredOptions) *TieredCache {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &TieredCache{local: o.Local, remote: o.Remote, bus: o.Bus, log: o.Logger, now: o.Now,
		sources: map[string]sourceInfo{}, pending: map[Key]struct{}{}, cancel: func() {}, done: make(chan struct{})}
	if c.bus == nil {
		close(c.done)
		return c
	}
	msgs, cancel := c.bus.Subscribe(bus.CacheInvalid)
	c.cancel = cancel
	go c.listen(msgs)
	return c
}

// listen applies the other instances' invalidations until the subscription
// ends.
func (c *TieredCache) listen(msgs <-chan bus.Message) {
	defer close(c.done)
	for m := range msgs {
		switch m.Kind {
		case bus.CacheInvalid:
			c.local.Invalidate(context.Background(), m.Source, m.ID, m.Facet)
		case bus.Resync:
			c.local.Clear()
		}
	}
}

// Close stops listening to the bus. The cache still answers after.
func (c *TieredCache) Close() error {
	c.cancel()
	<-c.done
	return nil
}

func (c *TieredCache) register(source string, facets []adapters.FacetSpec, keep time.Duration) {
	info := sourceInfo{keep: keep}
	for _, f := range facets {
		info.facets = append(info.facets, f.Name)
	}
	c.mu.Lock()
	c.sources[source] = info
	c.mu.Unlock()
}

func (c *TieredCache) source(name string) (sourceInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	info, ok := c.sources[name]
	return info, ok
}

// Get returns the newer of Redis's entry and this instance's copy (a copy
// made while Redis was away can be newer than what Redis kept); while Redis
// cannot be reached, the copy. A miss in Redis is a miss: Redis forgot the
// entry because it expired or was invalidated.
func (c *TieredCache) Get(ctx context.Context, k Key) (Entry, bool) {
	mine, haveMine := c.local.Get(ctx, k)
	if !c.remoteReady(ctx) {
		return mine, haveMine
	}
	shared, ok, err := c.remote.get(ctx, k)
	if err != nil {
		c.remoteFailed(ctx, err)
		return mine, haveMine
	}
	if !ok {
		return Entry{}, false
	}
	if haveMine && !mine.Stored.Before(shared.Stored) {
		return mine, true
	}
	if info, known := c.source(k.Source); known {
		c.local.Set(ctx, k, shared, info.keep)
	}
	return shared, true
}

// Set stores e here and in Redis.
func (c *TieredCache) Set(ctx context.Context, k Key, e Entry, ttl time.Duration) {
	c.local.Set(ctx, k, e, ttl)
	if !c.remoteReady(ctx) {
		return
	}
	if err := c.remote.set(ctx, k, e, ttl); err != nil {
		c.remoteFailed(ctx, err)
	}
}

// Invalidate drops the entries of source's record id (facet "": every facet
// the source's guard listed) here and in Redis, and tells the other
// instances to drop theirs.
func (c *TieredCache) Invalidate(ctx context.Context, source, id, facet string) {
	c.local.Invalidate(ctx, source, id, facet)
	if c.remote != nil {
		var keys []Key
		if facet != "" {
			keys = []Key{{Source: source, ID: id, Facet: facet}}
		} else if info, ok := c.source(source); ok {
			for _, f := range info.facets {
				keys = append(keys, Key{Source: source, ID: id, Facet: f})
			}
		}
		c.deleteRemote(ctx, keys)
	}
	if c.bus == nil {
		return
	}
	if err := c.bus.Publish(ctx, bus.InvalidCache(source, id, facet)); err != nil {
		c.log.WarnContext(ctx, "guard cache: could not tell the other instances of an invalidation; their copies age out",
			"source", source, "id", id, "facet", facet, "err", err)
	}
}

// deleteRemote deletes keys from Redis, or keeps them for when it answers.
func (c *TieredCache) deleteRemote(ctx context.Context, keys []Key) {
	if len(keys) == 0 {
		return
	}
	if c.remoteReady(ctx) {
		err := c.remote.del(ctx, keys...)
		if err == nil {
			return
		}
		c.remoteFailed(ctx, err)
	}
	c.keepPending(ctx, keys)
}

func (c *TieredCache) keepPending(ctx context.Context, keys []Key) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if len(c.pending) >= maxPending {
			c.log.WarnContext(ctx, "guard cache: too many invalidations wait for Redis; the rest age out in it")
			return
		}
		c.pending[k] = struct{}{}
	}
}

// remoteReady reports whether Redis is to be asked: it is configured, not
// paused after a failure, and, after one, has taken the deletions that
// waited for it (so that nothing invalidated meanwhile is read back).
func (c *TieredCache) remoteReady(ctx context.Context) bool {
	if c.remote == nil || c.now().UnixNano() < c.downUntil.Load() {
		return false
	}
	if !c.down.Load() {
		return true
	}
	// One caller tries Redis again; the others keep to the copies meanwhile.
	if !c.recovering.TryLock() {
		return false
	}
	defer c.recovering.Unlock()
	if !c.down.Load() {
		return true
	}
	c.mu.Lock()
	keys := make([]Key, 0, len(c.pending))
	for k := range c.pending {
		keys = append(keys, k)
	}
	clear(c.pending)
	c.mu.Unlock()
	var err error
	if len(keys) > 0 {
		err = c.remote.del(ctx, keys...)
	} else {
		err = c.remote.rdb.Ping(ctx).Err()
	}
	if err != nil {
		c.keepPending(ctx, keys)
		c.remoteFailed(ctx, err)
		return false
	}
	c.down.Store(false)
	c.log.InfoContext(ctx, "guard cache: Redis answers again", "invalidations_applied", len(keys))
	return true
}

func (c *TieredCache) remoteFailed(ctx context.Context, err error) {
	c.downUntil.Store(c.now().Add(redisPause).UnixNano())
	if !c.down.Swap(true) {
		c.log.WarnContext(ctx, "guard cache: Redis unreachable; serving this instance's copies and asking the systems for the rest", "err", err)
	}
}
