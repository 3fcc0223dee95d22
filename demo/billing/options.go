package billing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// validate reports every problem of the options at once: what would make
// the server answer what Stripe never would (an id of the wrong kind or used
// twice, an unknown status, a currency code not in lower case).
func (o Options) validate() error {
	var problems []error
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	switch {
	case o.APIKey == "":
		add("api key is required")
	case strings.ContainsAny(o.APIKey, " \t\r\n:"):
		add("api key must not contain spaces or colons")
	}

	seen := map[string]bool{}
	id := func(what, prefix, v string) {
		switch {
		case !strings.HasPrefix(v, prefix) || len(v) == len(prefix):
			add("%s id %q: want %s…", what, v, prefix)
		case seen[v]:
			add("%s id %q is used twice", what, v)
		}
		seen[v] = true
	}
	currency := func(what, v string) {
		if len(v) != 3 || strings.ToLower(v) != v || strings.Trim(v, "abcdefghijklmnopqrstuvwxyz") != "" {
			add("%s: currency %q: want a lowercase ISO 4217 code", what, v)
		}
	}
	prices, products := map[string]Price{}, map[string]Product{}
	price := func(what string, p Price) {
		if prev, ok := prices[p.ID]; ok {
			if !samePrice(prev, p) {
				add("%s: price %q differs from another use of it", what, p.ID)
			}
			return
		}
		prices[p.ID] = p
		id(what+": price", "price_", p.ID)
		currency(what+": price "+p.ID, p.Currency)
		if !slices.Contains([]string{"day", "week", "month", "year"}, p.Interval) {
			add("%s: price %q: interval %q: want day, week, month or year", what, p.ID, p.Interval)
		}
		if prev, ok := products[p.Product.ID]; ok {
			if prev.Name != p.Product.Name || prev.Description != p.Product.Description || !prev.Created.Equal(p.Product.Created) {
				add("%s: product %q differs from another use of it", what, p.Product.ID)
			}
			return
		}
		products[p.Product.ID] = p.Product
		id(what+": product", "prod_", p.Product.ID)
	}

	for i := range o.Customers {
		c := &o.Customers[i]
		what := fmt.Sprintf("customer %d (%s)", i, c.ID)
		id("customer", "cus_", c.ID)
		if c.Currency != "" {
			currency(what, c.Currency)
		}
		if c.Created.IsZero() {
			add("%s: created is required", what)
		}
		subs := map[string]bool{}
		for j := range c.Subscriptions {
			s := &c.Subscriptions[j]
			subs[s.ID] = true
			swhat := what + ": subscription " + s.ID
			id("subscription", "sub_", s.ID)
			if !slices.Contains([]SubscriptionStatus{SubscriptionActive, SubscriptionPastDue, SubscriptionCanceled, SubscriptionTrialing}, s.Status) {
				add("%s: unknown status %q", swhat, s.Status)
			}
			if s.Created.IsZero() || s.CurrentPeriodStart.IsZero() || s.CurrentPeriodEnd.IsZero() {
				add("%s: created and the current period are required", swhat)
			}
			if len(s.Items) == 0 {
				add("%s: at least one item is required", swhat)
			}
			for _, it := range s.Items {
				id(swhat+": item", "si_", it.ID)
				price(swhat, it.Price)
			}
		}
		for j := range c.Invoices {
			inv := &c.Invoices[j]
			iwhat := what + ": invoice " + inv.ID
			id("invoice", "in_", inv.ID)
			currency(iwhat, inv.Currency)
			if !slices.Contains([]InvoiceStatus{InvoiceDraft, InvoiceOpen, InvoicePaid, InvoiceVoid, InvoiceUncollectible}, inv.Status) {
				add("%s: unknown status %q", iwhat, inv.Status)
			}
			if inv.Created.IsZero() {
				add("%s: created is required", iwhat)
			}
			if (inv.Number == "") != (inv.Status == InvoiceDraft) {
				add("%s: a draft has no number, and any other invoice has one", iwhat)
			}
			if inv.Subscription != "" && !subs[inv.Subscription] {
				add("%s: subscription %q is not one of the customer's", iwhat, inv.Subscription)
			}
			for _, l := range inv.Lines {
				id(iwhat+": line", "il_", l.ID)
				if l.Price != nil {
					price(iwhat, *l.Price)
				}
			}
		}
	}
	return errors.Join(problems...)
}

func samePrice(a, b Price) bool {
	return a.ID == b.ID && a.Nickname == b.Nickname && a.Currency == b.Currency && a.UnitAmount == b.UnitAmount &&
		a.Interval == b.Interval && max(a.IntervalCount, 1) == max(b.IntervalCount, 1) &&
		a.Created.Equal(b.Created) && a.Product.ID == b.Product.ID
}
