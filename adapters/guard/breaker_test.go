package guard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// advance moves a synctest bubble's fake clock on by d. Time in a bubble passes
// only while every goroutine in it is blocked, so this returns at once, after
// all that was due in between has run. The breaker needs it: gobreaker reads
// time.Now itself and takes no clock.
func advance(d time.Duration) { time.Sleep(d) }

// breakerPolicy opens the breaker after 3 failures and does not retry, so that
// each fetch is one failure.
func breakerPolicy() Policy {
	p := testPolicy()
	p.Retries = 0
	p.BreakerFailures = 3
	p.BreakerOpen = 30 * time.Second
	return p
}

// trip makes the breaker see n failures of the system, on keys of their own.
func trip(t *testing.T, g *Guarded, f *fake, n int) {
	t.Helper()
	for i := range n {
		id := fmt.Sprintf("down%d", i)
		f.script(id+"/account", err503)
		if _, err := fetch(t, g, id); !errors.Is(err, adapters.ErrUnavailable) {
			t.Fatalf("fetch %s: %v, want ErrUnavailable", id, err)
		}
	}
}

func TestBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", breakerPolicy(), WithClock(clk.Now))
		defer g.Close()

		trip(t, g, f, 2)
		if s := g.Status(); s.Breaker != BreakerClosed {
			t.Fatalf("breaker %v after 2 failures, want closed", s.Breaker)
		}
		trip(t, g, f, 3)
		_, err := fetch(t, g, "001")
		var ue *UnavailableError
		if !errors.As(err, &ue) || !errors.Is(err, adapters.ErrUnavailable) {
			t.Fatalf("err = %v, want an *UnavailableError matching ErrUnavailable", err)
		}
		if want := clk.Now().Add(30 * time.Second); !ue.RetryAt().Equal(want) || ue.Source != "crm" {
			t.Errorf("RetryAt = %v, source %q; want %v, crm", ue.RetryAt(), ue.Source, want)
		}
		if n := f.count("001/account"); n != 0 {
			t.Errorf("system called %d times while the breaker is open, want 0", n)
		}
		if s := g.Status(); s.Breaker != BreakerOpen || !s.RetryAt.Equal(ue.RetryAt()) {
			t.Errorf("status = %+v, want the breaker open until %v", s, ue.RetryAt())
		}
	})
}

func TestBreakerCountsRetriedAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		p := breakerPolicy()
		p.Retries = 5
		f.script("001/account", err503, err503, err503, err503, err503, err503)
		g := Wrap(f, "crm", p)
		defer g.Close()

		_, err := fetch(t, g, "001")
		var ue *UnavailableError
		if !errors.As(err, &ue) {
			t.Errorf("err = %v, want the breaker's refusal once it opened", err)
		}
		if n := f.count("001/account"); n != 3 {
			t.Errorf("%d calls, want 3: retries stop when the breaker opens", n)
		}
	})
}

func TestStaleServedWhileBreakerOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", breakerPolicy(), WithClock(clk.Now))
		defer g.Close()

		mustFetch(t, g, "001")
		mustFetch(t, g, "002")
		clk.Advance(5 * time.Minute)
		trip(t, g, f, 3)

		got := mustFetch(t, g, "001")
		if !got.Stale || version(got) != "1" {
			t.Errorf("got version %s stale %v, want the cached version 1, stale", version(got), got.Stale)
		}
		synctest.Wait()
		if n := f.count("001/account"); n != 1 {
			t.Errorf("system called %d times, want 1: no refresh while the breaker is open", n)
		}

		clk.Advance(6 * time.Minute) // past StaleTTL
		var ue *UnavailableError
		if _, err := fetch(t, g, "002"); !errors.As(err, &ue) {
			t.Errorf("past StaleTTL err = %v, want *UnavailableError", err)
		}
	})
}

func TestBreakerProbeClosesIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		g := Wrap(f, "crm", breakerPolicy())
		defer g.Close()

		trip(t, g, f, 3)
		advance(29 * time.Second)
		if _, err := fetch(t, g, "001"); err == nil {
			t.Fatalf("fetch went through before BreakerOpen passed")
		}
		advance(time.Second + time.Nanosecond)
		if s := g.Status(); s.Breaker != BreakerHalfOpen {
			t.Fatalf("breaker %v after BreakerOpen, want half-open", s.Breaker)
		}
		got := mustFetch(t, g, "001")
		if version(got) != "1" {
			t.Errorf("probe got version %s", version(got))
		}
		if s := g.Status(); s.Breaker != BreakerClosed {
			t.Errorf("breaker %v after a successful probe, want closed", s.Breaker)
		}
	})
}

func TestBreakerProbeFailureReopensIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		g := Wrap(f, "crm", breakerPolicy())
		defer g.Close()

		trip(t, g, f, 3)
		advance(31 * time.Second)
		f.script("001/account", err503)
		if _, err := fetch(t, g, "001"); !errors.Is(err, adapters.ErrUnavailable) {
			t.Fatalf("probe err = %v", err)
		}
		var ue *UnavailableError
		if _, err := fetch(t, g, "002"); !errors.As(err, &ue) || !ue.RetryAt().Equal(time.Now().Add(30*time.Second)) {
			t.Errorf("after a failed probe err = %v, want the breaker open for another 30s", err)
		}
	})
}

func TestAnswersDoNotOpenTheBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		g := Wrap(f, "crm", breakerPolicy())
		defer g.Close()

		for i := range 10 {
			id := fmt.Sprintf("gone%d", i)
			f.script(id+"/account", err404)
			if _, err := fetch(t, g, id); !errors.Is(err, adapters.ErrNotFound) {
				t.Fatalf("fetch %s: %v", id, err)
			}
		}
		mustFetch(t, g, "001")
		if s := g.Status(); s.Breaker != BreakerClosed {
			t.Errorf("breaker %v after not-found answers, want closed", s.Breaker)
		}
	})
}

func TestCheckReportsOpenBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		g := Wrap(f, "crm", breakerPolicy())
		defer g.Close()

		if h := g.Check(context.Background()); !h.OK || h.Message != "ok" {
			t.Errorf("health = %+v, want the system's own", h)
		}
		trip(t, g, f, 3)
		h := g.Check(context.Background())
		if !strings.Contains(h.Message, "circuit breaker open") || !strings.HasPrefix(h.Message, "ok; ") {
			t.Errorf("health message = %q, want the system's followed by the open breaker", h.Message)
		}
		if n := f.count("check"); n != 2 {
			t.Errorf("system checked %d times, want 2: Check passes through", n)
		}
	})
}
