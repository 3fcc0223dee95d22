package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/bus"
	"github.com/atrium-dev/atrium/config"
)

// instanceCache returns the cache the sources' guards share in this
// instance: its own copies in process, in front of the Redis the instances
// share when cache.redis_url is set, and kept in step with the other
// instances through changes. A Redis that is down at start is logged, not
// fatal: the instance then serves its own copies and asks the systems for the
// rest until Redis answers. The returned function releases the cache.
func instanceCache(ctx context.Context, c config.Cache, changes bus.Bus, sources int, logger *slog.Logger) (*guard.TieredCache, func(), error) {
	local := guard.NewMemoryCache(guard.DefaultCacheEntries*max(sources, 1), nil, logger)
	o := guard.TieredOptions{Local: local, Bus: changes, Logger: logger}
	closeRedis := func() {}
	if c.RedisURL != "" {
		opts, err := redis.ParseURL(c.RedisURL)
		if err != nil {
			_ = local.Close()
			return nil, nil, fmt.Errorf("cache.redis_url: %w", err)
		}
		// A cache must answer fast or not at all: a slow Redis is a miss.
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = time.Second, 300*time.Millisecond, 300*time.Millisecond
		rdb := redis.NewClient(opts)
		closeRedis = func() { _ = rdb.Close() }
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := rdb.Ping(pctx).Err(); err != nil {
			logger.Warn("Redis cache unreachable at start; sources serve this instance's copies and call their systems until it answers", "addr", opts.Addr, "err", err)
		} else {
			logger.Info("sharing the sources' cache through Redis", "addr", opts.Addr)
		}
		o.Remote = guard.NewRedisCache(rdb, c.Prefix, logger)
	}
	tc := guard.NewTieredCache(o)
	return tc, func() {
		_ = tc.Close()
		closeRedis()
		_ = local.Close()
	}, nil
}
