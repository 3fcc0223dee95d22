package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/redis/go-redis/v9"
)

// Redis is the bus of instances that share a Redis: every instance publishes
// to and subscribes to one pub/sub channel, Prefix+"bus".
//
// The subscription is watched by its own goroutine rather than left to
// go-redis's reconnecting PubSub.Channel, which reconnects quietly: an
// instance must know when it was cut off, because whatever was published
// meanwhile is lost for it. A read error, or a ping unanswered for a
// HealthCheck interval (a connection that hangs without closing), ends the
// connection; it is made again with exponential backoff, logged, never fatal,
// and once subscribed again every subscriber receives Resync.
type Redis struct {
	rdb     redis.UniversalClient
	channel string
	id      string
	log     *slog.Logger
	opts    RedisOptions
	out     *fanout

	closeClient bool // the client was made by Open
	// ctx ends at Close, and with it every wait of the bus's goroutines.
	ctx       context.Context
	stop      context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

var _ Bus = (*Redis)(nil)

// RedisOptions configure a Redis bus. Only Client is required.
type RedisOptions struct {
	// Client reaches the Redis; the bus does not close it.
	Client redis.UniversalClient
	// Prefix starts the channel name, so that deployments can share a
	// Redis (default "atrium:").
	Prefix string
	// Logger receives connection losses and reconnections (nil: discarded).
	Logger *slog.Logger
	// PublishTimeout bounds a Publish when its context has a later deadline
	// or none (default 1s).
	PublishTimeout time.Duration
	// ConnectTimeout bounds each attempt to subscribe (default 2s).
	ConnectTimeout time.Duration
	// HealthCheck is how long the subscription may stay silent before it is
	// pinged (default 5s).
	HealthCheck time.Duration
	// RetryMin and RetryMax bound the backoff between attempts to subscribe
	// again (default 200ms and 30s).
	RetryMin, RetryMax time.Duration
}

func (o *RedisOptions) applyDefaults() {
	if o.Prefix == "" {
		o.Prefix = "atrium:"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 2 * time.Second
	}
	if o.HealthCheck <= 0 {
		o.HealthCheck = 5 * time.Second
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 200 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(30*time.Second, o.RetryMin)
	}
}

// NewRedis subscribes to the bus channel before it returns, within ctx and
// ConnectTimeout, so that what other instances publish from then on reaches
// this one; ctx bounds only that first attempt, the bus runs until Close. A Redis that cannot be reached is logged, not an error: the bus
// keeps trying in the background and sends Resync once it is subscribed.
func NewRedis(ctx context.Context, opts RedisOptions) (*Redis, error) {
	if opts.Client == nil {
		return nil, errors.New("bus: NewRedis without a Redis client")
	}
	opts.applyDefaults()
	b := &Redis{
		rdb:     opts.Client,
		channel: opts.Prefix + "bus",
		id:      newInstanceID(),
		log:     opts.Logger,
		opts:    opts,
		done:    make(chan struct{}),
	}
	b.ctx, b.stop = context.WithCancel(context.WithoutCancel(ctx))
	b.out = newFanout(b.id)
	ps, err := b.subscribe(ctx)
	if err != nil {
		b.log.WarnContext(ctx, "bus: Redis unreachable at start; changes from other instances reach this one once it answers",
			"channel", b.channel, "err", err)
	} else {
		b.log.InfoContext(ctx, "bus: telling other instances about changes through Redis", "channel", b.channel, "instance", b.id)
	}
	go b.run(ps)
	return b, nil
}

// ID implements Bus.
func (b *Redis) ID() string { return b.id }

// Publish implements Bus.
func (b *Redis) Publish(ctx context.Context, m Message) error {
	if b.ctx.Err() != nil {
		return ErrClosed
	}
	m.Sender = b.id
	payload, err := encode(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.PublishTimeout)
	defer cancel()
	if err := b.rdb.Publish(ctx, b.channel, payload).Err(); err != nil {
		return fmt.Errorf("bus: publish %s to Redis: %w", m.Kind, err)
	}
	return nil
}

// Subscribe implements Bus.
func (b *Redis) Subscribe(kinds ...Kind) (<-chan Message, func()) {
	return b.out.subscribe(kinds)
}

// Close ends the subscription, waits for the bus's goroutines and closes
// every subscriber's channel.
func (b *Redis) Close() error {
	var err error
	b.closeOnce.Do(func() {
		b.stop()
		<-b.done
		b.out.close()
		if b.closeClient {
			err = b.rdb.Close()
		}
	})
	return err
}

// subscribe makes a new subscription and waits for Redis to confirm it: from
// then on every message published to the channel reaches it.
func (b *Redis) subscribe(ctx context.Context) (*redis.PubSub, error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.ConnectTimeout)
	defer cancel()
	ps := b.rdb.Subscribe(ctx) // no channel yet: nothing is sent, nothing can fail
	if err := ps.Subscribe(ctx, b.channel); err != nil {
		_ = ps.Close()
		return nil, err
	}
	reply, err := ps.ReceiveTimeout(ctx, b.opts.ConnectTimeout)
	if err != nil {
		_ = ps.Close()
		return nil, err
	}
	if s, ok := reply.(*redis.Subscription); !ok || s.Kind != "subscribe" || s.Channel != b.channel {
		_ = ps.Close()
		return nil, fmt.Errorf("unexpected answer to SUBSCRIBE: %v", reply)
	}
	return ps, nil
}

