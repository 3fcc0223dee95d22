package customer

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/bus"
	"github.com/atrium-dev/atrium/store"
)

// keeping is a linked billing system whose adapter keeps copies (as a
// guarded one does): it records searches, fetches and invalidations in the
// order they came.
type keeping struct {
	directory
	mu  sync.Mutex
	log []string
}

func (k *keeping) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "profile", Title: "Profile", Header: true}, {Name: "invoices", Title: "Invoices"}}
}

func (k *keeping) note(s string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.log = append(k.log, s)
}

func (k *keeping) calls() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.log)
}

func (k *keeping) count(s string) int {
	n := 0
	for _, c := range k.calls() {
		if c == s {
			n++
		}
	}
	return n
}

func (k *keeping) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	k.note("search")
	return k.directory.Search(ctx, q)
}

func (k *keeping) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	k.note("fetch " + req.ID + "/" + req.Facet)
	return &adapters.Facet{Source: "billing", Name: req.Facet, FetchedAt: time.Now()}, nil
}

func (k *keeping) Invalidate(_ context.Context, id, facet string) {
	k.note("invalidate " + id + "/" + facet)
}

// instanceComposer is one instance's composer over the shared decisions and
// systems.
func instanceComposer(decisions Decisions, billing, crm adapters.Adapter, opts ...Option) *Composer {
	opts = append([]Option{WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: billing}), WithDecisions(decisions)}, opts...)
	return NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: crm}, nil, opts...)
}

func acmeCRM() *fakeAdapter {
	return &fakeAdapter{fetch: func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		f := facetOf(req)
		if req.Facet == "account" {
			f.Keys = []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}
		}
		return f, nil
	}}
}

func acmeBilling() *keeping {
	return &keeping{directory: directory{records: []adapters.Match{
		billingRecord("cus_1", "Acme Inc", adapters.Key{Kind: adapters.KeyEmail, Value: "ap@acme.com"}),
		billingRecord("cus_2", "Acme Holdings", adapters.Key{Kind: adapters.KeyExternalID, Value: "crm:C1"}),
	}}}
}

func linkedRecord(t *testing.T, c *Composer) string {
	t.Helper()
	p, err := c.Panel(context.Background(), anyone, "C1", "billing", "invoices")
	if err != nil {
		t.Fatal(err)
	}
	if p.Link == nil {
		return ""
	}
	return p.Link.ID
}

// Two instances on one store: a split decided on B shows on A's next view,
// although A reused its resolution of a moment ago.
func TestLinkDecidedOnOneInstanceShowsOnTheOther(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		busA := bus.NewLocal()
		defer busA.Close()
		busB := busA.Join()
		defer busB.Close()
		decisions, billing, crm := &memDecisions{}, acmeBilling(), acmeCRM()
		a := instanceComposer(decisions, billing, crm, WithBus(busA))
		b := instanceComposer(decisions, billing, crm, WithBus(busB))

		if got := linkedRecord(t, a); got != "cus_2" {
			t.Fatalf("A links %q, want cus_2 by its external id", got)
		}
		if err := b.DecideLink(context.Background(), Viewer{Email: "dave@example.com", Roles: []string{"admin"}}, "C1", "billing", "cus_2", store.DecisionSplit); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // A has read the bus
		if got := linkedRecord(t, a); got != "cus_1" {
			t.Errorf("A links %q after the split on B, want cus_1: A reused the resolution from before the decision", got)
		}
	})
}

func TestResyncResolvesEveryCustomerAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		msgs := make(chan bus.Message, 1)
		billing := acmeBilling()
		c := instanceComposer(&memDecisions{}, billing, acmeCRM(), WithBus(subscribed(msgs)))
		defer close(msgs)

		linkedRecord(t, c)
		linkedRecord(t, c)
		searches := billing.count("search")
		msgs <- bus.Message{Kind: bus.Resync}
		synctest.Wait()
		linkedRecord(t, c)
		if n := billing.count("search"); n <= searches {
			t.Errorf("no search after Resync (%d before, %d after): the reused resolution survived", searches, n)
		}
	})
}

