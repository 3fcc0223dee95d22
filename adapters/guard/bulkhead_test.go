package guard

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

func TestBulkheadBoundsCallsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		p := testPolicy()
		p.MaxConcurrent = 3
		g := Wrap(f, "crm", p)
		defer g.Close()
		release := f.hold()

		var wg sync.WaitGroup
		errs := make([]error, p.MaxConcurrent+1)
		for i := range errs {
			wg.Go(func() { _, errs[i] = fetch(t, g, fmt.Sprint(i)) })
		}
		synctest.Wait()
		if now, _ := f.peak(); now != p.MaxConcurrent {
			t.Errorf("%d calls in flight, want %d", now, p.MaxConcurrent)
		}
		if s := g.Status(); s.InFlight != p.MaxConcurrent {
			t.Errorf("status says %d in flight, want %d", s.InFlight, p.MaxConcurrent)
		}
		release()
		wg.Wait()

		for i, err := range errs {
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		if _, peak := f.peak(); peak != p.MaxConcurrent {
			t.Errorf("at most %d calls were in flight, want %d", peak, p.MaxConcurrent)
		}
	})
}

func TestBulkheadWaitEndsWithTheCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now)
		p := testPolicy()
		p.MaxConcurrent = 1
		g := Wrap(f, "crm", p)
		defer g.Close()
		release := f.hold()
		defer release()

		go fetch(t, g, "busy")
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := g.Fetch(ctx, adapters.FetchRequest{ID: "001", Facet: "account"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the caller's deadline", err)
		}
		if n := f.count("001/account"); n != 0 {
			t.Errorf("system called %d times, want 0", n)
		}
	})
}
