package guard

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

func TestRetryAfterUnavailable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		f.script("001/account", err503)
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()

		start := time.Now()
		got := mustFetch(t, g, "001")
		if n := f.count("001/account"); n != 2 || version(got) != "2" {
			t.Errorf("%d calls, version %s; want 2 calls and the second one's answer", n, version(got))
		}
		if waited := time.Since(start); waited > testPolicy().RetryBase {
			t.Errorf("waited %v before the retry, more than RetryBase %v", waited, testPolicy().RetryBase)
		}
	})
}

func TestRetriesExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		f.script("001/account", err503, err503, err503, err503)
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()

		_, err := fetch(t, g, "001")
		if !errors.Is(err, adapters.ErrUnavailable) {
			t.Errorf("err = %v, want ErrUnavailable", err)
		}
		if n := f.count("001/account"); n != 3 {
			t.Errorf("%d calls, want 3: one and two retries", n)
		}
	})
}

func TestNoRetryOfAnswers(t *testing.T) {
	for _, class := range []error{
		adapters.ErrBadRequest, adapters.ErrForbidden, adapters.ErrNotFound,
		adapters.ErrLimitExceeded, adapters.ErrAuth, adapters.ErrBadResponse,
	} {
		t.Run(class.Error(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(time.Now)
				f.script("001/account", &statusError{status: 400, class: class}, nil, nil)
				g := Wrap(f, "crm", testPolicy())
				defer g.Close()

				if _, err := fetch(t, g, "001"); !errors.Is(err, class) {
					t.Errorf("err = %v, want %v", err, class)
				}
				if n := f.count("001/account"); n != 1 {
					t.Errorf("%d calls, want 1", n)
				}
			})
		})
	}
}

func TestNoRetryOnceTheCallerHasGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		f.script("001/account", err503, err503, err503, err503, err503, err503)
		p := testPolicy()
		p.Retries, p.RetryBase, p.RetryMax = 5, time.Second, time.Second
		g := Wrap(f, "crm", p)
		defer g.Close()
		g.jitter = func(n int64) int64 { return n - 1 } // always the longest wait

		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_, err := g.Fetch(ctx, adapters.FetchRequest{ID: "001", Facet: "account"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the caller's deadline", err)
		}
		// Close waits for the shared call: in the bubble, time runs on while it
		// waits, so a retry loop that ignored the caller's going would call again.
		g.Close()
		if n := f.count("001/account"); n != 1 {
			t.Errorf("%d calls, want 1: no retry after the caller went", n)
		}
	})
}

func TestRetryAfterHintIsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		f.script("001/account", &statusError{status: 429, class: adapters.ErrUnavailable, after: 3 * time.Second})
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()

		start := time.Now()
		mustFetch(t, g, "001")
		if waited := time.Since(start); waited != 3*time.Second {
			t.Errorf("waited %v before the retry, want the hinted 3s", waited)
		}
		if n := f.count("001/account"); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})
}

func TestRetryAfterBeyondTheDeadlineIsNotWaitedFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		f.script("001/account", &statusError{status: 503, class: adapters.ErrUnavailable, after: time.Minute})
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, err := g.Fetch(ctx, adapters.FetchRequest{ID: "001", Facet: "account"})
		if !errors.Is(err, adapters.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the system's answer at once", err)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("waited %v, want no wait", waited)
		}
		if n := f.count("001/account"); n != 1 {
			t.Errorf("%d calls, want 1", n)
		}
	})
}

func TestSearchIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		f.script("search:acme", err503)
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()

		ms, err := g.Search(context.Background(), adapters.Query{Text: "acme"})
		if err != nil || len(ms) != 1 {
			t.Fatalf("search: %v, %v", ms, err)
		}
		if n := f.count("search:acme"); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})
}

func TestFullJitterBounds(t *testing.T) {
	b := &fullJitter{base: 100 * time.Millisecond, max: time.Second}
	b.rand = func(n int64) int64 { return n - 1 } // the top of each range
	var got []time.Duration
	for range 6 {
		got = append(got, b.NextBackOff())
	}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("ceilings = %v, want %v ms", got, want)
		}
	}
	b.Reset()
	b.rand = func(int64) int64 { return 0 }
	if d := b.NextBackOff(); d != 0 {
		t.Errorf("bottom of the first range = %v, want 0: full jitter starts at zero", d)
	}
}

func TestPanickingAdapterFailsItsCallersOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		f.onCall = func(key string) {
			if key == "bug/account" {
				panic("nil map")
			}
		}
		g := Wrap(f, "crm", breakerPolicy())
		defer g.Close()

		for range 5 {
			if _, err := fetch(t, g, "bug"); err == nil || !strings.Contains(err.Error(), "adapter panicked: nil map") {
				t.Fatalf("err = %v, want the panic as an error", err)
			}
		}
		if n := f.count("bug/account"); n != 5 {
			t.Errorf("%d calls, want 5: one per fetch, no retry", n)
		}
		mustFetch(t, g, "001") // the breaker did not count the panics
	})
}