// run keeps the bus subscribed until Close. ps is the subscription made by
// NewRedis, or nil when that failed.
func (b *Redis) run(ps *redis.PubSub) {
	defer close(b.done)
	retry := backoff.NewExponentialBackOff()
	retry.InitialInterval, retry.MaxInterval = b.opts.RetryMin, b.opts.RetryMax
	retry.Reset()
	// Copies remembered before the first subscription may already be stale.
	missed, lost := ps == nil, time.Now()
	for {
		if ps == nil {
			var err error
			if ps, err = b.subscribe(b.ctx); err != nil {
				if b.ctx.Err() != nil {
					return
				}
				wait := retry.NextBackOff()
				b.log.Warn("bus: cannot subscribe to Redis; retrying", "channel", b.channel, "retry_in", wait.Round(time.Millisecond), "err", err)
				select {
				case <-b.ctx.Done():
					return
				case <-time.After(wait):
				}
				continue
			}
		}
		if missed {
			b.log.Info("bus: subscribed to Redis again; dropping what this instance remembers", "channel", b.channel,
				"missed_for", time.Since(lost).Round(time.Millisecond))
			b.out.resync()
		}
		retry.Reset()
		err := b.serve(ps)
		ps = nil
		if b.ctx.Err() != nil {
			return
		}
		missed, lost = true, time.Now()
		b.log.Warn("bus: lost the Redis subscription; changes from other instances are missed until it is back", "channel", b.channel, "err", err)
	}
}

var errNoPong = errors.New("no answer to a ping")

// serve delivers what arrives on ps until its connection fails, stays
// silent past a ping, or the bus closes. It closes ps before it returns.
func (b *Redis) serve(ps *redis.PubSub) error {
	received := make(chan struct{}, 1)
	failed := make(chan error, 1)
	go func() {
		for {
			reply, err := ps.Receive(context.Background())
			if err != nil {
				failed <- err
				return
			}
			select {
			case received <- struct{}{}:
			default:
			}
			switch r := reply.(type) {
			case *redis.Message:
				b.receive(r.Payload)
			case *redis.Subscription:
				// go-redis subscribed again on a new connection of its
				// own: what was published in between is lost.
				if r.Kind == "subscribe" {
					b.log.Warn("bus: Redis subscription renewed; dropping what this instance remembers", "channel", b.channel)
					b.out.resync()
				}
			}
		}
	}()
	stop := func(err error) error {
		_ = ps.Close() // unblocks Receive
		<-failed
		return err
	}
	tick := time.NewTicker(b.opts.HealthCheck)
	defer tick.Stop()
	heard, pinged := false, false
	for {
		select {
		case <-b.ctx.Done():
			return stop(ErrClosed)
		case err := <-failed:
			_ = ps.Close()
			return err
		case <-received:
			heard, pinged = true, false
		case <-tick.C:
			switch {
			case heard:
				heard = false
			case pinged:
				return stop(errNoPong)
			default:
				ctx, cancel := context.WithTimeout(b.ctx, b.opts.HealthCheck)
				err := ps.Ping(ctx)
				cancel()
				if err != nil {
					return stop(fmt.Errorf("ping: %w", err))
				}
				pinged = true
			}
		}
	}
}

// receive decodes and delivers one published payload.
func (b *Redis) receive(payload string) {
	m, ok, err := decode([]byte(payload))
	switch {
	case err != nil:
		b.log.Warn("bus: unreadable message ignored", "channel", b.channel, "err", err)
	case ok:
		b.out.deliver(m)
	}
}
