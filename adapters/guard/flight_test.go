package guard

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

func TestConcurrentFetchesShareOneCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()
		release := f.hold()

		const callers = 200
		got := make([]*adapters.Facet, callers)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() { got[i], errs[i] = fetch(t, g, "001") })
		}
		synctest.Wait() // every caller is waiting
		if n := f.count("001/account"); n != 1 {
			t.Fatalf("%d calls in flight for one key, want 1", n)
		}
		release()
		wg.Wait()

		for i := range callers {
			if errs[i] != nil || got[i] == nil || version(got[i]) != "1" {
				t.Fatalf("caller %d got %v, %v; want version 1", i, got[i], errs[i])
			}
		}
		if n := f.count("001/account"); n != 1 {
			t.Errorf("system called %d times, want 1", n)
		}
	})
}

func TestCallerGoingAwayDoesNotFailTheOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()
		release := f.hold()

		// The first caller starts the shared call, then goes away.
		ctx, cancel := context.WithCancel(context.Background())
		firstErr := make(chan error, 1)
		go func() {
			_, err := g.Fetch(ctx, adapters.FetchRequest{ID: "001", Facet: "account"})
			firstErr <- err
		}()
		synctest.Wait()
		var wg sync.WaitGroup
		got := make([]*adapters.Facet, 2)
		errs := make([]error, 2)
		for i := range got {
			wg.Go(func() { got[i], errs[i] = fetch(t, g, "001") })
		}
		synctest.Wait()
		cancel()
		if err := <-firstErr; !errors.Is(err, context.Canceled) {
			t.Errorf("the caller that went away got %v, want context.Canceled", err)
		}
		synctest.Wait()
		release()
		wg.Wait()

		for i := range got {
			if errs[i] != nil || got[i] == nil || version(got[i]) != "1" {
				t.Errorf("caller %d got %v, %v; want version 1", i, got[i], errs[i])
			}
		}
		if n := f.count("001/account"); n != 1 {
			t.Errorf("system called %d times, want 1", n)
		}
		if errs := f.contextErrors(); len(errs) != 1 || errs[0] != nil {
			t.Errorf("shared call's context errors = %v, want it alive to the end", errs)
		}
	})
}

func TestSharedCallEndsWhenEveryCallerHasGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		g := Wrap(f, "crm", testPolicy())
		defer g.Close()
		defer f.hold()()

		var wg sync.WaitGroup
		for _, wait := range []time.Duration{time.Second, 3 * time.Second} {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), wait)
				defer cancel()
				g.Fetch(ctx, adapters.FetchRequest{ID: "001", Facet: "account"})
			})
		}
		synctest.Wait()
		start := time.Now()
		wg.Wait()
		synctest.Wait()

		if errs := f.contextErrors(); len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Errorf("shared call's context errors = %v, want it cancelled once nobody waits", errs)
		}
		if took := time.Since(start); took != 3*time.Second {
			t.Errorf("shared call ran %v after it started, want 3s: until its longest-living caller went", took)
		}
		if n := f.count("001/account"); n != 1 {
			t.Errorf("system called %d times, want 1", n)
		}
	})
}
