package stripe

import (
	"net/http"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// testNow is the clock of adapters under test.
var testNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

const testSource = "billing"

// Customers of the seed data.
const (
	cusAcme     = "cus_Acme01"
	cusAcmeLog  = "cus_AcmeLog"
	cusOReilly  = "cus_OReilly"
	cusGlobex   = "cus_Globex"
	cusTanaka   = "cus_Tanaka"
	cusNoName   = "cus_NoName"
	cusBack     = "cus_Back"
	cusDeleted  = "cus_Gone"
	acmeSFID    = "001Dn00000AcmeQ" // as the metadata holds it, 15 characters
	acmeSFID18  = "001Dn00000AcmeQIAR"
	acmeEmail   = "Billing@Acme-Corp.com"
	globexEmail = "finance@globex.com"
)

func days(n int) int64 { return testNow.AddDate(0, 0, n).Unix() }

// seed fills the double with customers, invoices, subscriptions and products
// as a small Stripe account holds them.
func seed(f *fakeStripe) {
	f.addCustomer(obj{"id": cusAcme, "name": "Acme Corporation", "email": acmeEmail, "phone": "+33 4 72 00 00 00",
		"currency": "eur", "balance": -2500, "delinquent": true, "created": days(-800), "livemode": false,
		"address":  obj{"city": "Lyon", "country": "FR", "line1": "1 rue de la République", "postal_code": "69001"},
		"metadata": obj{DefaultMatchMetadataKey: acmeSFID}})
	f.addCustomer(obj{"id": cusAcmeLog, "name": "Acme Logistics GmbH", "email": "ap@acme-logistics.de",
		"currency": "eur", "created": days(-300), "metadata": obj{}})
	f.addCustomer(obj{"id": cusOReilly, "name": "O'Reilly Media Group", "email": "accounts@oreilly-media.com",
		"currency": "usd", "created": days(-200), "metadata": obj{"crm_id": "001Dn00000OReil"}})
	f.addCustomer(obj{"id": cusGlobex, "name": "Globex Inc.", "email": globexEmail, "currency": "usd",
		"created": days(-100), "metadata": obj{}})
	f.addCustomer(obj{"id": cusTanaka, "name": "Tanaka Shoji K.K.", "email": "keiri@tanaka-shoji.co.jp",
		"currency": "jpy", "balance": 5000, "created": days(-50), "metadata": obj{}})
	f.addCustomer(obj{"id": cusNoName, "name": nil, "email": "solo@example.org", "currency": nil,
		"created": days(-10), "metadata": obj{}})
	f.addCustomer(obj{"id": cusBack, "name": `Back\slash Ltd`, "email": "office@backslash.example",
		"created": days(-5), "metadata": obj{}})
	f.addCustomer(obj{"id": cusDeleted, "name": "Acme Deleted", "deleted": true})

	inv := func(id, number, customer, status, currency string, created, due int64, amountDue, amountPaid int64, paidAt int64) obj {
		o := obj{"id": id, "customer": customer, "status": status, "currency": currency, "created": created,
			"amount_due": amountDue, "amount_paid": amountPaid, "amount_remaining": amountDue - amountPaid,
			"number": nil, "hosted_invoice_url": nil, "due_date": nil,
			"status_transitions": obj{"paid_at": nil, "finalized_at": nil}}
		if number != "" {
			o["number"] = number
			o["hosted_invoice_url"] = "https://invoice.stripe.com/i/acct_test/" + id
		}
		if due != 0 {
			o["due_date"] = due
		}
		if paidAt != 0 {
			o["status_transitions"] = obj{"paid_at": paidAt, "finalized_at": created}
		}
		return o
	}
	f.addInvoice(inv("in_A1", "ACME-0001", cusAcme, "paid", "eur", days(-400), days(-370), 10000, 10000, days(-395)))
	f.addInvoice(inv("in_A2", "ACME-0002", cusAcme, "paid", "eur", days(-100), days(-70), 4900, 4900, days(-95)))
	f.addInvoice(inv("in_A3", "ACME-0003", cusAcme, "open", "eur", days(-40), days(-10), 4900, 0, 0))
	f.addInvoice(inv("in_A4", "ACME-0004", cusAcme, "open", "eur", days(-5), days(25), 4900, 0, 0))
	f.addInvoice(inv("in_A5", "ACME-0005", cusAcme, "void", "eur", days(-60), days(-30), 1200, 0, 0))
	f.addInvoice(inv("in_A6", "", cusAcme, "draft", "eur", days(-1), 0, 4900, 0, 0))
	f.addInvoice(inv("in_A7", "ACME-0007", cusAcme, "uncollectible", "eur", days(-500), days(-470), 800, 0, 0))
	f.addInvoice(inv("in_T1", "TNK-0001", cusTanaka, "open", "jpy", days(-3), days(27), 5000, 0, 0))
	f.addInvoice(inv("in_T2", "TNK-0002", cusTanaka, "paid", "jpy", days(-33), days(-3), 12000, 12000, days(-20)))

	f.addProduct(obj{"id": "prod_Seats", "name": "Extra seats", "active": true})
	f.addProduct(obj{"id": "prod_Pro", "name": "Pro plan", "active": true})
	price := func(id, nickname, product, currency string, unit int64, interval string, count int) obj {
		p := obj{"id": id, "object": "price", "product": product, "currency": currency, "unit_amount": unit,
			"billing_scheme": "per_unit", "nickname": nil, "type": "recurring",
			"recurring": obj{"interval": interval, "interval_count": count, "usage_type": "licensed"}}
		if nickname != "" {
			p["nickname"] = nickname
		}
		return p
	}
	sub := func(id, customer, status string, cancel bool, periodEnd int64, items ...obj) obj {
		data := make([]obj, len(items))
		for i, it := range items {
			data[i] = obj{"id": id + "_item" + string(rune('0'+i)), "object": "subscription_item", "price": it,
				"quantity": it["quantity"], "current_period_end": periodEnd, "current_period_start": periodEnd - 30*86400}
			delete(it, "quantity")
		}
		return obj{"id": id, "customer": customer, "status": status, "cancel_at_period_end": cancel,
			"currency": "eur", "created": days(-200),
			"items": obj{"object": "list", "data": data, "has_more": false, "url": "/v1/subscription_items?subscription=" + id}}
	}
	withQty := func(p obj, q int) obj { p["quantity"] = q; return p }
	f.addSubscription(sub("sub_A1", cusAcme, "active", false, days(16),
		withQty(price("price_ProM", "Pro monthly", "prod_Pro", "eur", 4900, "month", 1), 1)))
	f.addSubscription(sub("sub_A2", cusAcme, "past_due", true, days(40),
		withQty(price("price_Seats", "", "prod_Seats", "eur", 1000, "month", 3), 3)))
	f.addSubscription(sub("sub_A3", cusAcme, "canceled", false, days(-100),
		withQty(price("price_Old", "Legacy", "prod_Pro", "eur", 2900, "month", 1), 1)))
	f.addSubscription(sub("sub_T1", cusTanaka, "active", false, days(10),
		withQty(price("price_Yen", "", "prod_Pro", "jpy", 5000, "year", 1), 2)))
}

// newTestAdapter returns an adapter of the double, with the test clock.
func newTestAdapter(t *testing.T, f *fakeStripe, edit func(*Settings)) *Adapter {
	t.Helper()
	s := &Settings{APIKey: f.key, BaseURL: f.srv.URL}
	if edit != nil {
		edit(s)
	}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	a, err := newAdapter(adapters.Source{Name: testSource, Title: "Stripe", Timeout: 10 * time.Second, Settings: s, HTTP: f.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	a.now = func() time.Time { return testNow }
	return a
}

// seeded returns a double holding the seed data and an adapter of it.
func seeded(t *testing.T) (*fakeStripe, *Adapter) {
	f := newFakeStripe(t)
	seed(f)
	return f, newTestAdapter(t, f, nil)
}

// roundTripFunc is an http.RoundTripper of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
