package stripe

import (
	"context"
	"errors"
	"strconv"
	"strings"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/adapters"
)

// Column keys of the subscriptions table.
var subscriptionColumns = []adapters.Column{
	{Key: "plan", Title: "Plan", Kind: adapters.KindText},
	{Key: "status", Title: "Status", Kind: adapters.KindText},
	{Key: "amount", Title: "Amount", Kind: adapters.KindMoney},
	{Key: "interval", Title: "Interval", Kind: adapters.KindText},
	{Key: "current_period_end", Title: "Current period end", Kind: adapters.KindDate},
	{Key: "cancel_at_period_end", Title: "Cancel at period end", Kind: adapters.KindBool},
}

// fetchSubscriptions lists a customer's subscriptions that are not canceled,
// as Stripe lists them by default.
func (a *Adapter) fetchSubscriptions(ctx context.Context, id string, f *adapters.Facet) error {
	t := adapters.Table{Name: FacetSubscriptions, Columns: subscriptionColumns}
	var subs []*stripego.Subscription
	err := a.call(ctx, "list subscriptions", func(ctx context.Context) error {
		params := &stripego.SubscriptionListParams{Customer: stripego.String(id)}
		// Every subscription up to scanLimit is counted: pages are full-sized
		// whatever the rows shown.
		params.Limit = stripego.Int64(listPage)
		for sub, err := range a.api.V1Subscriptions.List(ctx, params) {
			if err != nil {
				return err
			}
			t.Total++
			if len(subs) < a.maxRows {
				subs = append(subs, sub)
			}
			if t.Total == max(scanLimit, a.maxRows) {
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	products, err := a.productNames(ctx, subs)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		amount, interval := subscriptionAmount(sub)
		var periodEnd int64
		if items := subscriptionItems(sub); len(items) > 0 {
			// Since API version 2025-03-31 each item has its own period.
			periodEnd = items[0].CurrentPeriodEnd
		}
		t.Rows = append(t.Rows, adapters.Row{
			Cells: []adapters.Value{
				adapters.Text(planName(sub, products)),
				adapters.Text(string(sub.Status)),
				amount,
				adapters.Text(interval),
				dateValue(periodEnd),
				{Kind: adapters.KindBool, Bool: sub.CancelAtPeriodEnd, Valid: true},
			},
			URL:      a.dashboardURL("subscriptions", sub.ID),
			Emphasis: sub.Status == stripego.SubscriptionStatusPastDue || sub.Status == stripego.SubscriptionStatusUnpaid,
		})
	}
	f.Tables = []adapters.Table{t}
	return nil
}

func subscriptionItems(sub *stripego.Subscription) []*stripego.SubscriptionItem {
	if sub.Items == nil {
		return nil
	}
	return sub.Items.Data
}

// subscriptionAmount returns what a subscription costs per interval, and the
// interval ("month", "3 months"). Items billed on another interval or in
// another currency than the first item are left out; an amount that depends
// on usage or tiers is not known.
func subscriptionAmount(sub *stripego.Subscription) (adapters.Value, string) {
	items := subscriptionItems(sub)
	if len(items) == 0 || items[0].Price == nil || items[0].Price.Recurring == nil {
		return adapters.Value{Kind: adapters.KindMoney}, ""
	}
	first := items[0].Price
	interval, count := first.Recurring.Interval, first.Recurring.IntervalCount
	var total int64
	for _, it := range items {
		p := it.Price
		if p == nil || p.Recurring == nil || p.Recurring.Interval != interval ||
			p.Recurring.IntervalCount != count || p.Currency != first.Currency {
			continue
		}
		if p.BillingScheme == stripego.PriceBillingSchemeTiered || p.Recurring.UsageType == stripego.PriceRecurringUsageTypeMetered {
			return adapters.Value{Kind: adapters.KindMoney, Currency: strings.ToUpper(string(first.Currency))}, intervalText(string(interval), count)
		}
		total += p.UnitAmount * max(it.Quantity, 1)
	}
	return money(total, string(first.Currency)), intervalText(string(interval), count)
}

// intervalText says how often a price is billed: "month", "3 months".
func intervalText(interval string, count int64) string {
	if count <= 1 {
		return interval
	}
	return strconv.FormatInt(count, 10) + " " + interval + "s"
}

// planName names what a subscription is for: each item's price nickname, or
// its product's name, or the price id.
func planName(sub *stripego.Subscription, products map[string]string) string {
	var names []string
	for _, it := range subscriptionItems(sub) {
		p := it.Price
		if p == nil {
			continue
		}
		name := p.Nickname
		if name == "" && p.Product != nil {
			name = p.Product.Name
			if name == "" {
				name = products[p.Product.ID]
			}
		}
		if name == "" {
			name = p.ID
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// productNames reads the names of the products of prices without a nickname,
// in one call. A key that may not read products costs the names, not the
// panel: the plan then shows the price id.
func (a *Adapter) productNames(ctx context.Context, subs []*stripego.Subscription) (map[string]string, error) {
	var ids []*string
	seen := map[string]bool{}
	for _, sub := range subs {
		for _, it := range subscriptionItems(sub) {
			p := it.Price
			if p == nil || p.Nickname != "" || p.Product == nil || p.Product.Name != "" || p.Product.ID == "" || seen[p.Product.ID] {
				continue
			}
			seen[p.Product.ID] = true
			ids = append(ids, stripego.String(p.Product.ID))
		}
	}
	names := map[string]string{}
	for start := 0; start < len(ids); start += listPage {
		batch := ids[start:min(start+listPage, len(ids))]
		err := a.call(ctx, "list products", func(ctx context.Context) error {
			params := &stripego.ProductListParams{IDs: batch}
			params.Limit = stripego.Int64(listPage)
			params.Single = true
			for p, err := range a.api.V1Products.List(ctx, params) {
				if err != nil {
					return err
				}
				names[p.ID] = p.Name
			}
			return nil
		})
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return nil, err
		case err != nil:
			a.log.WarnContext(ctx, "stripe: product names unavailable; plans show price ids", "err", err)
			return names, nil
		}
	}
	return names, nil
}
