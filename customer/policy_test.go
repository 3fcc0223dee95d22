package customer

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/policy"
)

// TestForbiddenSourceIsNeverCalled: a viewer whose roles do not allow a
// linked system gets its panels as forbidden, and the system is asked
// nothing on their behalf: no fetch, no search to resolve the record, no
// search for the search page.
func TestForbiddenSourceIsNeverCalled(t *testing.T) {
	var calls atomic.Int64
	billing := &fakeAdapter{
		fetch: func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
			calls.Add(1)
			return facetOf(req), nil
		},
		search: func(context.Context, adapters.Query) ([]adapters.Match, error) {
			calls.Add(1)
			return []adapters.Match{{Source: "billing", ID: "cus_1", Name: "Acme"}}, nil
		},
	}
	crm := &fakeAdapter{fetch: func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) { return facetOf(req), nil },
		search: func(context.Context, adapters.Query) ([]adapters.Match, error) {
			return []adapters.Match{{Source: "crm", ID: "C1", Name: "Acme"}}, nil
		}}
	rules := &policy.Rules{Roles: map[string][]string{"sales": {"sales"}, "finance": {"finance"}},
		Sources: map[string][]string{"billing": {"finance"}}}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Adapter: crm}, slog.New(slog.DiscardHandler),
		WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: billing}), WithPolicy(rules))
	sales := rules.Viewer("u1", "alice@example.com", "Alice", []string{"sales"})

	s, err := c.Stream(t.Context(), sales, "C1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := 0
	for p := range s.Panels {
		if p.Source == "billing" {
			if p.State != StateForbidden || p.Problem == nil || p.Problem.Message == "" {
				t.Errorf("billing panel %s: state %v, problem %+v; want forbidden with words", p.Spec.Name, p.State, p.Problem)
			}
			forbidden++
		}
	}
	if forbidden == 0 {
		t.Error("no billing panel said it is forbidden")
	}
	if _, err := c.Panel(t.Context(), sales, "C1", "billing", "contacts"); err != nil {
		t.Fatal(err)
	}
	if res := c.Search(t.Context(), sales, "Acme", 10); len(res.Hits) != 1 || len(res.Searched) != 1 {
		t.Errorf("search: %d hits in %v, want 1 in CRM alone", len(res.Hits), res.Searched)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("billing was called %d times for a viewer who may not see it", n)
	}

	// The same page for finance calls it: the counter counts.
	finance := rules.Viewer("u2", "carol@example.com", "Carol", []string{"finance"})
	s, err = c.Stream(t.Context(), finance, "C1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for range s.Panels {
	}
	if calls.Load() == 0 {
		t.Error("billing was not called for finance")
	}

	nobody := rules.Viewer("u3", "erin@example.com", "Erin", nil)
	if _, err := c.Stream(t.Context(), nobody, "C1", time.Minute); err != ErrForbidden {
		t.Errorf("a viewer without a role: err %v, want ErrForbidden", err)
	}
}
