package customer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/store"
)

// checkedAdapter is a fake whose ids are letters, case-insensitive, canonical
// in upper case; it records the ids it is asked to fetch.
type checkedAdapter struct {
	fakeAdapter
	mu      sync.Mutex
	fetched []string
}

var _ adapters.IDChecker = (*checkedAdapter)(nil)

func (a *checkedAdapter) CanonicalID(id string) (string, error) {
	if id == "" || strings.Trim(strings.ToUpper(id), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", adapters.ErrNotFound
	}
	return strings.ToUpper(id), nil
}

func (a *checkedAdapter) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	a.mu.Lock()
	a.fetched = append(a.fetched, req.ID)
	a.mu.Unlock()
	return a.fakeAdapter.Fetch(ctx, req)
}

func (a *checkedAdapter) fetchedIDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.fetched)
}

// searchedSystem is a linked system that records the texts it is searched for.
type searchedSystem struct {
	linkedSystem
	mu    sync.Mutex
	texts []string
}

func (s *searchedSystem) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	s.mu.Lock()
	s.texts = append(s.texts, q.Text)
	s.mu.Unlock()
	return s.linkedSystem.Search(ctx, q)
}

func (s *searchedSystem) asked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.texts)
}

// askedDecisions keeps decisions in memory and records the customers they
// are read for.
type askedDecisions struct {
	memDecisions
	ask []string
}

func (m *askedDecisions) LinkDecisions(ctx context.Context, src, id string) ([]store.LinkDecision, error) {
	m.mu.Lock()
	m.ask = append(m.ask, id)
	m.mu.Unlock()
	return m.memDecisions.LinkDecisions(ctx, src, id)
}

// An id the primary's adapter refuses is a customer that does not exist, for
// every way in: the page, one panel, the timeline and a link decision, each
// before any call to any system.
func TestMalformedIDIsNotFoundBeforeAnyCall(t *testing.T) {
	primary := &checkedAdapter{fakeAdapter: fakeAdapter{fetch: failing("none", nil)}}
	billing := &searchedSystem{linkedSystem: linkedSystem{fetched: make(chan string, 4)}}
	decisions := &askedDecisions{}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: primary}, nil,
		WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: billing}), WithDecisions(decisions))
	ctx := context.Background()
	for _, id := range []string{"acme-1", "42", ""} {
		if s, err := c.Stream(ctx, anyone, id, time.Second); !errors.Is(err, ErrNotFound) || s != nil {
			t.Errorf("Stream(%q) = %+v, %v; want ErrNotFound", id, s, err)
		}
		if _, err := c.Panel(ctx, anyone, id, "crm", "contacts"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Panel(%q, crm) = %v; want ErrNotFound", id, err)
		}
		if _, err := c.Panel(ctx, anyone, id, "billing", "invoices"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Panel(%q, billing) = %v; want ErrNotFound", id, err)
		}
		if _, err := c.Timeline(ctx, anyone, id, TimelineFilter{}, time.Second); !errors.Is(err, ErrNotFound) {
			t.Errorf("Timeline(%q) = %v; want ErrNotFound", id, err)
		}
		if err := c.DecideLink(ctx, Viewer{Email: "admin", Roles: []string{"admin"}}, id, "billing", "cus_1", store.DecisionManual); !errors.Is(err, ErrNotFound) {
			t.Errorf("DecideLink(%q) = %v; want ErrNotFound", id, err)
		}
	}
	if got := primary.fetchedIDs(); len(got) != 0 {
		t.Errorf("the primary was asked for %v", got)
	}
	if len(billing.fetched) != 0 || len(billing.asked()) != 0 || len(decisions.ask) != 0 || len(decisions.ds) != 0 {
		t.Errorf("billing fetched %d and searched %v; decisions read for %v, made %v",
			len(billing.fetched), billing.asked(), decisions.ask, decisions.ds)
	}
}

// The canonical form of an id is what every fetch, link decision and the
// page's own id use, however the id was written.
func TestCanonicalIDThroughout(t *testing.T) {
	primary := &checkedAdapter{fakeAdapter: fakeAdapter{fetch: failing("none", nil)}}
	decisions := &askedDecisions{}
	billing := &linkedSystem{fetched: make(chan string, 8), directory: directory{records: []adapters.Match{
		billingRecord("cus_1", "Acme Inc", adapters.Key{Kind: adapters.KeyEmail, Value: "ap@acme.com"}),
	}}}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: primary}, nil,
		WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: billing}), WithDecisions(decisions))
	ctx := context.Background()

	if id, err := c.CustomerID("acme"); err != nil || id != "ACME" {
		t.Fatalf("CustomerID(acme) = %q, %v", id, err)
	}
	s, err := c.Stream(ctx, anyone, "aCmE", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for range s.Panels {
	}
	if s.ID != "ACME" {
		t.Errorf("stream id %q, want ACME", s.ID)
	}
	if _, err := c.Panel(ctx, anyone, "acme", "crm", "contacts"); err != nil {
		t.Fatal(err)
	}
	if err := c.DecideLink(ctx, Viewer{Email: "admin", Roles: []string{"admin"}}, "acme", "billing", "cus_1", store.DecisionSplit); err != nil {
		t.Fatal(err)
	}
	for _, id := range primary.fetchedIDs() {
		if id != "ACME" {
			t.Errorf("the primary was asked for %q", id)
		}
	}
	for _, id := range decisions.ask {
		if id != "ACME" {
			t.Errorf("decisions were read for %q", id)
		}
	}
	if len(decisions.ds) != 1 || decisions.ds[0].AnchorID != "ACME" {
		t.Errorf("decisions made: %+v", decisions.ds)
	}
}

// checkedLinked is a linked system whose record ids are checked like
// checkedAdapter's.
type checkedLinked struct{ linkedSystem }

func (checkedLinked) CanonicalID(id string) (string, error) {
	return (&checkedAdapter{}).CanonicalID(id)
}

// A record an admin names is kept by its canonical id, so that a split or a
// link holds however the id was typed; one the linked system's check refuses
// is no record.
func TestDecisionsKeepCanonicalRecordIDs(t *testing.T) {
	decisions := &askedDecisions{}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: &fakeAdapter{fetch: failing("none", nil)}}, nil,
		WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: &checkedLinked{linkedSystem{fetched: make(chan string, 4)}}}),
		WithDecisions(decisions))
	admin := Viewer{Email: "admin", Roles: []string{"admin"}}
	if err := c.DecideLink(context.Background(), admin, "C1", "billing", "cusOne", store.DecisionSplit); err != nil {
		t.Fatal(err)
	}
	if len(decisions.ds) != 1 || decisions.ds[0].RecordID != "CUSONE" {
		t.Errorf("decisions: %+v, want one about CUSONE", decisions.ds)
	}
	if err := c.DecideLink(context.Background(), admin, "C1", "billing", "cus-1", store.DecisionSplit); !errors.Is(err, ErrBadLink) {
		t.Errorf("a record id the system refuses: %v, want ErrBadLink", err)
	}
}
