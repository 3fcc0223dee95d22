package customer

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/store"
)

// memDecisions keeps decisions in memory, newest first, one per pair.
type memDecisions struct {
	mu sync.Mutex
	ds []store.LinkDecision
}

func (m *memDecisions) LinkDecisions(_ context.Context, src, id string) ([]store.LinkDecision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.LinkDecision
	for i := len(m.ds) - 1; i >= 0; i-- {
		if d := m.ds[i]; d.AnchorSource == src && d.AnchorID == id {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memDecisions) DecideLink(_ context.Context, d store.LinkDecision) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, o := range m.ds {
		if o.AnchorSource == d.AnchorSource && o.AnchorID == d.AnchorID && o.Source == d.Source && o.RecordID == d.RecordID {
			m.ds = append(m.ds[:i], m.ds[i+1:]...)
			break
		}
	}
	m.ds = append(m.ds, d)
	return nil
}

// billingSystem is a linked source whose header exists only for known ids.
type billingSystem struct{ linkedSystem }

func (b *billingSystem) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if req.Facet == "profile" && !strings.HasPrefix(req.ID, "cus_") {
		return nil, adapters.ErrNotFound
	}
	if req.Facet != "profile" {
		select { // record which record a panel was fetched for
		case b.fetched <- req.ID:
		default:
		}
	}
	return &adapters.Facet{Source: "billing", Name: req.Facet, FetchedAt: time.Now()}, nil
}

func linksComposer(t *testing.T) (*Composer, *memDecisions) {
	primary := &fakeAdapter{fetch: func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		f := facetOf(req)
		if req.Facet == "account" {
			f.Keys = []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}
		}
		return f, nil
	}}
	billing := &billingSystem{linkedSystem{fetched: make(chan string, 100), directory: directory{records: []adapters.Match{
		billingRecord("cus_1", "Acme Inc", adapters.Key{Kind: adapters.KeyEmail, Value: "ap@acme.com"}),
		billingRecord("cus_2", "Acme Holdings", adapters.Key{Kind: adapters.KeyExternalID, Value: "crm:C1"}),
	}}}}
	mem := &memDecisions{}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: primary}, nil,
		WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: billing}), WithDecisions(mem))
	c.now = func() time.Time { return time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC) }
	return c, mem
}

