package salesforce_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

// fetchPage fetches every facet of an account at once, as a page does, and
// returns the error of each.
func fetchPage(t *testing.T, o *simOrg, id string) map[string]error {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		errs  = map[string]error{}
		start = make(chan struct{})
	)
	for _, spec := range o.adapter.Facets() {
		wg.Go(func() {
			<-start
			_, err := o.adapter.Fetch(testContext(t), adapters.FetchRequest{ID: id, Facet: spec.Name})
			mu.Lock()
			errs[spec.Name] = err
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// TestConcurrentCallsShareRenewedSessions loads a page's four facets at once
// from an org whose tokens expire after a few calls. Calls that find their
// token expired share one new token; a call whose token another call has
// already replaced sends again with the newest, asking for none; and a token
// is asked for only when the one in use has expired. So the org hands out
// exactly as many tokens as the calls it served need, and no facet fails.
func TestConcurrentCallsShareRenewedSessions(t *testing.T) {
	// How many calls a page makes, on an org whose tokens never expire.
	base := startOrg(t, orgConfig{})
	for facet, err := range fetchPage(t, base, sfsim.DemoAccountAcme) {
		if err != nil {
			t.Fatalf("%s: %v", facet, err)
		}
	}
	calls, _ := base.sim.APIUsage()
	if calls < 4 {
		t.Fatalf("a page made %d calls", calls)
	}

	for _, uses := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("%d calls a token", uses), func(t *testing.T) {
			o := startOrg(t, orgConfig{tokenUses: uses})
			for round := range 3 { // later rounds start on a token already in use
				for facet, err := range fetchPage(t, o, sfsim.DemoAccountAcme) {
					if err != nil {
						t.Errorf("round %d: %s: %v", round+1, facet, err)
					}
				}
			}
			served, _ := o.sim.APIUsage()
			if served != 3*calls {
				t.Errorf("the org served %d calls, want %d", served, 3*calls)
			}
			want := (served + uses - 1) / uses
			if got := o.sim.Calls(sfsim.EndpointToken); got != want {
				t.Errorf("%d token requests for %d calls of %d each, want %d", got, served, uses, want)
			}
		})
	}
}
