package guard

import (
	"context"
	"testing"
	"testing/synctest"
)

// A cached facet is named by its content: the same answer keeps its name,
// and a new answer fetched at the same instant (the clock does not move in
// the bubble) gets another, so that nothing rendered from the old one is
// served for it.
func TestCachedFacetsCarryTheVersionOfTheirContent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now))
		defer g.Close()

		first := mustFetch(t, g, "001")
		if first.Version == "" {
			t.Fatal("a cached facet has no version")
		}
		if again := mustFetch(t, g, "001"); again.Version != first.Version {
			t.Errorf("the cached answer's version changed from %q to %q", first.Version, again.Version)
		}
		g.Invalidate(context.Background(), "001", "account")
		next := mustFetch(t, g, "001")
		if version(next) == version(first) {
			t.Fatalf("the system was not asked again after the invalidation")
		}
		if next.Version == first.Version || next.Version == "" {
			t.Errorf("a new answer at the same instant has version %q, the old one %q", next.Version, first.Version)
		}
	})
}
