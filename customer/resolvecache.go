package customer

import (
	"sync"
	"time"
)

// resolutionCache keeps recent identity resolutions, so that opening a customer
// again does not search every linked system (and spend the primary system's API
// allocation on the conflict check) on each view. People's decisions are not
// cached: they are read from the store each time and win over what is here.
type resolutionCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedResolution
}

type cachedResolution struct {
	res     Resolution
	expires time.Time
}

// maxResolutions bounds the cache; beyond it, expired entries go first, then
// everything (a rare full rebuild beats an unbounded map).
const maxResolutions = 10_000

// DefaultResolutionTTL is how long an automatic link is reused before the
// linked system is searched again.
const DefaultResolutionTTL = time.Minute

func resolutionKey(source, id string) string { return source + "\x00" + id }

func (c *resolutionCache) get(key string, now time.Time) (Resolution, bool) {
	if c == nil || c.ttl <= 0 {
		return Resolution{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !now.Before(e.expires) {
		return Resolution{}, false
	}
	return e.res, true
}

func (c *resolutionCache) put(key string, res Resolution, now time.Time) {
	if c == nil || c.ttl <= 0 || res.Err != nil {
		return // a failed search is not an answer worth keeping
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedResolution{}
	}
	if len(c.m) >= maxResolutions {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxResolutions {
			clear(c.m)
		}
	}
	c.m[key] = cachedResolution{res: res, expires: now.Add(c.ttl)}
}

func (c *resolutionCache) drop(key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

func (c *resolutionCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
