package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/customer"
)

// crowdedCRM holds sixty customers named Acme, and answers at most the limit
// asked for.
type crowdedCRM struct{ fakeCRM }

func (crowdedCRM) Search(_ context.Context, q adapters.Query) ([]adapters.Match, error) {
	var out []adapters.Match
	for i := range 60 {
		name := fmt.Sprintf("Acme %02d", i)
		if !strings.Contains(strings.ToLower(name), strings.ToLower(q.Text)) {
			continue
		}
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
		out = append(out, adapters.Match{Source: "crm", ID: fmt.Sprintf("C%02d", i), Name: name})
	}
	return out, nil
}

// erp is a linked system holding a customer no CRM account is linked to; its
// records have no address of their own.
type erp struct{}

func (erp) Search(_ context.Context, q adapters.Query) ([]adapters.Match, error) {
	if strings.Contains("initrode", strings.ToLower(q.Text)) {
		return []adapters.Match{{Source: "erp", ID: "E1", Name: "Initrode", City: "Ogdenville"}}, nil
	}
	return nil, nil
}
func (erp) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "company", Title: "ERP", Header: true}, {Name: "orders", Title: "Orders"}}
}
func (erp) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if req.ID != "E1" {
		return nil, adapters.ErrNotFound
	}
	return &adapters.Facet{Source: "erp", Name: req.Facet, FetchedAt: time.Now(),
		Fields: map[string]adapters.Value{adapters.FieldName: adapters.Text("Initrode"), adapters.FieldCity: adapters.Text("Ogdenville")}}, nil
}
func (erp) Check(context.Context) adapters.Health { return adapters.Health{OK: true} }

func TestSearchSaysWhenCutOffAndOpensRecordsFoundElsewhere(t *testing.T) {
	p := startComposed(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: crowdedCRM{}}, 0,
		customer.WithLinkedSources(customer.Source{Name: "erp", Title: "ERP", Timeout: 5 * time.Second, Adapter: erp{}}))
	p.login(t, "/", "alice", "demo-alice")

	_, body := p.get(t, p.url+"/search?q=acme", "HX-Request", "true")
	if n := strings.Count(body, `class="result"`); n != 50 || !strings.Contains(body, "Showing 50 of more than 50 — refine the search.") {
		t.Fatalf("%d results, and no word that there are more:\n%s", n, body)
	}
	_, body = p.get(t, p.url+"/search?q=acme%2001", "HX-Request", "true")
	if strings.Contains(body, "more than") {
		t.Errorf("a search showing every customer says there are more:\n%s", body)
	}

	_, body = p.get(t, p.url+"/search?q=initrode", "HX-Request", "true")
	if !strings.Contains(body, `href="/records/erp/E1"`) || !strings.Contains(body, "Not linked to a CRM customer yet") {
		t.Fatalf("a hit found only in the ERP opens nothing:\n%s", body)
	}
	resp, body := p.get(t, p.url+"/records/erp/E1")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Initrode") || !strings.Contains(body, "Not linked to a CRM customer yet; an admin can link it") ||
		!strings.Contains(body, `href="/search?q=Initrode"`) {
		t.Fatalf("record page: %d\n%s", resp.StatusCode, body)
	}
	for _, u := range []string{"/records/erp/E2", "/records/ledger/E1", "/records/erp/bad%20id"} {
		if resp, _ := p.get(t, p.url+u); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", u, resp.StatusCode)
		}
	}
}