func billingLink(t *testing.T, c *Composer) Panel {
	t.Helper()
	p, err := c.Panel(context.Background(), anyone, "C1", "billing", "invoices")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPeoplesLinkDecisionsWin(t *testing.T) {
	c, mem := linksComposer(t)
	admin := Viewer{Email: "dave@example.com", Roles: []string{"admin"}}
	ctx := context.Background()

	if p := billingLink(t, c); p.Link == nil || p.Link.ID != "cus_2" || p.Link.Rule != "external-id" {
		t.Fatalf("automatic link = %+v", p.Link)
	}
	if err := c.DecideLink(ctx, Viewer{Email: "alice@example.com", Roles: []string{"member"}}, "C1", "billing", "cus_2", store.DecisionSplit); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("a non-admin changed a link: %v", err)
	}
	// Split the id-linked record: the domain-linked one is next.
	if err := c.DecideLink(ctx, admin, "C1", "billing", "cus_2", store.DecisionSplit); err != nil {
		t.Fatal(err)
	}
	if p := billingLink(t, c); p.Link == nil || p.Link.ID != "cus_1" || p.Link.Rule != "domain" {
		t.Fatalf("after the split = %+v", p.Link)
	}
	// Confirm it: the provenance says who confirmed it.
	if err := c.DecideLink(ctx, admin, "C1", "billing", "cus_1", store.DecisionConfirmed); err != nil {
		t.Fatal(err)
	}
	p := billingLink(t, c)
	if p.Link == nil || p.Link.ID != "cus_1" || p.Link.Provenance() != "linked by domain = acme.com, confirmed by dave@example.com" {
		t.Fatalf("confirmed link = %+v (%s)", p.Link, p.Link.Provenance())
	}
	// A record linked by hand must exist.
	if err := c.DecideLink(ctx, admin, "C1", "billing", "nope", store.DecisionManual); !errors.Is(err, ErrBadLink) {
		t.Fatalf("linking a missing record: %v", err)
	}
	if err := c.DecideLink(ctx, admin, "C1", "billing", "cus_9", store.DecisionManual); err != nil {
		t.Fatal(err)
	}
	if p := billingLink(t, c); p.Link == nil || p.Link.ID != "cus_9" || p.Link.Provenance() != "linked by hand by dave@example.com" {
		t.Fatalf("manual link = %+v", p.Link)
	}
	for _, bad := range [][3]string{{"erp", "x", store.DecisionManual}, {"billing", "a b", store.DecisionManual}, {"billing", "cus_1", "merge"}} {
		if err := c.DecideLink(ctx, admin, "C1", bad[0], bad[1], bad[2]); !errors.Is(err, ErrBadLink) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if len(mem.ds) != 3 {
		t.Errorf("decisions stored: %+v", mem.ds)
	}
}

func TestARecordMatchingTwoCustomersIsAConflict(t *testing.T) {
	// Two CRM accounts share acme.com; the billing record found by that
	// domain cannot tell them apart.
	primary := &fakeAdapter{
		fetch: func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
			f := facetOf(req)
			if req.Facet == "account" {
				f.Keys = []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}
			}
			return f, nil
		},
		search: func(_ context.Context, q adapters.Query) ([]adapters.Match, error) {
			return []adapters.Match{
				{Source: "crm", ID: "C1", Name: "Acme", Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}},
				{Source: "crm", ID: "C2", Name: "Acme Europe", Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "www.acme.com"}}},
			}, nil
		},
	}
	billing := &billingSystem{linkedSystem{fetched: make(chan string, 10), directory: directory{records: []adapters.Match{
		billingRecord("cus_1", "Acme Inc", adapters.Key{Kind: adapters.KeyEmail, Value: "ap@acme.com"}),
	}}}}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: primary}, nil,
		WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: billing}))
	p, err := c.Panel(context.Background(), anyone, "C1", "billing", "invoices")
	if err != nil {
		t.Fatal(err)
	}
	if p.State != StateConflict || p.Link != nil || p.Problem == nil ||
		!strings.Contains(p.Problem.Message, "also matches Acme Europe, by domain = acme.com") {
		t.Fatalf("panel = %+v, problem %+v", p, p.Problem)
	}
	if len(billing.fetched) != 0 {
		t.Errorf("the conflicting record was fetched for its panel: %s", <-billing.fetched)
	}
}

// countingSearch counts the searches a linked system gets.
type countingSearch struct {
	*billingSystem
	mu sync.Mutex
	n  int
}

func (c *countingSearch) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.billingSystem.Search(ctx, q)
}

func (c *countingSearch) searches() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func TestResolutionsAreReusedUntilADecision(t *testing.T) {
	var headers atomic.Int32 // fetches of the primary's header, for the anchor's keys
	primary := &fakeAdapter{fetch: func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		f := facetOf(req)
		if req.Facet == "account" {
			headers.Add(1)
			f.Keys = []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}
		}
		return f, nil
	}}
	billing := &countingSearch{billingSystem: &billingSystem{linkedSystem{fetched: make(chan string, 100), directory: directory{records: []adapters.Match{
		billingRecord("cus_1", "Acme Inc", adapters.Key{Kind: adapters.KeyEmail, Value: "ap@acme.com"}),
	}}}}}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: primary}, nil,
		WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: billing}), WithDecisions(&memDecisions{}))
	ctx := context.Background()
	first, _ := c.Panel(ctx, anyone, "C1", "billing", "invoices")
	n, h := billing.searches(), headers.Load()
	second, _ := c.Panel(ctx, anyone, "C1", "billing", "invoices")
	if n == 0 || billing.searches() != n || first.Link == nil || second.Link == nil || second.Link.ID != first.Link.ID {
		t.Fatalf("a second view searched again (%d then %d searches) or lost the link", n, billing.searches())
	}
	if h != 1 || headers.Load() != h {
		t.Errorf("the primary's header was fetched %d times, then %d: want once, and not again for a cached link", h, headers.Load()-h)
	}
	if err := c.DecideLink(ctx, Viewer{Email: "dave@example.com", Roles: []string{"admin"}}, "C1", "billing", "cus_1", store.DecisionSplit); err != nil {
		t.Fatal(err)
	}
	after := billing.searches()
	if p, _ := c.Panel(ctx, anyone, "C1", "billing", "invoices"); p.Link != nil || billing.searches() == after {
		t.Fatalf("after a split the cached link was served: %+v (searches %d → %d)", p.Link, after, billing.searches())
	}
}
