package guard

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/atrium-dev/atrium/adapters"
)

func fetchFacet(t *testing.T, g *Guarded, id, facet string) *adapters.Facet {
	t.Helper()
	f, err := g.Fetch(context.Background(), adapters.FetchRequest{ID: id, Facet: facet})
	if err != nil || f == nil {
		t.Fatalf("fetch %s/%s: %v, %v", id, facet, f, err)
	}
	return f
}

func TestInvalidateMakesTheNextFetchAskTheSystem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now))
		defer g.Close()

		mustFetch(t, g, "001")
		mustFetch(t, g, "002")
		g.Invalidate(context.Background(), "001", "account")
		again := mustFetch(t, g, "001")
		mustFetch(t, g, "002")
		synctest.Wait()

		if n := f.count("001/account"); n != 2 || version(again) != "2" {
			t.Errorf("after the invalidation: %d calls, version %s; want the system asked again (2, version 2)", n, version(again))
		}
		if n := f.count("002/account"); n != 1 {
			t.Errorf("another record was fetched %d times, want 1: only the invalidated one is dropped", n)
		}
	})
}

func TestInvalidateWithoutFacetDropsEveryFacetOfTheRecord(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now))
		defer g.Close()

		for _, facet := range []string{"account", "contacts"} {
			fetchFacet(t, g, "001", facet)
			fetchFacet(t, g, "002", facet)
		}
		g.Invalidate(context.Background(), "001", "")
		for _, facet := range []string{"account", "contacts"} {
			fetchFacet(t, g, "001", facet)
			fetchFacet(t, g, "002", facet)
		}
		synctest.Wait()
		for key, want := range map[string]int{"001/account": 2, "001/contacts": 2, "002/account": 1, "002/contacts": 1} {
			if n := f.count(key); n != want {
				t.Errorf("%s: %d calls, want %d", key, n, want)
			}
		}
	})
}

// A call already running when the record is invalidated may carry what the
// invalidation was about: a caller after it starts a call of its own, and the
// earlier call, landing last, does not overwrite the newer answer.
func TestCallRunningAtInvalidationDoesNotFillTheCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		f := newFake(clk.Now)
		g := Wrap(f, "crm", testPolicy(), WithClock(clk.Now))
		defer g.Close()

		releaseEarly := f.hold()
		go fetch(t, g, "001")
		synctest.Wait() // the early call is at the system

		g.Invalidate(context.Background(), "001", "account")
		releaseLate := f.hold()
		late := make(chan *adapters.Facet, 1)
		go func() {
			fc, _ := fetch(t, g, "001")
			late <- fc
		}()
		synctest.Wait()
		if n := f.count("001/account"); n != 2 {
			t.Fatalf("%d calls at the system, want 2: the fetch after the invalidation joined the call before it", n)
		}
		releaseLate()
		if fc := <-late; fc == nil || version(fc) != "2" {
			t.Fatalf("the fetch after the invalidation got %v, want version 2", fc)
		}
		releaseEarly()
		synctest.Wait()

		if got := mustFetch(t, g, "001"); version(got) != "2" {
			t.Errorf("cache serves version %s, want 2: the call from before the invalidation filled it", version(got))
		}
		if n := f.count("001/account"); n != 2 {
			t.Errorf("%d calls, want 2: the newer answer was not cached", n)
		}
	})
}
