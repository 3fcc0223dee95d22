package customer

import (
	"fmt"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

func TestBuildTimelineMergesFiltersAndPages(t *testing.T) {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	events := func(kind string, n int, offset time.Duration) []adapters.Event {
		var out []adapters.Event
		for i := range n {
			out = append(out, adapters.Event{At: base.Add(offset + time.Duration(i)*48*time.Hour), Kind: kind, Title: fmt.Sprintf("%s %d", kind, i)})
		}
		return out
	}
	panels := []Panel{
		{Source: "crm", SourceTitle: "CRM", State: StateOK, Facet: &adapters.Facet{Events: events("case", 20, 0)}},
		{Source: "billing", SourceTitle: "Billing", State: StateOK, Facet: &adapters.Facet{Events: events("invoice", 12, time.Hour)}},
		{Source: "desk", SourceTitle: "Desk", State: StateError, Problem: &Problem{Cause: CauseUnreachable, Source: "Desk", Retry: true}},
		{Source: "desk", SourceTitle: "Desk", State: StateError, Problem: &Problem{Cause: CauseUnreachable, Source: "Desk", Retry: true}},
		{Source: "erp", SourceTitle: "ERP", State: StateNotLinked},
	}
	tl := BuildTimeline(panels, TimelineFilter{})
	if tl.Total != 32 || tl.Pages != 2 || len(tl.Items) != TimelinePerPage {
		t.Fatalf("total %d pages %d items %d", tl.Total, tl.Pages, len(tl.Items))
	}
	for i := 1; i < len(tl.Items); i++ {
		if tl.Items[i].At.After(tl.Items[i-1].At) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	if tl.Items[0].Title != "case 19" || tl.Items[0].SourceTitle != "CRM" {
		t.Errorf("newest = %+v", tl.Items[0])
	}
	// One entry per system and cause; a source with no record is not missing data.
	if len(tl.Incomplete) != 1 || tl.Incomplete[0].Title != "Desk" || tl.Incomplete[0].Problem.Cause != CauseUnreachable {
		t.Errorf("incomplete = %+v, want Desk, unreachable", tl.Incomplete)
	}
	if len(tl.Kinds) != 2 || tl.Sources["billing"] != "Billing" {
		t.Errorf("filters offered: %v %v", tl.Kinds, tl.Sources)
	}
	p2 := BuildTimeline(panels, TimelineFilter{Page: 2})
	if len(p2.Items) != 7 || p2.Items[0].At.After(tl.Items[len(tl.Items)-1].At) {
		t.Errorf("page 2: %d items", len(p2.Items))
	}
	inv := BuildTimeline(panels, TimelineFilter{Source: "billing"})
	if inv.Total != 12 || inv.Items[0].Kind != "invoice" {
		t.Errorf("billing only: %d", inv.Total)
	}
	cases := BuildTimeline(panels, TimelineFilter{Kind: "case", Page: 99})
	if cases.Total != 20 || cases.Filter.Page != 1 {
		t.Errorf("kind filter: total %d page %d", cases.Total, cases.Filter.Page)
	}
}
