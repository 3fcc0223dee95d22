package customer

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/atrium-dev/atrium/adapters"
)

func TestStreamDeliversPanelsInCompletionOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	release := make(chan struct{})
	fetch := func(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		if req.Facet == "contacts" {
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return facetOf(req), nil
	}
	c, _ := newTestComposer(&fakeAdapter{fetch: fetch}, 5*time.Second)
	s, err := c.Stream(context.Background(), anyone, "C1", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if s.Header.State != StateOK || len(s.Slots) != 4 || s.Slots[0].Spec.Name != "summary" || s.Slots[1].Spec.Name != "contacts" ||
		s.Slots[2].Spec.Name != "cases" || s.Slots[3].Spec.Name != "timeline" {
		t.Fatalf("header %v, slots %+v", s.Header.State, s.Slots)
	}
	if first := <-s.Panels; first.Spec.Name != "cases" {
		t.Fatalf("first panel = %s, want the one that was not held back", first.Spec.Name)
	}
	close(release)
	if second := <-s.Panels; second.Spec.Name != "contacts" || second.State != StateOK {
		t.Fatalf("second panel = %s (%v)", second.Spec.Name, second.State)
	}
	if sum := <-s.Panels; sum.Summary == nil {
		t.Fatalf("the panel after the last source is %s, want the summary", sum.Spec.Name)
	}
	if last := <-s.Panels; last.Timeline == nil {
		t.Fatalf("the last panel is %s, want the merged timeline", last.Spec.Name)
	}
	if _, open := <-s.Panels; open {
		t.Fatal("the channel stays open after every panel arrived")
	}
}

func TestStreamMarksPanelsLateAtTheBudget(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	fetch := func(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		if req.Facet == "contacts" {
			<-ctx.Done() // never answers
			return nil, ctx.Err()
		}
		return facetOf(req), nil
	}
	c, _ := newTestComposer(&fakeAdapter{fetch: fetch}, time.Minute)
	start := time.Now()
	s, err := c.Stream(ctx, anyone, "C1", 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	var late []Panel
	for p := range s.Panels {
		if p.State == StateLate {
			late = append(late, p)
		}
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the stream ended after %v with a 100ms budget", elapsed)
	}
	if len(late) != 1 || late[0].Spec.Name != "contacts" || late[0].Problem == nil || !late[0].Problem.Retry {
		t.Fatalf("late panels: %+v", late)
	}
	cancel() // the browser went away: the held fetch must end, leaving no goroutine
}

func TestStreamOfAnUnknownCustomer(t *testing.T) {
	for _, notFound := range []error{adapters.ErrNotFound, fmt.Errorf("crm: fetch account: %w", adapters.ErrNotFound)} {
		c, _ := newTestComposer(&fakeAdapter{fetch: failing("account", notFound)}, time.Second)
		if s, err := c.Stream(context.Background(), anyone, "nope", time.Second); !errors.Is(err, ErrNotFound) || s != nil {
			t.Fatalf("adapter error %v: Stream = %+v, %v; want no page and an error matching ErrNotFound", notFound, s, err)
		}
	}
}

func TestPanelAlone(t *testing.T) {
	c, _ := newTestComposer(&fakeAdapter{fetch: failing("none", nil)}, time.Second)
	p, err := c.Panel(context.Background(), anyone, "C1", "crm", "contacts")
	if err != nil || p.State != StateOK || p.Facet.Name != "contacts" {
		t.Fatalf("panel: %+v, %v", p, err)
	}
	for _, bad := range [][2]string{{"crm", "account"}, {"crm", "nope"}, {"other", "contacts"}} {
		if _, err := c.Panel(context.Background(), anyone, "C1", bad[0], bad[1]); !errors.Is(err, ErrNoSuchPanel) {
			t.Errorf("%v: err = %v", bad, err)
		}
	}
}

// linkedSystem is a fake linked source: searchable records, and facets that
// echo the record id they were fetched for.
type linkedSystem struct {
	directory
	fetched chan string
}

func (l *linkedSystem) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "profile", Title: "Profile", Header: true}, {Name: "invoices", Title: "Invoices"}}
}

func (l *linkedSystem) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	l.fetched <- req.ID
	return &adapters.Facet{Source: "x", Name: req.Facet, FetchedAt: time.Now()}, nil
}

func TestStreamLinksOtherSources(t *testing.T) {
	defer goleak.VerifyNone(t)
	primary := &fakeAdapter{fetch: func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		f := facetOf(req)
		if req.Facet == "account" {
			f.Keys = []adapters.Key{{Kind: adapters.KeyDomain, Value: "https://www.acme.com"}}
		}
		return f, nil
	}}
	billing := &linkedSystem{fetched: make(chan string, 4), directory: directory{records: []adapters.Match{
		billingRecord("cus_1", "Acme Inc", adapters.Key{Kind: adapters.KeyEmail, Value: "ap@acme.com"}),
	}}}
	erp := &linkedSystem{fetched: make(chan string, 4)}
	desk := &linkedSystem{fetched: make(chan string, 4), directory: directory{records: []adapters.Match{
		{Source: "desk", ID: "org-1", Name: "Acme A", Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}},
		{Source: "desk", ID: "org-2", Name: "Acme B", Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}},
	}}}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: primary}, nil,
		WithLinkedSources(
			Source{Name: "billing", Title: "Billing", Adapter: billing},
			Source{Name: "erp", Title: "ERP", Adapter: erp},
			Source{Name: "desk", Title: "Support desk", Adapter: desk},
		))
	s, err := c.Stream(context.Background(), anyone, "C1", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Slots) != 7 { // summary, contacts, cases, one invoices slot per linked source, the timeline
		t.Fatalf("slots = %d: %+v", len(s.Slots), s.Slots)
	}
	got := map[string]Panel{}
	for p := range s.Panels {
		got[p.Source+"/"+p.Spec.Name] = p
	}
	b := got["billing/invoices"]
	if b.State != StateOK || b.Link == nil || b.Link.ID != "cus_1" || b.Link.Rule != "domain" || b.Link.Value != "acme.com" {
		t.Fatalf("billing panel = %+v (link %+v)", b, b.Link)
	}
	if id := <-billing.fetched; id != "cus_1" {
		t.Errorf("billing was fetched for %q, want its own record id", id)
	}
	if e := got["erp/invoices"]; e.State != StateNotLinked || e.Problem == nil || e.Problem.Message != "Not linked in ERP." {
		t.Errorf("erp panel = %+v", e)
	}
	if d := got["desk/invoices"]; d.State != StateConflict || len(d.Candidates) != 2 {
		t.Errorf("desk panel = %+v", d)
	}
	if len(erp.fetched) != 0 || len(desk.fetched) != 0 {
		t.Error("an unlinked or conflicting source was fetched")
	}
}