// subscribed is a bus that delivers msgs and drops what is published.
type subscribed chan bus.Message

func (s subscribed) Publish(context.Context, bus.Message) error { return nil }
func (s subscribed) Subscribe(...bus.Kind) (<-chan bus.Message, func()) {
	return s, func() {}
}

func TestLinkDecisionIsPublishedAndRefreshesTheRecord(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		local := bus.NewLocal()
		defer local.Close()
		other := local.Join()
		defer other.Close()
		heard, cancel := other.Subscribe(bus.LinkDecided)
		defer cancel()
		billing := acmeBilling()
		c := instanceComposer(&memDecisions{}, billing, acmeCRM(), WithBus(local))

		if err := c.DecideLink(context.Background(), Viewer{Email: "dave@example.com", Roles: []string{"admin"}}, "C1", "billing", "cus_9", store.DecisionManual); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		select {
		case m := <-heard:
			if m.Kind != bus.LinkDecided || m.Customer != "C1" || m.Source != "billing" {
				t.Errorf("published %+v, want a link decided about C1 and billing", m)
			}
		default:
			t.Error("the decision was not published")
		}
		if n := billing.count("invalidate cus_9/"); n != 1 {
			t.Errorf("the linked record's facets were invalidated %d times, want once: %v", n, billing.calls())
		}
	})
}

func TestRefreshPanelDropsWhatIsKeptBeforeFetching(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		billing := acmeBilling()
		c := instanceComposer(&memDecisions{}, billing, acmeCRM())
		ctx := context.Background()

		if _, err := c.Panel(ctx, anyone, "C1", "billing", "invoices"); err != nil {
			t.Fatal(err)
		}
		searches := billing.count("search")
		before := len(billing.calls())
		p, err := c.RefreshPanel(ctx, anyone, "C1", "billing", "invoices")
		if err != nil || p.Link == nil || p.Link.ID != "cus_2" || p.State != StateOK {
			t.Fatalf("refreshed panel = %+v, %v", p, err)
		}
		after := billing.calls()[before:]
		i, j := slices.Index(after, "invalidate cus_2/invoices"), slices.Index(after, "fetch cus_2/invoices")
		if i < 0 || j < i {
			t.Errorf("calls on refresh = %v, want the record's facet invalidated, then fetched", after)
		}
		if billing.count("search") <= searches {
			t.Error("the refresh reused the resolution: a link may have changed since")
		}
		if _, err := c.RefreshPanel(ctx, anyone, "C1", "billing", "nope"); err != ErrNoSuchPanel {
			t.Errorf("refresh of an unknown facet: %v, want ErrNoSuchPanel", err)
		}
	})
}

func TestRefreshPanelOfThePrimary(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	crm := &invalidatingCRM{fakeAdapter: acmeCRM(), note: func(s string) { mu.Lock(); calls = append(calls, s); mu.Unlock() }}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: crm}, nil)
	p, err := c.RefreshPanel(context.Background(), anyone, "C1", "crm", "contacts")
	if err != nil || p.State != StateOK {
		t.Fatalf("refreshed panel = %+v, %v", p, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(calls, []string{"invalidate C1/contacts", "fetch C1/contacts"}) {
		t.Errorf("calls = %v, want the facet invalidated, then fetched", calls)
	}
}

type invalidatingCRM struct {
	*fakeAdapter
	note func(string)
}

func (a *invalidatingCRM) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	a.note("fetch " + req.ID + "/" + req.Facet)
	return a.fakeAdapter.Fetch(ctx, req)
}

func (a *invalidatingCRM) Invalidate(_ context.Context, id, facet string) {
	a.note("invalidate " + id + "/" + facet)
}
