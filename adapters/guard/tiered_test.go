package guard

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/bus"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// instance is one Atrium instance's guard over a shared system, with its
// tiered cache.
type instance struct {
	g     *Guarded
	cache *TieredCache
	local *MemoryCache
}

func newInstance(t *testing.T, a adapters.Adapter, o TieredOptions, now func() time.Time) *instance {
	t.Helper()
	local := NewMemoryCache(100, now, nil)
	o.Local, o.Now = local, now
	c := NewTieredCache(o)
	g := Wrap(a, "crm", testPolicy(), WithClock(now), WithCache(c))
	t.Cleanup(func() {
		g.Close()
		c.Close()
		local.Close()
	})
	return &instance{g: g, cache: c, local: local}
}

func TestTieredInvalidationReachesTheOtherInstance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		busA := bus.NewLocal()
		busB := busA.Join()
		a := newInstance(t, f, TieredOptions{Bus: busA}, clk.Now)
		b := newInstance(t, f, TieredOptions{Bus: busB}, clk.Now)
		defer busA.Close()
		defer busB.Close()

		mustFetch(t, a.g, "001")
		mustFetch(t, b.g, "001")
		mustFetch(t, b.g, "002")
		mustFetch(t, b.g, "001") // from B's copy
		if n := f.count("001/account"); n != 2 {
			t.Fatalf("%d calls before the invalidation, want one per instance", n)
		}
		a.g.Invalidate(context.Background(), "001", "account")
		synctest.Wait() // B has read the bus

		got := mustFetch(t, b.g, "001")
		if n := f.count("001/account"); n != 3 || version(got) != "3" {
			t.Errorf("B after A's invalidation: %d calls, version %s; want B to ask the system (3 calls, version 3)", n, version(got))
		}
		mustFetch(t, b.g, "002")
		if n := f.count("002/account"); n != 1 {
			t.Errorf("another record was fetched %d times on B, want 1", n)
		}
	})
}

// fakeBus delivers what the test sends on in, and records what is published.
type fakeBus struct {
	in        chan bus.Message
	published []bus.Message
	err       error
}

func (b *fakeBus) Publish(_ context.Context, m bus.Message) error {
	b.published = append(b.published, m)
	return b.err
}

func (b *fakeBus) Subscribe(...bus.Kind) (<-chan bus.Message, func()) {
	return b.in, func() {
		defer func() { _ = recover() }() // closed by the test already
		close(b.in)
	}
}

func TestTieredResyncDropsEveryCopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		fb := &fakeBus{in: make(chan bus.Message, 1)}
		i := newInstance(t, f, TieredOptions{Bus: fb}, clk.Now)

		mustFetch(t, i.g, "001")
		mustFetch(t, i.g, "002")
		fb.in <- bus.Message{Kind: bus.Resync}
		synctest.Wait()
		mustFetch(t, i.g, "001")
		mustFetch(t, i.g, "002")
		if n1, n2 := f.count("001/account"), f.count("002/account"); n1 != 2 || n2 != 2 {
			t.Errorf("after Resync: %d and %d calls, want every record fetched again (2 and 2)", n1, n2)
		}
	})
}

func TestTieredInvalidationIsPublished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		var logs logBuffer
		fb := &fakeBus{in: make(chan bus.Message), err: errors.New("bus down")}
		i := newInstance(t, newFake(clk.Now), TieredOptions{Bus: fb, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, clk.Now)

		i.g.Invalidate(context.Background(), "001", "")
		if want := bus.InvalidCache("crm", "001", ""); len(fb.published) != 1 || fb.published[0] != want {
			t.Errorf("published %+v, want %+v", fb.published, want)
		}
		if !strings.Contains(logs.String(), "could not tell the other instances") {
			t.Errorf("a failed publish was not logged: %s", logs.String())
		}
	})
}

// cuttable is a way to Redis that the test can cut, as a lost network
// would, without Redis losing what it holds.
type cuttable struct{ cut atomic.Bool }

var errCut = errors.New("network cut")

func (c *cuttable) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.cut.Load() {
		return nil, errCut
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &cutConn{Conn: conn, link: c}, nil
}

type cutConn struct {
	net.Conn
	link *cuttable
}

func (c *cutConn) Read(b []byte) (int, error) {
	if c.link.cut.Load() {
		return 0, errCut
	}
	return c.Conn.Read(b)
}

