package stripe

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

func fetch(t *testing.T, a *Adapter, id, facet string) *adapters.Facet {
	t.Helper()
	f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: id, Facet: facet})
	if err != nil {
		t.Fatalf("Fetch(%s, %s): %v", id, facet, err)
	}
	if f.Source != testSource || f.Name != facet || !f.FetchedAt.Equal(testNow) {
		t.Errorf("facet Source, Name, FetchedAt = %q, %q, %v", f.Source, f.Name, f.FetchedAt)
	}
	if want := "https://dashboard.stripe.com/test/customers/" + id; f.URL != want {
		t.Errorf("facet URL = %q, want %q", f.URL, want)
	}
	return f
}

func eur(n float64) adapters.Value {
	return adapters.Value{Kind: adapters.KindMoney, Number: n, Currency: "EUR", Valid: true}
}

func date(unix int64) adapters.Value {
	return adapters.Value{Kind: adapters.KindDate, Time: time.Unix(unix, 0).UTC(), Valid: true}
}

func TestFetchCustomer(t *testing.T) {
	_, a := seeded(t)
	acme := fetch(t, a, cusAcme, FacetCustomer)
	got := acme.Fields
	want := map[string]adapters.Value{
		adapters.FieldName:    adapters.Text("Acme Corporation"),
		FieldBillingEmail:     {Kind: adapters.KindEmail, Text: acmeEmail, Valid: true},
		adapters.FieldPhone:   {Kind: adapters.KindPhone, Text: "+33 4 72 00 00 00", Valid: true},
		FieldCurrency:         adapters.Text("EUR"),
		FieldBalance:          eur(-25),
		FieldDelinquent:       {Kind: adapters.KindBool, Bool: true, Valid: true},
		FieldCreated:          {Kind: adapters.KindDateTime, Time: time.Unix(days(-800), 0).UTC(), Valid: true},
		adapters.FieldCity:    adapters.Text("Lyon"),
		adapters.FieldCountry: adapters.Text("FR"),
	}
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("field %s = %+v, want %+v", k, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields = %v, want exactly %d", got, len(want))
	}
	wantKeys := []adapters.Key{
		{Kind: adapters.KeyEmail, Value: "billing@acme-corp.com"},
		{Kind: adapters.KeyDomain, Value: "acme-corp.com"},
		{Kind: adapters.KeyExternalID, Value: "salesforce:" + acmeSFID18},
	}
	if !slices.Equal(acme.Keys, wantKeys) {
		t.Errorf("keys = %v, want %v: identity resolution links other systems by them", acme.Keys, wantKeys)
	}

	// A customer without a currency has no balance to speak of.
	got = fetch(t, a, cusNoName, FacetCustomer).Fields
	if got[adapters.FieldName].Text != "solo@example.org" || got[FieldBalance].Valid || got[FieldCurrency].Valid {
		t.Errorf("customer without name or currency: %+v", got)
	}
}

func TestFetchMissingCustomer(t *testing.T) {
	_, a := seeded(t)
	for _, id := range []string{cusDeleted, "cus_NoSuch"} {
		for _, facet := range []string{FacetCustomer, FacetInvoices, FacetSubscriptions} {
			f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: id, Facet: facet})
			if id == cusDeleted && facet != FacetCustomer {
				continue // the double keeps no invoices of it; Stripe would list none
			}
			if !errors.Is(err, adapters.ErrNotFound) {
				t.Errorf("Fetch(%s, %s) = %v, %v; want ErrNotFound", id, facet, f, err)
			}
		}
	}
	if _, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: "../balance", Facet: FacetCustomer}); !errors.Is(err, adapters.ErrBadRequest) {
		t.Errorf("Fetch of a malformed id = %v, want ErrBadRequest without a call", err)
	}
}

