package guard

import (
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestOverBudgetServesCacheOfAnyAge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		u := &usage{now: clk.Now}
		u.set(100, 1000)
		var logs logBuffer
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now), WithUsage(u),
			WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		defer g.Close()

		mustFetch(t, g, "001")
		u.set(950, 1000)
		clk.Advance(2 * time.Minute) // stale: over budget, no refresh
		if got := mustFetch(t, g, "001"); !got.Stale || version(got) != "1" {
			t.Errorf("got version %s stale %v, want the cached version 1, stale", version(got), got.Stale)
		}
		clk.Advance(time.Hour) // far past StaleTTL
		if got := mustFetch(t, g, "001"); !got.Stale || version(got) != "1" {
			t.Errorf("got version %s stale %v, want the cached version 1, stale", version(got), got.Stale)
		}
		synctest.Wait()
		if n := f.count("001/account"); n != 1 {
			t.Errorf("system called %d times, want 1", n)
		}
		if s := g.Status(); !s.OverBudget || s.APIUsed != 950 || s.APILimit != 1000 {
			t.Errorf("status = %+v, want over budget at 950/1000", s)
		}
		if n := strings.Count(logs.String(), "API budget nearly spent"); n != 1 {
			t.Errorf("warned %d times, want once:\n%s", n, logs.String())
		}

		// Nothing cached: the system is asked, budget or not.
		if got := mustFetch(t, g, "002"); got.Stale {
			t.Errorf("uncached facet marked stale")
		}
		if n := f.count("002/account"); n != 1 {
			t.Errorf("system called %d times for an uncached facet, want 1", n)
		}

		u.set(500, 1000)
		if got := mustFetch(t, g, "001"); got.Stale || version(got) != "2" {
			t.Errorf("back under budget got version %s stale %v, want a fresh version 2", version(got), got.Stale)
		}
		if !strings.Contains(logs.String(), "API budget back under its share") {
			t.Errorf("no note that the budget is back:\n%s", logs.String())
		}
	})
}

func TestOldUsageReadingDoesNotHoldCallsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		seen := clk.Now()
		u := &usage{now: func() time.Time { return seen }}
		u.set(990, 1000)
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now), WithUsage(u))
		defer g.Close()

		mustFetch(t, g, "001")
		clk.Advance(time.Hour)
		if got := mustFetch(t, g, "001"); got.Stale || version(got) != "2" {
			t.Errorf("got version %s stale %v, want a fresh version 2: the reading is an hour old", version(got), got.Stale)
		}
	})
}
