package sqldb_test

import (
	"slices"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/demo/erp"
)

// TestLinksToSalesforce resolves Salesforce accounts to their ERP records the
// way the customer page does: by the Salesforce id the ERP keeps, else by the
// website's domain.
func TestLinksToSalesforce(t *testing.T) {
	a := newAdapter(t, decode(t, erp.DemoSettings(demoDB(t))))
	src := customer.Source{Name: testSource, Title: "ERP", Timeout: 10 * time.Second, Adapter: a}
	r := &customer.Resolver{}
	tests := []struct {
		name     string
		anchor   []adapters.Key
		want     string
		wantRule string
	}{
		{"by the Salesforce id the ERP keeps",
			[]adapters.Key{{Kind: adapters.KeyExternalID, Value: sfsim.DemoAccountAcme}, {Kind: adapters.KeyDomain, Value: "acme-corp.com"}},
			demoCustomer(t, "Acme Corporation").No, "external-id"},
		{"by domain when the ERP has no Salesforce id",
			[]adapters.Key{{Kind: adapters.KeyExternalID, Value: sfsim.DemoAccountManyContacts}, {Kind: adapters.KeyDomain, Value: "https://www.initech-global.com"}},
			demoCustomer(t, "Initech Global Services").No, "domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := r.Resolve(callCtx(t), src, "salesforce", tt.anchor)
			if res.Err != nil || res.Link == nil || res.Link.ID != tt.want || res.Link.Rule != tt.wantRule {
				t.Fatalf("Resolve = %+v; want %s linked by %s", res, tt.want, tt.wantRule)
			}
		})
	}
}

func TestHeaderKeysEventsAndKeyMetric(t *testing.T) {
	a := newAdapter(t, decode(t, erp.DemoSettings(demoDB(t))))
	acme := demoCustomer(t, "Acme Corporation")
	header, err := a.Fetch(callCtx(t), adapters.FetchRequest{ID: acme.No, Facet: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []adapters.Key{
		{Kind: adapters.KeyExternalID, Value: "salesforce:" + sfsim.DemoAccountAcme},
		{Kind: adapters.KeyDomain, Value: "acme-corp.com"},
		{Kind: adapters.KeyEmail, Value: acme.BillingEmail},
	} {
		if !slices.Contains(header.Keys, k) {
			t.Errorf("header keys %v, want %v among them", header.Keys, k)
		}
	}
	if _, isField := header.Fields["external_id"]; isField {
		t.Errorf("header fields %v hold a key", header.Fields)
	}

	orders, err := a.Fetch(callCtx(t), adapters.FetchRequest{ID: acme.No, Facet: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	tb := orders.Tables[0]
	if len(orders.Events) != len(tb.Rows) {
		t.Fatalf("%d events for %d orders, want one each", len(orders.Events), len(tb.Rows))
	}
	first, row := orders.Events[0], tb.Rows[0]
	if first.Kind != "order" || first.Title != "Order "+row.Cells[0].Text || !first.At.Equal(row.Cells[1].Time) ||
		first.Status != row.Cells[2].Text || first.Amount != row.Cells[3] || first.Detail == "" {
		t.Errorf("event %+v does not tell the order %+v", first, row.Cells)
	}
	var last *adapters.Metric
	for i, m := range tb.Summary {
		if m.Key == adapters.MetricLastOrder {
			last = &tb.Summary[i]
		}
	}
	if last == nil || !last.Value.Valid || !last.Value.Time.Equal(row.Cells[1].Time) {
		t.Errorf("summary %+v, want the last order's date as the last_order key metric", tb.Summary)
	}

	ships, err := a.Fetch(callCtx(t), adapters.FetchRequest{ID: acme.No, Facet: "shipments"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ships.Events) == 0 || ships.Events[0].Kind != "shipment" || ships.Events[0].Status == "" {
		t.Errorf("shipment events %+v, want one per shipment with its state", ships.Events)
	}
}