func (c *cutConn) Write(b []byte) (int, error) {
	if c.link.cut.Load() {
		return 0, errCut
	}
	return c.Conn.Write(b)
}

// Two instances share Redis; A loses its way to it for a while. A keeps
// serving its copies; what A invalidates meanwhile reaches B over the bus
// and is deleted from Redis once A reaches it again, before A reads from it.
func TestTieredWhileRedisIsUnreachable(t *testing.T) {
	srv := testenv.StartRedis(t)
	clk := newClock()
	f := newFake(clk.Now)
	busA := bus.NewLocal()
	busB := busA.Join()
	t.Cleanup(func() { busA.Close(); busB.Close() })
	client := func(link *cuttable) *RedisCache {
		opts := &redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second}
		if link != nil {
			opts.Dialer = link.dial
		}
		rdb := redis.NewClient(opts)
		t.Cleanup(func() { rdb.Close() })
		return NewRedisCache(rdb, "tiered-test:", nil)
	}
	var logs logBuffer
	linkA := &cuttable{}
	a := newInstance(t, f, TieredOptions{Remote: client(linkA), Bus: busA, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, clk.Now)
	b := newInstance(t, f, TieredOptions{Remote: client(nil), Bus: busB}, clk.Now)

	mustFetch(t, a.g, "001")
	if got := mustFetch(t, b.g, "001"); version(got) != "1" || f.count("001/account") != 1 {
		t.Fatalf("B got version %s after %d calls, want A's fetch from Redis", version(got), f.count("001/account"))
	}

	linkA.cut.Store(true)
	for range 3 {
		if got := mustFetch(t, a.g, "001"); version(got) != "1" {
			t.Fatalf("A without Redis served version %s, want its copy (1)", version(got))
		}
	}
	if n := f.count("001/account"); n != 1 {
		t.Fatalf("A without Redis called the system: %d calls, want 1", n)
	}
	if n := strings.Count(logs.String(), "Redis unreachable"); n != 1 {
		t.Errorf("Redis going away logged %d times, want once:\n%s", n, logs.String())
	}

	a.g.Invalidate(context.Background(), "001", "account")
	waitFor(t, "B drops its copy", func() bool {
		_, ok := b.local.Get(context.Background(), Key{Source: "crm", ID: "001", Facet: "account"})
		return !ok
	})
	// Redis still holds what A could not delete: B, which reaches it, serves
	// that until A is back (the entry's lifetime bounds it otherwise).
	linkA.cut.Store(false)
	clk.Advance(redisPause)
	if got := mustFetch(t, a.g, "001"); version(got) != "2" {
		t.Errorf("A back with Redis served version %s, want a new fetch (2): the invalidated entry was read back", version(got))
	}
	if got := mustFetch(t, b.g, "001"); version(got) != "2" {
		t.Errorf("B served version %s, want A's new fetch (2)", version(got))
	}
	if n := f.count("001/account"); n != 2 {
		t.Errorf("%d calls at the system, want 2", n)
	}
	if !strings.Contains(logs.String(), "Redis answers again") {
		t.Errorf("Redis coming back was not logged:\n%s", logs.String())
	}
}

// An instance that fetched while it could not reach Redis keeps its newer
// copy when Redis answers again with what it held from before.
func TestTieredPrefersTheNewerCopy(t *testing.T) {
	srv := testenv.StartRedis(t)
	clk := newClock()
	f := newFake(clk.Now)
	remote := func(link *cuttable) *RedisCache {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, Dialer: link.dial})
		t.Cleanup(func() { rdb.Close() })
		return NewRedisCache(rdb, "newer-test:", nil)
	}
	linkB := &cuttable{}
	a := newInstance(t, f, TieredOptions{Remote: remote(&cuttable{})}, clk.Now)
	b := newInstance(t, f, TieredOptions{Remote: remote(linkB)}, clk.Now)

	mustFetch(t, a.g, "001") // version 1, in Redis
	linkB.cut.Store(true)
	clk.Advance(time.Second)
	if got := mustFetch(t, b.g, "001"); version(got) != "2" {
		t.Fatalf("B without Redis: version %s, want its own fetch (2)", version(got))
	}
	linkB.cut.Store(false)
	clk.Advance(redisPause)
	if got := mustFetch(t, b.g, "001"); version(got) != "2" {
		t.Errorf("B with Redis again: version %s, want its newer copy (2) over Redis's older one", version(got))
	}
}

// waitFor polls cond until it holds, failing the test after 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
