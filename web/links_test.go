package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/customer"
)

// ledger is a linked billing system holding one customer of the CRM's domain.
type ledger struct{}

func (ledger) Search(_ context.Context, q adapters.Query) ([]adapters.Match, error) {
	if strings.Contains(q.Text, "globex.example") {
		return []adapters.Match{{Source: "billing", ID: "cus_7", Name: "Globex Billing", Keys: []adapters.Key{{Kind: adapters.KeyEmail, Value: "ap@globex.example"}}}}, nil
	}
	return nil, nil
}
func (ledger) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "customer", Title: "Billing", Header: true}, {Name: "invoices", Title: "Invoices"}}
}
func (ledger) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if !strings.HasPrefix(req.ID, "cus_") {
		return nil, adapters.ErrNotFound
	}
	return &adapters.Facet{Source: "billing", Name: req.Facet, FetchedAt: time.Now(),
		Tables: []adapters.Table{{Columns: []adapters.Column{{Title: "Number"}}, Rows: []adapters.Row{{Cells: []adapters.Value{adapters.Text("INV-" + req.ID)}}}, Total: 1}}}, nil
}
func (ledger) Check(context.Context) adapters.Health { return adapters.Health{OK: true} }

// crmWithDomain is the fake CRM whose account carries a website domain.
type crmWithDomain struct{ fakeCRM }

func (c crmWithDomain) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	f, err := c.fakeCRM.Fetch(ctx, req)
	if f != nil && req.Facet == "account" {
		f.Keys = []adapters.Key{{Kind: adapters.KeyDomain, Value: "https://www.globex.example"}}
	}
	return f, err
}

func TestAdminsDecideLinksOthersCannot(t *testing.T) {
	p := startComposed(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: crmWithDomain{}}, 0,
		customer.WithLinkedSources(customer.Source{Name: "billing", Title: "Billing", Timeout: 5 * time.Second, Adapter: ledger{}}))

	_, body := p.login(t, "/customers/C1", "dave", "demo-dave") // dave is in admins
	if !strings.Contains(body, "INV-cus_7") || !strings.Contains(body, "linked by domain = globex.example") {
		t.Fatalf("the billing panel is not linked with its provenance:\n%s", body)
	}
	if !strings.Contains(body, `/customers/C1/links/split?record=cus_7&amp;source=billing`) || !strings.Contains(body, `value="confirmed"`) {
		t.Fatal("an admin sees no link controls")
	}
	tok := csrfField.FindStringSubmatch(body)[1]
	post := func(form url.Values) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, p.url+"/customers/C1/links", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, _ := p.do(t, req)
		return resp
	}
	if resp := post(url.Values{"source": {"billing"}, "record": {"cus_7"}, "decision": {"split"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a decision without the CSRF token: %d", resp.StatusCode)
	}
	resp := post(url.Values{"_csrf": {tok}, "source": {"billing"}, "record": {"cus_7"}, "decision": {"split"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/customers/C1" {
		t.Fatalf("split: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = p.get(t, p.url+"/customers/C1")
	if strings.Contains(body, "INV-cus_7") || !strings.Contains(body, "Not linked in Billing") || !strings.Contains(body, "Billing record id") {
		t.Fatalf("after the split the record is still linked, or no way to link another:\n%s", body)
	}
	if resp := post(url.Values{"_csrf": {tok}, "source": {"billing"}, "record": {"missing"}, "decision": {"manual"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("linking a record that does not exist: %d", resp.StatusCode)
	}
	if resp := post(url.Values{"_csrf": {tok}, "source": {"billing"}, "record": {"cus_8"}, "decision": {"manual"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("manual link: %d", resp.StatusCode)
	}
	_, body = p.get(t, p.url+"/customers/C1")
	if !strings.Contains(body, "INV-cus_8") || !strings.Contains(body, "linked by hand by dave@example.com") {
		t.Fatalf("the manual link is not shown with who made it:\n%s", body)
	}

	// Alice is in sales only: no controls, and a forged decision is refused.
	q := startComposed(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: crmWithDomain{}}, 0,
		customer.WithLinkedSources(customer.Source{Name: "billing", Title: "Billing", Timeout: 5 * time.Second, Adapter: ledger{}}))
	_, body = q.login(t, "/customers/C1", "alice", "demo-alice")
	if strings.Contains(body, `/links/split`) || strings.Contains(body, "Billing record id") {
		t.Fatal("a non-admin sees link controls")
	}
	tok = csrfField.FindStringSubmatch(body)[1]
	req, _ := http.NewRequest(http.MethodPost, q.url+"/customers/C1/links",
		strings.NewReader(url.Values{"_csrf": {tok}, "source": {"billing"}, "record": {"cus_7"}, "decision": {"split"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, _ := q.do(t, req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a non-admin's decision: %d", resp.StatusCode)
	}
}
