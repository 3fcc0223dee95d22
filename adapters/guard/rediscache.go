package guard

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/atrium-dev/atrium/adapters"
)

// RedisCache is a Cache shared by every Atrium instance through Redis, so that
// instances behind a load balancer serve one another's fetches and a customer
// opened on one instance is warm on all. A Redis that cannot be reached is a
// miss, never an error: the guard then asks the system itself.
type RedisCache struct {
	rdb    redis.UniversalClient
	prefix string
	log    *slog.Logger
}

var _ Cache = (*RedisCache)(nil)

// NewRedisCache returns a cache in rdb whose keys start with prefix (e.g.
// "atrium:"). logger receives failures to reach Redis (nil: discarded).
func NewRedisCache(rdb redis.UniversalClient, prefix string, logger *slog.Logger) *RedisCache {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &RedisCache{rdb: rdb, prefix: prefix, log: logger}
}

// redisEntry is the stored form of an Entry.
type redisEntry struct {
	Facet  *adapters.Facet `json:"facet"`
	Stored time.Time       `json:"stored"`
}

func (c *RedisCache) key(k Key) string {
	return c.prefix + "facet:" + url.PathEscape(k.Source) + ":" + url.PathEscape(k.ID) + ":" + url.PathEscape(k.Facet)
}

// Get returns the entry stored under k.
func (c *RedisCache) Get(ctx context.Context, k Key) (Entry, bool) {
	e, ok, err := c.get(ctx, k)
	if err != nil {
		c.log.WarnContext(ctx, "guard cache: Redis get failed; asking the system instead", "err", err)
	}
	return e, ok
}

// get is Get with the failure to reach Redis told apart from a miss.
func (c *RedisCache) get(ctx context.Context, k Key) (Entry, bool, error) {
	b, err := c.rdb.Get(ctx, c.key(k)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, err
	}
	var e redisEntry
	if err := json.Unmarshal(b, &e); err != nil || e.Facet == nil {
		c.log.WarnContext(ctx, "guard cache: unreadable Redis entry ignored", "key", c.key(k), "err", err)
		return Entry{}, false, nil
	}
	return Entry{Facet: e.Facet, Stored: e.Stored}, true, nil
}

// Set stores e under k for ttl.
func (c *RedisCache) Set(ctx context.Context, k Key, e Entry, ttl time.Duration) {
	if err := c.set(ctx, k, e, ttl); err != nil {
		c.log.WarnContext(ctx, "guard cache: Redis set failed", "err", err)
	}
}

// set is Set with the failure to reach Redis returned.
func (c *RedisCache) set(ctx context.Context, k Key, e Entry, ttl time.Duration) error {
	if ttl <= 0 || e.Facet == nil {
		return nil
	}
	b, err := json.Marshal(redisEntry{Facet: e.Facet, Stored: e.Stored})
	if err != nil {
		c.log.ErrorContext(ctx, "guard cache: encode entry", "err", err)
		return nil // not Redis's fault
	}
	return c.rdb.Set(ctx, c.key(k), b, ttl).Err()
}

// del deletes the entries stored under ks.
func (c *RedisCache) del(ctx context.Context, ks ...Key) error {
	if len(ks) == 0 {
		return nil
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = c.key(k)
	}
	return c.rdb.Del(ctx, names...).Err()
}
