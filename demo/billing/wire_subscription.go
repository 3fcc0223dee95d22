package billing

type subscriptionJSON struct {
	ID                    string                     `json:"id"`
	Object                string                     `json:"object"`
	Application           null                       `json:"application"`
	ApplicationFeePercent null                       `json:"application_fee_percent"`
	BillingCycleAnchor    int64                      `json:"billing_cycle_anchor"`
	BillingThresholds     null                       `json:"billing_thresholds"`
	CancelAt              *int64                     `json:"cancel_at"`
	CancelAtPeriodEnd     bool                       `json:"cancel_at_period_end"`
	CanceledAt            *int64                     `json:"canceled_at"`
	CancellationDetails   cancellationJSON           `json:"cancellation_details"`
	CollectionMethod      string                     `json:"collection_method"`
	Created               int64                      `json:"created"`
	Currency              string                     `json:"currency"`
	Customer              string                     `json:"customer"`
	DaysUntilDue          int64                      `json:"days_until_due"`
	DefaultPaymentMethod  null                       `json:"default_payment_method"`
	DefaultSource         null                       `json:"default_source"`
	DefaultTaxRates       []string                   `json:"default_tax_rates"`
	Description           null                       `json:"description"`
	Discounts             []string                   `json:"discounts"`
	EndedAt               *int64                     `json:"ended_at"`
	Items                 listJSON[subscriptionItem] `json:"items"`
	LatestInvoice         *string                    `json:"latest_invoice"`
	Livemode              bool                       `json:"livemode"`
	Metadata              map[string]string          `json:"metadata"`
	OnBehalfOf            null                       `json:"on_behalf_of"`
	PauseCollection       null                       `json:"pause_collection"`
	PendingSetupIntent    null                       `json:"pending_setup_intent"`
	PendingUpdate         null                       `json:"pending_update"`
	Schedule              null                       `json:"schedule"`
	StartDate             int64                      `json:"start_date"`
	Status                SubscriptionStatus         `json:"status"`
	TestClock             null                       `json:"test_clock"`
	TransferData          null                       `json:"transfer_data"`
	TrialEnd              *int64                     `json:"trial_end"`
	TrialStart            *int64                     `json:"trial_start"`
}

type cancellationJSON struct {
	Comment  null    `json:"comment"`
	Feedback null    `json:"feedback"`
	Reason   *string `json:"reason"`
}

// subscriptionItem is the JSON of a subscription item. Since API version
// 2025-03-31.basil the current period is the item's, not the subscription's.
type subscriptionItem struct {
	ID                 string            `json:"id"`
	Object             string            `json:"object"`
	BillingThresholds  null              `json:"billing_thresholds"`
	Created            int64             `json:"created"`
	CurrentPeriodEnd   int64             `json:"current_period_end"`
	CurrentPeriodStart int64             `json:"current_period_start"`
	Discounts          []string          `json:"discounts"`
	Metadata           map[string]string `json:"metadata"`
	Price              priceJSON         `json:"price"`
	Quantity           int64             `json:"quantity"`
	Subscription       string            `json:"subscription"`
	TaxRates           []string          `json:"tax_rates"`
}

// daysUntilDue is how long the customers of the demo account have to pay an
// invoice.
const daysUntilDue = 30

func newSubscription(c *Customer, s *Subscription) subscriptionJSON {
	items := make([]subscriptionItem, len(s.Items))
	currency := c.Currency
	for i := range s.Items {
		it := &s.Items[i]
		items[i] = subscriptionItem{
			ID: it.ID, Object: "subscription_item", Created: unix(s.Created),
			CurrentPeriodEnd: unix(s.CurrentPeriodEnd), CurrentPeriodStart: unix(s.CurrentPeriodStart),
			Discounts: []string{}, Metadata: map[string]string{}, Price: newPrice(&it.Price),
			Quantity: max(it.Quantity, 1), Subscription: s.ID, TaxRates: []string{},
		}
		if i == 0 {
			currency = it.Price.Currency
		}
	}
	out := subscriptionJSON{
		ID: s.ID, Object: "subscription", BillingCycleAnchor: unix(s.CurrentPeriodStart),
		CancelAtPeriodEnd: s.CancelAtPeriodEnd, CanceledAt: optTime(s.CanceledAt),
		CollectionMethod: "send_invoice", Created: unix(s.Created), Currency: currency, Customer: c.ID,
		DaysUntilDue: daysUntilDue, DefaultTaxRates: []string{}, Discounts: []string{},
		Items:         newList("/v1/subscription_items?subscription="+s.ID, items, false),
		LatestInvoice: optString(s.LatestInvoice), Metadata: map[string]string{},
		StartDate: unix(s.Created), Status: s.Status,
		TrialEnd: optTime(s.TrialEnd), TrialStart: optTime(s.TrialStart),
	}
	switch {
	case s.Status == SubscriptionCanceled:
		out.EndedAt = optTime(s.CanceledAt)
		out.CancellationDetails.Reason = optString("cancellation_requested")
	case s.CancelAtPeriodEnd:
		// Canceling at the end of the period schedules the cancellation then.
		out.CancelAt = optTime(s.CurrentPeriodEnd)
		out.CanceledAt = optTime(s.CanceledAt)
		out.CancellationDetails.Reason = optString("cancellation_requested")
	}
	return out
}
