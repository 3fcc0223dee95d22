package customer

import (
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

func money(n float64, cur string) adapters.Value {
	return adapters.Value{Kind: adapters.KindMoney, Number: n, Currency: cur, Valid: true}
}

func TestBuildSummary(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	inv := func(y int, m time.Month, amount float64, cur string) adapters.Event {
		return adapters.Event{At: time.Date(y, m, 15, 0, 0, 0, 0, time.UTC), Kind: adapters.EventInvoice, Amount: money(amount, cur)}
	}
	panels := []Panel{
		{Source: "crm", SourceTitle: "Salesforce", Spec: adapters.FacetSpec{Name: "account", Header: true}, State: StateOK,
			Facet: &adapters.Facet{Fields: map[string]adapters.Value{"phone": adapters.Text("+1 555"), "billing_email": {}}}},
		{Source: "billing", SourceTitle: "Billing", Spec: adapters.FacetSpec{Name: "customer", Header: true}, State: StateOK, Hidden: true,
			Facet: &adapters.Facet{Fields: map[string]adapters.Value{"billing_email": adapters.Text("ap@acme.com"), "phone": adapters.Text("+1 999")}}},
		{Source: "crm", SourceTitle: "Salesforce", Spec: adapters.FacetSpec{Name: "opportunities"}, State: StateOK,
			Facet: &adapters.Facet{Tables: []adapters.Table{{Summary: []adapters.Metric{
				{Label: "Open pipeline", Value: money(228000, "USD"), Key: adapters.MetricOpenPipeline},
				{Label: "Won this year", Value: money(5, "USD")}}}}}},
		{Source: "billing", SourceTitle: "Billing", Spec: adapters.FacetSpec{Name: "invoices"}, State: StateOK,
			Facet: &adapters.Facet{
				Tables: []adapters.Table{{Summary: []adapters.Metric{{Label: "Overdue", Value: money(1200, "USD"), Key: adapters.MetricOverdue}}}},
				Events: []adapters.Event{
					inv(2026, 11, 100, "USD"), inv(2026, 11, 50, "USD"), inv(2026, 1, 70, "USD"),
					inv(2025, 12, 30, "USD"),  // first month of the window
					inv(2025, 11, 999, "USD"), // outside the twelve months
					inv(2026, 3, 5000, "JPY"), // another currency: left out
				}}},
		{Source: "desk", SourceTitle: "Desk", Spec: adapters.FacetSpec{Name: "tickets"}, State: StateError},
	}
	golden := []GoldenField{
		{Field: "billing_email", Label: "Billing email", Sources: []string{"crm", "billing"}},
		{Field: "phone", Label: "Phone", Sources: []string{"billing", "crm"}},
		{Field: "vat", Label: "VAT id", Sources: []string{"erp"}},
	}
	s := BuildSummary(panels, golden, now)
	if len(s.Metrics) != 2 || s.Metrics[0].Key != adapters.MetricOpenPipeline || s.Metrics[1].Key != adapters.MetricOverdue ||
		s.Metrics[1].SourceTitle != "Billing" {
		t.Errorf("metrics = %+v", s.Metrics)
	}
	if s.Currency != "USD" || len(s.Invoiced) != 12 {
		t.Fatalf("invoiced = %v %+v", s.Currency, s.Invoiced)
	}
	if !s.Invoiced[0].Month.Equal(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)) || s.Invoiced[0].Amount != 30 ||
		s.Invoiced[1].Amount != 70 || s.Invoiced[11].Amount != 150 {
		t.Errorf("months = %+v", s.Invoiced)
	}
	if len(s.Facts) != 2 || s.Facts[0].Value.Text != "ap@acme.com" || s.Facts[0].Source != "billing" ||
		s.Facts[1].Value.Text != "+1 999" || s.Facts[1].SourceTitle != "Billing" {
		t.Errorf("facts = %+v (the first source with a value must win, in configured order)", s.Facts)
	}
}
