package present

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// A kept fragment is reused for every panel with its key, so two panels
// with one key must render the same bytes, whatever differs between them:
// the time they are shown at, staleness, how the record is linked, the
// viewer. And the key must not change while the bytes do not, or nothing
// is ever reused.
func TestPanelsWithOneFragmentKeyRenderTheSame(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 14, 0, 0, 0, time.Local)
	spec := adapters.FacetSpec{Name: "invoices", Title: "Invoices"}
	facet := &adapters.Facet{Source: "billing", Name: "invoices", FetchedAt: t0, Version: "v1",
		Tables: []adapters.Table{{Columns: []adapters.Column{{Title: "Number"}}, Total: 1,
			Rows: []adapters.Row{{Cells: []adapters.Value{adapters.Text("INV-1")}}}}}}
	stale := *facet
	stale.Stale = true
	byDomain := &customer.Link{Source: "billing", ID: "cus_7", Rule: "domain", Value: "globex.example"}
	confirmed := *byDomain
	confirmed.Decision, confirmed.DecidedBy = "confirmed", "dave@example.com"
	panel := func(f *adapters.Facet, l *customer.Link) customer.Panel {
		return customer.Panel{Source: "billing", SourceTitle: "Billing", Spec: spec, State: customer.StateOK, Facet: f, Link: l}
	}
	timeline := customer.TimelinePanel(customer.Timeline{Total: 0, Sources: map[string]string{}})
	timeline.Version = "t1"

	type shown struct {
		name   string
		p      customer.Panel
		at     time.Duration // after t0
		viewer string
	}
	var all []shown
	for _, p := range []struct {
		name string
		p    customer.Panel
	}{
		{"fresh", panel(facet, byDomain)}, {"stale", panel(&stale, byDomain)},
		{"confirmed", panel(facet, &confirmed)}, {"primary", panel(facet, nil)}, {"timeline", timeline},
	} {
		for _, at := range []time.Duration{10 * time.Second, 40 * time.Second, 80 * time.Second, 3 * time.Minute, 25 * time.Hour} {
			for _, v := range []string{"", "admin"} {
				all = append(all, shown{p.name, p.p, at, v})
			}
		}
	}
	render := func(s shown) string {
		var b bytes.Buffer
		if err := components.PanelCard(Panel("C1", s.p, t0.Add(s.at))).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	seen := map[components.FragmentKey]shown{}
	for _, s := range all {
		k, ok := fragmentKey("C1", s.p, t0.Add(s.at), s.viewer)
		if !ok {
			t.Fatalf("%s at %v has no key", s.name, s.at)
		}
		if first, dup := seen[k]; dup {
			if render(first) != render(s) {
				t.Errorf("%s at %v and %s at %v share a key but render differently:\n%s\n%s", first.name, first.at, s.name, s.at, render(first), render(s))
			}
			continue
		}
		seen[k] = s
	}
	// "1 min ago" at 40 s and at 80 s: one fragment.
	k40, _ := fragmentKey("C1", panel(facet, byDomain), t0.Add(40*time.Second), "")
	k80, _ := fragmentKey("C1", panel(facet, byDomain), t0.Add(80*time.Second), "")
	if k40 != k80 {
		t.Errorf("the same panel a few seconds later has another key: %+v, %+v", k40, k80)
	}

	// A panel without a version, or with a problem, is rendered every time.
	unversioned := *facet
	unversioned.Version = ""
	failed := customer.Panel{Source: "billing", SourceTitle: "Billing", Spec: spec, State: customer.StateError,
		Problem: &customer.Problem{Cause: customer.CauseBreakerOpen, Source: "Billing", RetryAt: t0.Add(time.Minute), Retry: true}}
	for name, p := range map[string]customer.Panel{"unversioned": panel(&unversioned, nil), "failed": failed,
		"unversioned timeline": customer.TimelinePanel(customer.Timeline{})} {
		if _, ok := fragmentKey("C1", p, t0, ""); ok {
			t.Errorf("the %s panel has a key", name)
		}
	}
}
