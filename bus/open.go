package bus

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/atrium-dev/atrium/config"
)

// Open returns the bus the configuration asks for: Redis pub/sub when
// bus.redis_url is set, else the in-process bus of a single instance. Only a
// URL go-redis cannot read is an error; a Redis that is down is logged and
// retried (see NewRedis). Close releases the Redis client Open made.
func Open(ctx context.Context, cfg config.Bus, logger *slog.Logger) (Bus, error) {
	if cfg.RedisURL == "" {
		return NewLocal(), nil
	}
	rdb, err := newRedisClient(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	b, err := NewRedis(ctx, RedisOptions{Client: rdb, Prefix: cfg.Prefix, Logger: logger})
	if err != nil {
		_ = rdb.Close()
		return nil, err
	}
	b.closeClient = true
	return b, nil
}

// newRedisClient returns a client for the bus at url whose commands answer
// fast or fail: a Publish is made while a request waits.
func newRedisClient(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("bus.redis_url: %w", err)
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = time.Second, time.Second, time.Second
	opts.ContextTimeoutEnabled = true
	// One dial per attempt, so the deadline rather than go-redis's dial
	// retries bounds a Publish; one retry, so a pooled connection that a
	// restarted Redis reset is replaced at once (a message published twice
	// only drops a copy twice).
	opts.DialerRetries, opts.MaxRetries = 1, 1
	return redis.NewClient(opts), nil
}
