package guard

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/atrium-dev/atrium/adapters"
)

// Tests run in synctest bubbles: synctest.Wait returns once every goroutine the
// guard started has finished or is blocked, so background work is awaited
// without sleeping, and the bubble fails the test if any goroutine outlives it.

func TestFreshHitDoesNotCallTheSystem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now))
		defer g.Close()

		first := mustFetch(t, g, "001")
		clk.Advance(59 * time.Second)
		again := mustFetch(t, g, "001")
		synctest.Wait()

		if n := f.count("001/account"); n != 1 {
			t.Errorf("system called %d times, want 1", n)
		}
		if again.Stale || version(again) != version(first) {
			t.Errorf("second fetch = version %s stale %v, want the cached version %s, fresh", version(again), again.Stale, version(first))
		}
	})
}

// pausedCache is a cache whose next Get, once paused, answers only when
// resumed: a caller that looked in the cache is held before it acts on what
// it saw.
type pausedCache struct {
	Cache
	mu   sync.Mutex
	gate chan struct{}
}

func (c *pausedCache) pauseNextGet() (resume func()) {
	gate := make(chan struct{})
	c.mu.Lock()
	c.gate = gate
	c.mu.Unlock()
	return sync.OnceFunc(func() { close(gate) })
}

func (c *pausedCache) Get(ctx context.Context, k Key) (Entry, bool) {
	e, ok := c.Cache.Get(ctx, k)
	c.mu.Lock()
	gate := c.gate
	c.gate = nil
	c.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return e, ok
}

// A caller that found nothing cached, while another call fetched the facet
// and left, gets that facet rather than calling the system again.
func TestFetchLandedSinceTheLookIsNotRepeated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		mem := NewMemoryCache(DefaultCacheEntries, clk.Now, nil)
		defer mem.Close()
		c := &pausedCache{Cache: mem}
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now), WithCache(c))
		defer g.Close()

		resume := c.pauseNextGet()
		var got *adapters.Facet
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			got, err = fetch(t, g, "001")
		}()
		synctest.Wait() // the late caller saw a miss and is held

		first := mustFetch(t, g, "001")
		resume()
		<-done
		if err != nil {
			t.Fatalf("late fetch: %v", err)
		}

		if n := f.count("001/account"); n != 1 {
			t.Errorf("system called %d times, want 1", n)
		}
		if version(got) != version(first) || got.Stale {
			t.Errorf("late caller got version %s stale %v, want the version %s just fetched", version(got), got.Stale, version(first))
		}
	})
}

func TestStaleServedWhileOneRefreshRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now))
		defer g.Close()

		first := mustFetch(t, g, "001")
		clk.Advance(2 * time.Minute) // past CacheTTL, within StaleTTL
		release := f.hold()
		for range 5 {
			got := mustFetch(t, g, "001")
			if !got.Stale || version(got) != "1" || !got.FetchedAt.Equal(first.FetchedAt) {
				t.Fatalf("got version %s stale %v fetched %v; want version 1, stale, fetched %v",
					version(got), got.Stale, got.FetchedAt, first.FetchedAt)
			}
		}
		synctest.Wait()
		if n := f.count("001/account"); n != 2 {
			t.Fatalf("system called %d times, want 2: the first fetch and one refresh", n)
		}
		if s := g.Status(); s.Refreshing != 1 {
			t.Errorf("status says %d refreshes running, want 1", s.Refreshing)
		}
		release()
		synctest.Wait()

		got := mustFetch(t, g, "001")
		if got.Stale || version(got) != "2" {
			t.Errorf("after the refresh got version %s stale %v, want version 2, fresh", version(got), got.Stale)
		}
		if n := f.count("001/account"); n != 2 {
			t.Errorf("system called %d times, want 2", n)
		}
	})
}

func TestPastStaleTTLCallsTheSystem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now))
		defer g.Close()

		mustFetch(t, g, "001")
		clk.Advance(10*time.Minute + time.Second)
		got := mustFetch(t, g, "001")
		if got.Stale || version(got) != "2" {
			t.Errorf("got version %s stale %v, want a fresh version 2 from the system", version(got), got.Stale)
		}
		if n := f.count("001/account"); n != 2 {
			t.Errorf("system called %d times, want 2", n)
		}
	})
}

func TestZeroCacheTTLDoesNotCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		p := testPolicy()
		p.CacheTTL = 0
		g := Wrap(f, "crm", p)
		defer g.Close()

		mustFetch(t, g, "001")
		mustFetch(t, g, "001")
		if n := f.count("001/account"); n != 2 {
			t.Errorf("system called %d times, want 2", n)
		}
	})
}

func TestSearchIsNotCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()

		for i := range 2 {
			ms, err := g.Search(context.Background(), adapters.Query{Text: "acme", Limit: 10})
			if err != nil || len(ms) != 1 {
				t.Fatalf("search %d: %v, %v", i, ms, err)
			}
		}
		if n := f.count("search:acme"); n != 2 {
			t.Errorf("system searched %d times, want 2", n)
		}
	})
}

func TestFacetsPassThrough(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := Wrap(newFake(time.Now), "crm", testPolicy())
		defer g.Close()
		if fs := g.Facets(); len(fs) != 1 || fs[0].Name != "account" || !fs[0].Header {
			t.Errorf("facets = %+v", fs)
		}
	})
}

func TestMemoryCacheExpiresOnItsClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		c := NewMemoryCache(10, clk.Now, nil)
		defer c.Close()
		k := Key{Source: "crm", ID: "001", Facet: "account"}
		c.Set(context.Background(), k, Entry{Facet: &adapters.Facet{Name: "account"}, Stored: clk.Now()}, time.Minute)
		if _, ok := c.Get(context.Background(), k); !ok || c.Len() != 1 {
			t.Fatalf("entry missing right after Set")
		}
		clk.Advance(time.Minute + time.Second)
		if _, ok := c.Get(context.Background(), k); ok {
			t.Errorf("entry still there past its ttl")
		}
	})
}

func TestCloseEndsBackgroundRefreshes(t *testing.T) {
	// Outside a bubble, so that goleak sees the refresh if Close leaves it.
	clk := newClock()
	f := newFake(clk.Now)
	g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now))
	mustFetch(t, g, "001")
	clk.Advance(2 * time.Minute)

	entered := make(chan struct{})
	var once sync.Once
	f.onCall = func(string) { once.Do(func() { close(entered) }) }
	f.hold() // never released: only Close can end the refresh
	mustFetch(t, g, "001")
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no background refresh started")
	}

	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if errs := f.contextErrors(); len(errs) != 2 || errs[1] != context.Canceled {
		t.Errorf("refresh context errors = %v, want the refresh cancelled by Close", errs)
	}
	if _, err := fetch(t, g, "002"); err == nil {
		t.Errorf("a fetch that needs the system succeeded after Close")
	}
	goleak.VerifyNone(t)
}
