package billing_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/demo/billing"
)

// customerWithMost returns the seed customer with the most invoices.
func customerWithMost(f *fixture) billing.Customer {
	best := f.customers[0]
	for _, c := range f.customers {
		if len(c.Invoices) > len(best.Invoices) {
			best = c
		}
	}
	return best
}

func TestListInvoicesOfACustomerPages(t *testing.T) {
	f := newFixture(t)
	c := customerWithMost(f)
	want := newestFirst(c.Invoices, func(inv billing.Invoice) time.Time { return inv.Created },
		func(inv billing.Invoice) string { return inv.ID })

	params := &stripe.InvoiceListParams{Customer: stripe.String(c.ID)}
	params.Limit = stripe.Int64(4)
	var got []*stripe.Invoice
	for inv, err := range f.sdk.V1Invoices.List(context.Background(), params) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, inv)
	}
	ids := make([]string, len(got))
	for i, inv := range got {
		ids[i] = inv.ID
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("invoices of %s: %v\nwant %v", c.ID, ids, want)
	}
	if n := len(f.requested("/v1/invoices")); n != (len(want)+3)/4 {
		t.Errorf("%d requests, want %d pages of 4", n, (len(want)+3)/4)
	}

	byID := map[string]billing.Invoice{}
	for _, inv := range c.Invoices {
		byID[inv.ID] = inv
	}
	for _, inv := range got {
		seed := byID[inv.ID]
		var due int64
		for _, l := range seed.Lines {
			due += l.Amount
		}
		if inv.Object != "invoice" || inv.Customer == nil || inv.Customer.ID != c.ID || string(inv.Status) != string(seed.Status) ||
			inv.Number != seed.Number || string(inv.Currency) != seed.Currency || inv.AmountDue != due ||
			inv.AmountPaid != seed.AmountPaid || inv.Created != seed.Created.Unix() || inv.Livemode {
			t.Errorf("invoice %+v\ndoes not match the seed's %+v", inv, seed)
		}
		if inv.Lines == nil || len(inv.Lines.Data) != len(seed.Lines) || inv.Lines.Data[0].Amount != seed.Lines[0].Amount {
			t.Errorf("invoice %s: lines %+v, want the seed's %d lines", inv.ID, inv.Lines, len(seed.Lines))
		}
		switch seed.Status {
		case billing.InvoicePaid:
			if inv.AmountRemaining != 0 || inv.StatusTransitions == nil || inv.StatusTransitions.PaidAt != seed.PaidAt.Unix() {
				t.Errorf("paid invoice %s: remaining %d, transitions %+v", inv.ID, inv.AmountRemaining, inv.StatusTransitions)
			}
		case billing.InvoiceOpen:
			if inv.AmountRemaining != due || inv.DueDate != seed.DueDate.Unix() || inv.StatusTransitions.PaidAt != 0 {
				t.Errorf("open invoice %s: remaining %d of %d, due %d", inv.ID, inv.AmountRemaining, due, inv.DueDate)
			}
		}
		if seed.Status != billing.InvoiceDraft && !strings.HasPrefix(inv.HostedInvoiceURL, "https://invoice.stripe.com/i/acct_demo/") {
			t.Errorf("invoice %s: hosted_invoice_url %q", inv.ID, inv.HostedInvoiceURL)
		}
		if seed.Subscription != "" && (inv.Parent == nil || inv.Parent.SubscriptionDetails == nil ||
			inv.Parent.SubscriptionDetails.Subscription.ID != seed.Subscription) {
			t.Errorf("invoice %s: parent %+v, want subscription %s", inv.ID, inv.Parent, seed.Subscription)
		}
	}
}

