package present

import (
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/customer"
)

func TestRetryTimesHaveSeconds(t *testing.T) {
	at := time.Date(2026, 11, 26, 14, 5, 30, 0, time.Local)
	msg, _ := words(&customer.Problem{Cause: customer.CauseBreakerOpen, Source: "Billing", RetryAt: at})
	if msg != "Billing is unavailable, retrying at 14:05:30." {
		t.Errorf("message = %q", msg)
	}
}

// A panel that will not stay true asks for itself again, once: a stale one
// when its background refresh has landed, one whose breaker is open just after
// the retry time it names.
func TestPanelsThatGoOutOfDateAskForThemselvesAgain(t *testing.T) {
	now := time.Date(2026, 11, 26, 14, 4, 0, 0, time.Local)
	spec := adapters.FacetSpec{Name: "contacts", Title: "Contacts"}
	stale := customer.Panel{Source: "crm", SourceTitle: "CRM", Spec: spec, State: customer.StateOK,
		Facet: &adapters.Facet{FetchedAt: now.Add(-3 * time.Minute), Stale: true}}
	open := customer.Panel{Source: "crm", SourceTitle: "CRM", Spec: spec, State: customer.StateError,
		Problem: &customer.Problem{Cause: customer.CauseBreakerOpen, Source: "CRM", RetryAt: now.Add(90 * time.Second), Retry: true}}
	fresh := customer.Panel{Source: "crm", SourceTitle: "CRM", Spec: spec, State: customer.StateOK,
		Facet: &adapters.Facet{FetchedAt: now.Add(-70 * time.Second)}}
	for _, tc := range []struct {
		name         string
		p            customer.Panel
		refresh, dly string
	}{
		{"stale", stale, "/customers/C1/panels/crm/contacts?refreshed=1", "5s"},
		{"breaker open", open, "/customers/C1/panels/crm/contacts?refreshed=1", "91s"},
		{"fresh", fresh, "", ""},
	} {
		m := Panel("C1", tc.p, now)
		if m.Refresh != tc.refresh || m.RefreshDelay != tc.dly {
			t.Errorf("%s: refresh %q after %q, want %q after %q", tc.name, m.Refresh, m.RefreshDelay, tc.refresh, tc.dly)
		}
	}
	if m := Panel("C1", fresh, now); m.Source.FetchedAgo != "1 min ago" {
		t.Errorf("70 s ago = %q", m.Source.FetchedAgo)
	}
}
