package bus

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/atrium-dev/atrium/internal/testenv"
)

// newTestRedis returns a Redis bus at url that notices a lost connection
// and retries within a fraction of a second.
func newTestRedis(t *testing.T, url, prefix string, logs *logBuffer) *Redis {
	t.Helper()
	rdb, err := newRedisClient(url)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewRedis(context.Background(), RedisOptions{Client: rdb, Prefix: prefix, Logger: testLogger(t, logs),
		PublishTimeout: time.Second, ConnectTimeout: 500 * time.Millisecond, HealthCheck: 100 * time.Millisecond,
		RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(); rdb.Close() })
	return b
}

// Redis goes away and comes back: Publish fails fast meanwhile, the instance
// goes on, and once subscribed again its subscribers get Resync (whatever
// their kinds) and then the other instances' messages.
func TestRedisLostAndBack(t *testing.T) {
	srv := testenv.StartRedis(t)
	logs := &logBuffer{}
	a := newTestRedis(t, srv.URL, "lost:", nil)
	b := newTestRedis(t, srv.URL, "lost:", logs)
	links, _ := b.Subscribe(LinkDecided)
	publish(t, a, DecidedLink("before", "billing"))
	expect(t, links, "before")

	srv.Stop()
	if err := publishWithin(t, a, DecidedLink("while-down", "billing")); err == nil {
		t.Fatal("Publish to a stopped Redis succeeded")
	}
	waitFor(t, "the loss logged", func() bool { return strings.Contains(logs.String(), "lost the Redis subscription") })
	waitFor(t, "failed retries logged", func() bool { return strings.Contains(logs.String(), "cannot subscribe to Redis; retrying") })

	srv.Restart()
	if got := next(t, links); got.Kind != Resync {
		t.Fatalf("after Redis came back the subscriber received %+v, want Resync", got)
	}
	if !strings.Contains(logs.String(), "subscribed to Redis again") {
		t.Errorf("the reconnection was not logged:\n%s", logs)
	}
	publishEventually(t, a, DecidedLink("after", "billing"))
	expect(t, links, "after")
}

// An instance started while Redis is down starts anyway and catches up.
func TestRedisUnreachableAtStart(t *testing.T) {
	srv := testenv.StartRedis(t)
	srv.Stop()
	logs := &logBuffer{}
	b := newTestRedis(t, srv.URL, "start:", logs)
	if !strings.Contains(logs.String(), "Redis unreachable at start") {
		t.Errorf("the unreachable Redis was not logged:\n%s", logs)
	}
	ch, _ := b.Subscribe()
	srv.Restart()
	if got := next(t, ch); got.Kind != Resync {
		t.Fatalf("received %+v, want Resync once subscribed", got)
	}
	a := newTestRedis(t, srv.URL, "start:", nil)
	publish(t, a, EndedSession("s1"))
	expect(t, ch, "s1")
}

// A connection that hangs without closing (a network that drops packets)
// gives no read error; the health-check ping finds it.
func TestRedisSilentConnection(t *testing.T) {
	srv := testenv.StartRedis(t)
	proxy := startFreezer(t, srv.Addr)
	b := newTestRedis(t, "redis://"+proxy.addr()+"/0", "silent:", nil)
	a := newTestRedis(t, srv.URL, "silent:", nil)
	ch, _ := b.Subscribe(SessionEnded)
	publish(t, a, EndedSession("before"))
	expect(t, ch, "before")

	// A publisher whose client would wait forever for an answer: only the
	// bus's own PublishTimeout bounds its Publish.
	patient := redis.NewClient(&redis.Options{Addr: proxy.addr(), ReadTimeout: -1, ContextTimeoutEnabled: true})
	defer patient.Close()
	c, err := NewRedis(context.Background(), RedisOptions{Client: patient, Prefix: "silent:", PublishTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	publish(t, c, EndedSession("from-c"))
	expect(t, ch, "from-c")

	proxy.freeze()
	if err := publishWithin(t, c, EndedSession("into-the-void")); err == nil {
		t.Error("Publish over a silent connection succeeded")
	}
	if got := next(t, ch); got.Kind != Resync {
		t.Fatalf("after its connection went silent the subscriber received %+v, want Resync", got)
	}
	publish(t, a, EndedSession("after"))
	expect(t, ch, "after")
}

// What another instance cannot mean for this one is logged and skipped.
func TestRedisIgnoresWhatItCannotRead(t *testing.T) {
	srv := testenv.StartRedis(t)
	logs := &logBuffer{}
	b := newTestRedis(t, srv.URL, "odd:", logs)
	ch, _ := b.Subscribe()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	for _, payload := range []string{
		"not json",
		`{"v":2,"kind":"session_ended","sender":"x","session":"from-a-newer-instance"}`,
		`{"v":1,"kind":"customer_changed","sender":"x","customer":"001"}`,
		`{"v":1,"kind":"session_ended","session":"no-sender"}`,
		`{"v":1,"kind":"session_ended","sender":"x","session":"readable"}`,
	} {
		if err := rdb.Publish(context.Background(), "odd:bus", payload).Err(); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, ch, "readable")
	if n := strings.Count(logs.String(), "unreadable message ignored"); n != 2 {
		t.Errorf("%d unreadable messages logged, want 2 (bad JSON, no sender):\n%s", n, logs)
	}
}

// The client may be the caller's and outlive the bus: Close must end the
// subscription itself, not leave it to the client's Close.
func TestRedisCloseLeavesTheClientClean(t *testing.T) {
	srv := testenv.StartRedis(t)
	ignore := goleak.IgnoreCurrent()
	rdb, err := newRedisClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	b, err := NewRedis(context.Background(), RedisOptions{Client: rdb, Prefix: "close:"})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := b.Subscribe()
	subscribers := func() int64 {
		n, err := rdb.PubSubNumSub(context.Background(), "close:bus").Result()
		if err != nil {
			t.Fatal(err)
		}
		return n["close:bus"]
	}
	if n := subscribers(); n != 1 {
		t.Fatalf("%d subscriptions to close:bus while the bus runs, want 1", n)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, ch)
	waitFor(t, "the subscription to end", func() bool { return subscribers() == 0 })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("the client no longer works after the bus closed: %v", err)
	}
	goleak.VerifyNone(t, ignore)
}

// publishEventually publishes m once the client's connections to a Redis
// that came back are usable again.
func publishEventually(t *testing.T, b Bus, m Message) {
	t.Helper()
	waitFor(t, "a Publish to succeed", func() bool { return b.Publish(context.Background(), m) == nil })
}

// freezer forwards TCP connections to a server until freeze, after which the
// connections open at that moment stay open and carry nothing.
type freezer struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	frozen []*atomic.Bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func startFreezer(t *testing.T, target string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target}
	f.wg.Add(1)
	go f.accept()
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

func (f *freezer) addr() string { return f.ln.Addr().String() }

func (f *freezer) freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fr := range f.frozen {
		fr.Store(true)
	}
}

func (f *freezer) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", f.target)
		if err != nil {
			c.Close()
			continue
		}
		frozen := &atomic.Bool{}
		f.mu.Lock()
		f.frozen = append(f.frozen, frozen)
		f.conns = append(f.conns, c, up)
		f.mu.Unlock()
		f.wg.Add(2)
		go f.pipe(c, up, frozen)
		go f.pipe(up, c, frozen)
	}
}

// pipe copies src to dst, dropping what arrives once frozen.
func (f *freezer) pipe(src, dst net.Conn, frozen *atomic.Bool) {
	defer f.wg.Done()
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !frozen.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