func TestListInvoicesByStatusAndRetrieve(t *testing.T) {
	f := newFixture(t)
	var open []billing.Invoice
	for _, c := range f.customers {
		for _, inv := range c.Invoices {
			if inv.Status == billing.InvoiceOpen {
				open = append(open, inv)
			}
		}
	}
	want := newestFirst(open, func(inv billing.Invoice) time.Time { return inv.Created },
		func(inv billing.Invoice) string { return inv.ID })
	params := &stripe.InvoiceListParams{Status: stripe.String("open")}
	params.Limit = stripe.Int64(100)
	got := collect(t, f.sdk.V1Invoices.List(context.Background(), params), func(inv *stripe.Invoice) string { return inv.ID })
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("open invoices %v\nwant %v", got, want)
	}

	inv, err := f.sdk.V1Invoices.Retrieve(context.Background(), want[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if inv.ID != want[0] || inv.Status != stripe.InvoiceStatusOpen || inv.PeriodEnd == 0 || inv.PeriodStart > inv.PeriodEnd {
		t.Errorf("retrieved %+v", inv)
	}
}

func TestListSubscriptions(t *testing.T) {
	f := newFixture(t)
	var c billing.Customer
	for _, cand := range f.customers {
		if slices.ContainsFunc(cand.Subscriptions, func(s billing.Subscription) bool { return s.Status == billing.SubscriptionCanceled }) {
			c = cand
			break
		}
	}
	if c.ID == "" {
		t.Fatal("no customer of the seed has a canceled subscription")
	}
	list := func(status string) []*stripe.Subscription {
		params := &stripe.SubscriptionListParams{Customer: stripe.String(c.ID)}
		if status != "" {
			params.Status = stripe.String(status)
		}
		params.Limit = stripe.Int64(1)
		var out []*stripe.Subscription
		for s, err := range f.sdk.V1Subscriptions.List(context.Background(), params) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	all, live := list("all"), list("")
	if len(all) != len(c.Subscriptions) || len(live) != len(c.Subscriptions)-1 {
		t.Fatalf("%d subscriptions with status=all and %d by default, want %d and %d (no canceled)",
			len(all), len(live), len(c.Subscriptions), len(c.Subscriptions)-1)
	}
	for _, s := range live {
		if s.Status == stripe.SubscriptionStatusCanceled {
			t.Errorf("subscription %s is canceled, yet listed by default", s.ID)
		}
	}
	for _, s := range all {
		i := slices.IndexFunc(c.Subscriptions, func(x billing.Subscription) bool { return x.ID == s.ID })
		if i < 0 {
			t.Fatalf("subscription %s is not the customer's", s.ID)
		}
		seed := c.Subscriptions[i]
		if s.Object != "subscription" || s.Customer == nil || s.Customer.ID != c.ID || string(s.Status) != string(seed.Status) ||
			s.CancelAtPeriodEnd != seed.CancelAtPeriodEnd || s.Items == nil || len(s.Items.Data) != len(seed.Items) {
			t.Errorf("subscription %+v\ndoes not match the seed's %+v", s, seed)
			continue
		}
		it := s.Items.Data[0]
		p := seed.Items[0].Price
		if it.CurrentPeriodStart != seed.CurrentPeriodStart.Unix() || it.CurrentPeriodEnd != seed.CurrentPeriodEnd.Unix() ||
			it.Price == nil || it.Price.ID != p.ID || it.Price.Nickname != p.Nickname || it.Price.UnitAmount != p.UnitAmount ||
			string(it.Price.Currency) != p.Currency || it.Price.Recurring == nil || string(it.Price.Recurring.Interval) != p.Interval ||
			it.Price.Product == nil || it.Price.Product.ID != p.Product.ID {
			t.Errorf("subscription %s: item %+v, price %+v, want period and price of %+v", s.ID, it, it.Price, seed)
		}
	}
}

func TestBalanceAndProducts(t *testing.T) {
	f := newFixture(t)
	b, err := f.sdk.V1Balance.Retrieve(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	paid := map[string]int64{}
	for _, c := range f.customers {
		for _, inv := range c.Invoices {
			if inv.Status == billing.InvoicePaid {
				paid[inv.Currency] += inv.AmountPaid
			}
		}
	}
	if b.Object != "balance" || len(b.Available) != len(paid) {
		t.Fatalf("balance %+v, want one available amount per currency of %v", b, paid)
	}
	for _, a := range b.Available {
		if a.Amount != paid[string(a.Currency)] {
			t.Errorf("available %d %s, want %d", a.Amount, a.Currency, paid[string(a.Currency)])
		}
	}

	var price *billing.Price
	for _, inv := range f.customers[0].Invoices {
		if price == nil {
			price = inv.Lines[0].Price
		}
	}
	if price == nil {
		t.Fatal("no invoice line of the first customer bills a price")
	}
	params := &stripe.ProductListParams{IDs: []*string{stripe.String(price.Product.ID)}}
	got := collect(t, f.sdk.V1Products.List(context.Background(), params), func(p *stripe.Product) string { return p.Name })
	if !slices.Equal(got, []string{price.Product.Name}) {
		t.Errorf("products %v, want %s", got, price.Product.Name)
	}
	p, err := f.sdk.V1Products.Retrieve(context.Background(), price.Product.ID, nil)
	if err != nil || p.Name != price.Product.Name {
		t.Errorf("product %+v, %v; want %s", p, err, price.Product.Name)
	}
}