func TestFetchInvoices(t *testing.T) {
	_, a := seeded(t)
	tb := fetch(t, a, cusAcme, FacetInvoices).Tables[0]
	type row struct {
		number, status string
		due, paid      adapters.Value
		dueDate        adapters.Value
		url            string
		emphasis       bool
	}
	var got []row
	for _, r := range tb.Rows {
		got = append(got, row{r.Cells[0].Text, r.Cells[2].Text, r.Cells[3], r.Cells[4], r.Cells[5], r.URL, r.Emphasis})
	}
	hosted := func(id string) string { return "https://invoice.stripe.com/i/acct_test/" + id }
	want := []row{ // newest first
		{"in_A6", "draft", eur(49), eur(0), adapters.Value{Kind: adapters.KindDate}, "https://dashboard.stripe.com/test/invoices/in_A6", false},
		{"ACME-0004", "open", eur(49), eur(0), date(days(25)), hosted("in_A4"), false},
		{"ACME-0003", "overdue", eur(49), eur(0), date(days(-10)), hosted("in_A3"), true},
		{"ACME-0005", "void", eur(12), eur(0), date(days(-30)), hosted("in_A5"), false},
		{"ACME-0002", "paid", eur(49), eur(49), date(days(-70)), hosted("in_A2"), false},
		{"ACME-0001", "paid", eur(100), eur(100), date(days(-370)), hosted("in_A1"), false},
		{"ACME-0007", "uncollectible", eur(8), eur(0), date(days(-470)), hosted("in_A7"), false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows =\n  %+v\nwant\n  %+v", got, want)
	}
	if tb.Total != len(want) {
		t.Errorf("Total = %d, want %d", tb.Total, len(want))
	}
	// Every issued invoice is on the timeline, with its amount; drafts are not.
	f := fetch(t, a, cusAcme, FacetInvoices)
	for _, e := range f.Events {
		if e.Kind != adapters.EventInvoice || !e.Amount.Valid || e.At.IsZero() || strings.Contains(e.Title, "draft") {
			t.Errorf("event %+v", e)
		}
	}
	if len(f.Events) == 0 {
		t.Error("no invoice events")
	}
	wantSummary := []adapters.Metric{
		{Label: "Overdue", Value: eur(49), Key: adapters.MetricOverdue},
		{Label: "Open", Value: eur(98)},
		{Label: "Paid last 12 months", Value: eur(49)},
	}
	if !slices.Equal(tb.Summary, wantSummary) {
		t.Errorf("summary = %+v, want %+v", tb.Summary, wantSummary)
	}
}

func TestFetchInvoicesInZeroDecimalCurrency(t *testing.T) {
	_, a := seeded(t)
	tb := fetch(t, a, cusTanaka, FacetInvoices).Tables[0]
	yen := func(n float64) adapters.Value {
		return adapters.Value{Kind: adapters.KindMoney, Number: n, Currency: "JPY", Valid: true}
	}
	if got := tb.Rows[0].Cells[3]; got != yen(5000) {
		t.Errorf("amount due of a 5000 JPY invoice = %+v, want 5000 yen", got)
	}
	if got := tb.Summary; !slices.Equal(got, []adapters.Metric{
		{Label: "Overdue", Value: yen(0), Key: adapters.MetricOverdue}, {Label: "Open", Value: yen(5000)}, {Label: "Paid last 12 months", Value: yen(12000)},
	}) {
		t.Errorf("summary = %+v", got)
	}
	if got := fetch(t, a, cusTanaka, FacetCustomer).Fields[FieldBalance]; got != yen(5000) {
		t.Errorf("balance = %+v, want 5000 yen", got)
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		minor    int64
		currency string
		want     float64
	}{
		{4999, "usd", 49.99}, {5000, "jpy", 5000}, {5000, "JPY", 5000}, {1500, "krw", 1500},
		{5124, "kwd", 5.124}, {500, "isk", 5}, {-2500, "eur", -25},
	}
	for _, tt := range tests {
		got := money(tt.minor, tt.currency)
		if !got.Valid || got.Kind != adapters.KindMoney || got.Number != tt.want || got.Currency != strings.ToUpper(tt.currency) {
			t.Errorf("money(%d, %s) = %+v, want %v %s", tt.minor, tt.currency, got, tt.want, strings.ToUpper(tt.currency))
		}
	}
	if got := money(100, ""); got.Valid {
		t.Errorf("money without a currency = %+v, want no value", got)
	}
}

func TestFetchInvoicesPages(t *testing.T) {
	f := newFakeStripe(t)
	seed(f)
	const n = 250
	for i := range n {
		status, due := "paid", days(-i)
		f.addInvoice(obj{"id": fmt.Sprintf("in_P%03d", i), "customer": cusGlobex, "status": status, "currency": "usd",
			"number": fmt.Sprintf("GLX-%04d", i), "created": days(-i), "due_date": due,
			"amount_due": 1000, "amount_paid": 1000, "amount_remaining": 0,
			"status_transitions": obj{"paid_at": days(-i)}})
	}
	a := newTestAdapter(t, f, func(s *Settings) { s.MaxRows = 120 })
	tb := fetch(t, a, cusGlobex, FacetInvoices).Tables[0]
	if len(tb.Rows) != 120 || tb.Total != n {
		t.Errorf("rows, Total = %d, %d; want 120 rows of %d", len(tb.Rows), tb.Total, n)
	}
	if tb.Rows[0].Cells[0].Text != "GLX-0000" || tb.Rows[119].Cells[0].Text != "GLX-0119" {
		t.Errorf("rows run %s … %s, want the newest 120", tb.Rows[0].Cells[0].Text, tb.Rows[119].Cells[0].Text)
	}
	// Paid within a year: invoices 0 to 365 days old, all of them here.
	usd := adapters.Value{Kind: adapters.KindMoney, Number: n * 10, Currency: "USD", Valid: true}
	if paid := tb.Summary[2]; paid.Value != usd {
		t.Errorf("paid last 12 months = %+v, want %+v over every page", paid, usd)
	}

	reqs := f.requested("/v1/invoices")
	var cursors []string
	for _, r := range reqs {
		_, raw, _ := strings.Cut(r, "?")
		v, _ := url.ParseQuery(raw)
		if v.Get("customer") != cusGlobex || v.Get("limit") != "100" {
			t.Errorf("request %s: want customer=%s and limit=100", r, cusGlobex)
		}
		cursors = append(cursors, v.Get("starting_after"))
	}
	if want := []string{"", "in_P099", "in_P199"}; !slices.Equal(cursors, want) {
		t.Errorf("starting_after of the pages = %q, want %q", cursors, want)
	}
}

func TestFetchSubscriptionsCountsInFullPages(t *testing.T) {
	f := newFakeStripe(t)
	seed(f)
	const n = 150
	for i := range n {
		f.addSubscription(obj{"id": fmt.Sprintf("sub_P%03d", i), "customer": cusGlobex, "status": "active",
			"currency": "usd", "created": days(-i),
			"items": obj{"object": "list", "data": []obj{}, "has_more": false, "url": "/v1/subscription_items"}})
	}
	a := newTestAdapter(t, f, func(s *Settings) { s.MaxRows = 2 })
	tb := fetch(t, a, cusGlobex, FacetSubscriptions).Tables[0]
	if len(tb.Rows) != 2 || tb.Total != n {
		t.Errorf("rows, Total = %d, %d; want 2 rows of %d", len(tb.Rows), tb.Total, n)
	}
	reqs := f.requested("/v1/subscriptions")
	for _, r := range reqs {
		if !strings.Contains(r, "limit=100") {
			t.Errorf("request %s: want limit=100", r)
		}
	}
	if len(reqs) != 2 {
		t.Errorf("%d requests to count %d subscriptions, want 2 pages of 100", len(reqs), n)
	}
}

func TestFetchSubscriptions(t *testing.T) {
	f, a := seeded(t)
	tb := fetch(t, a, cusAcme, FacetSubscriptions).Tables[0]
	keys := make([]string, len(tb.Columns))
	for i, c := range tb.Columns {
		keys[i] = c.Key
	}
	if want := []string{"plan", "status", "amount", "interval", "current_period_end", "cancel_at_period_end"}; !slices.Equal(keys, want) {
		t.Fatalf("columns = %v, want %v", keys, want)
	}
	type row struct {
		plan, status string
		amount       adapters.Value
		interval     string
		end          adapters.Value
		cancel       bool
		emphasis     bool
	}
	var got []row
	for _, r := range tb.Rows {
		got = append(got, row{r.Cells[0].Text, r.Cells[1].Text, r.Cells[2], r.Cells[3].Text, r.Cells[4], r.Cells[5].Bool, r.Emphasis})
	}
	want := []row{ // canceled subscriptions are not listed
		{"Pro monthly", "active", eur(49), "month", date(days(16)), false, false},
		{"Extra seats", "past_due", eur(30), "3 months", date(days(40)), true, true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows =\n  %+v\nwant\n  %+v", got, want)
	}
	if tb.Total != 2 || tb.Rows[0].URL != "https://dashboard.stripe.com/test/subscriptions/sub_A1" {
		t.Errorf("Total %d, first URL %q", tb.Total, tb.Rows[0].URL)
	}
	// One call reads the names of products of prices without a nickname.
	if reqs := f.requested("/v1/products"); len(reqs) != 1 || !strings.Contains(reqs[0], "ids[0]=prod_Seats") {
		t.Errorf("product requests = %v, want one for prod_Seats", reqs)
	}

	tb = fetch(t, a, cusTanaka, FacetSubscriptions).Tables[0]
	if got := tb.Rows[0].Cells[2]; got != (adapters.Value{Kind: adapters.KindMoney, Number: 10000, Currency: "JPY", Valid: true}) {
		t.Errorf("2 × 5000 JPY a year = %+v", got)
	}
	if tb.Rows[0].Cells[0].Text != "Pro plan" || tb.Rows[0].Cells[3].Text != "year" {
		t.Errorf("Tanaka's plan = %+v", tb.Rows[0].Cells)
	}
}

func TestFetchSubscriptionsWithoutProductAccess(t *testing.T) {
	f, a := seeded(t)
	f.fail("/v1/products", 403, `{"error":{"type":"invalid_request_error","message":"The provided key does not have the required permissions"}}`, nil)
	tb := fetch(t, a, cusAcme, FacetSubscriptions).Tables[0]
	if got := tb.Rows[1].Cells[0].Text; got != "price_Seats" {
		t.Errorf("plan without product access = %q, want the price id", got)
	}
}

func TestDashboardURLSetting(t *testing.T) {
	f := newFakeStripe(t)
	seed(f)
	a := newTestAdapter(t, f, func(s *Settings) { s.DashboardURL = "http://127.0.0.1:8123/" })
	if got, want := fetchFacet(t, a, cusAcme, FacetCustomer).URL, "http://127.0.0.1:8123/test/customers/"+cusAcme; got != want {
		t.Errorf("customer URL = %q, want %q", got, want)
	}
	inv := fetchFacet(t, a, cusAcme, FacetInvoices).Tables[0].Rows[0] // the draft, which has no hosted page
	if want := "http://127.0.0.1:8123/test/invoices/in_A6"; inv.URL != want {
		t.Errorf("draft invoice URL = %q, want %q", inv.URL, want)
	}
	sub := fetchFacet(t, a, cusAcme, FacetSubscriptions).Tables[0].Rows[0]
	if want := "http://127.0.0.1:8123/test/subscriptions/sub_A1"; sub.URL != want {
		t.Errorf("subscription URL = %q, want %q", sub.URL, want)
	}
}

// fetchFacet fetches a facet without fetch's check of the default dashboard.
func fetchFacet(t *testing.T, a *Adapter, id, facet string) *adapters.Facet {
	t.Helper()
	f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: id, Facet: facet})
	if err != nil {
		t.Fatalf("Fetch(%s, %s): %v", id, facet, err)
	}
	return f
}
