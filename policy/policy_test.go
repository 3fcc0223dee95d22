package policy

import (
	"slices"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

func money(n float64) adapters.Value {
	return adapters.Value{Kind: adapters.KindMoney, Number: n, Currency: "USD", Valid: true}
}

func TestRedactKeepsRestrictedFieldsFromOtherRoles(t *testing.T) {
	r := &Rules{Roles: map[string][]string{"sales": {"sales"}, "finance": {"finance"}, "admin": {"admins"}},
		Fields: []FieldRule{{Pattern: "billing/*/kind:money", Roles: []string{"finance", "admin"}},
			{Pattern: "billing/customer/billing_email"}},
		Timeline: map[string][]string{"invoice": {"finance"}}}
	f := &adapters.Facet{Source: "billing", Name: "customer", Version: "v1",
		Fields: map[string]adapters.Value{"name": adapters.Text("Acme"), "balance": money(10),
			"billing_email": {Kind: adapters.KindEmail, Text: "ap@acme.test", Valid: true}},
		Tables: []adapters.Table{{Columns: []adapters.Column{{Key: "number"}, {Key: "amount_due", Kind: adapters.KindMoney}},
			Rows:    []adapters.Row{{Cells: []adapters.Value{adapters.Text("INV-1"), money(5)}}},
			Summary: []adapters.Metric{{Label: "Overdue", Key: adapters.MetricOverdue, Value: money(5)}}}},
		Events: []adapters.Event{{Kind: "invoice", Amount: money(5)}, {Kind: "subscription", Amount: money(7)}}}

	tests := []struct {
		name         string
		groups       []string
		fields       []string
		columns      int
		events       int
		amounts      bool
		sameAsCached bool
	}{
		{"sales", []string{"sales"}, []string{"name"}, 1, 1, false, false},
		{"finance", []string{"finance"}, []string{"balance", "name"}, 2, 2, true, false}, // billing_email: admins only
		{"admin", []string{"admins"}, []string{"balance", "billing_email", "name"}, 2, 1, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := r.Viewer("s", "e", "n", tt.groups)
			got, _ := r.Redact(v, "billing", f)
			var names []string
			for k := range got.Fields {
				names = append(names, k)
			}
			slices.Sort(names)
			if !slices.Equal(names, tt.fields) {
				t.Errorf("fields %v, want %v", names, tt.fields)
			}
			tb := got.Tables[0]
			if len(tb.Columns) != tt.columns || len(tb.Rows[0].Cells) != tt.columns || (len(tb.Summary) == 1) != tt.amounts {
				t.Errorf("table: %d columns, %d cells, %d figures", len(tb.Columns), len(tb.Rows[0].Cells), len(tb.Summary))
			}
			if len(got.Events) != tt.events || got.Events[len(got.Events)-1].Amount.Valid != tt.amounts {
				t.Errorf("events %+v", got.Events)
			}
			if got.Version == f.Version {
				t.Error("a redacted facet keeps the cached answer's version: its rendering could be served to finance")
			}
		})
	}
	if len(f.Fields) != 3 || len(f.Tables[0].Columns) != 2 || len(f.Events) != 2 {
		t.Error("the cached facet was changed")
	}
}

func TestAccessDecisions(t *testing.T) {
	r := &Rules{Roles: map[string][]string{"member": {Everyone}, "admin": {"admins"}},
		Sources: map[string][]string{"erp": {"admin"}}, Facets: map[string][]string{"billing/invoices": {"admin"}},
		Tools: map[string][]string{"ledger": {"admin"}}}
	member, admin := r.Viewer("a", "", "", nil), r.Viewer("d", "", "", []string{"admins"})
	for _, c := range []struct {
		what         string
		member, admn bool
	}{
		{"source billing", r.Source(member, "billing"), r.Source(admin, "billing")},
		{"source erp", !r.Source(member, "erp"), r.Source(admin, "erp")},
		{"facet billing/invoices", !r.Facet(member, "billing", "invoices"), r.Facet(admin, "billing", "invoices")},
		{"tool ledger", !r.Tool(member, "ledger"), r.Tool(admin, "ledger")},
		{"action link", !r.Action(member, ActionLink), r.Action(admin, ActionLink)},
		{"unknown action", !r.Action(member, "erase"), r.Action(admin, "erase")},
	} {
		if !c.member || !c.admn {
			t.Errorf("%s: member ok %v, admin ok %v", c.what, c.member, c.admn)
		}
	}
	if none := (&Rules{Roles: map[string][]string{"sales": {"sales"}}}).Viewer("x", "", "", []string{"other"}); (&Rules{}).Source(none, "crm") {
		t.Error("a viewer without a role may see a source")
	}
}
