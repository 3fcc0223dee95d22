package billing

import "strings"

type invoiceJSON struct {
	ID                           string                 `json:"id"`
	Object                       string                 `json:"object"`
	AccountCountry               string                 `json:"account_country"`
	AccountName                  string                 `json:"account_name"`
	AmountDue                    int64                  `json:"amount_due"`
	AmountPaid                   int64                  `json:"amount_paid"`
	AmountRemaining              int64                  `json:"amount_remaining"`
	AttemptCount                 int64                  `json:"attempt_count"`
	Attempted                    bool                   `json:"attempted"`
	AutoAdvance                  bool                   `json:"auto_advance"`
	BillingReason                string                 `json:"billing_reason"`
	CollectionMethod             string                 `json:"collection_method"`
	Created                      int64                  `json:"created"`
	Currency                     string                 `json:"currency"`
	Customer                     string                 `json:"customer"`
	CustomerAddress              *addressJSON           `json:"customer_address"`
	CustomerEmail                *string                `json:"customer_email"`
	CustomerName                 *string                `json:"customer_name"`
	CustomerPhone                *string                `json:"customer_phone"`
	CustomerTaxExempt            string                 `json:"customer_tax_exempt"`
	DefaultPaymentMethod         null                   `json:"default_payment_method"`
	Description                  *string                `json:"description"`
	Discounts                    []string               `json:"discounts"`
	DueDate                      *int64                 `json:"due_date"`
	EffectiveAt                  *int64                 `json:"effective_at"`
	EndingBalance                *int64                 `json:"ending_balance"`
	Footer                       null                   `json:"footer"`
	HostedInvoiceURL             *string                `json:"hosted_invoice_url"`
	InvoicePDF                   *string                `json:"invoice_pdf"`
	Lines                        listJSON[lineItemJSON] `json:"lines"`
	Livemode                     bool                   `json:"livemode"`
	Metadata                     map[string]string      `json:"metadata"`
	Number                       *string                `json:"number"`
	Parent                       *invoiceParentJSON     `json:"parent"`
	PeriodEnd                    int64                  `json:"period_end"`
	PeriodStart                  int64                  `json:"period_start"`
	PostPaymentCreditNotesAmount int64                  `json:"post_payment_credit_notes_amount"`
	PrePaymentCreditNotesAmount  int64                  `json:"pre_payment_credit_notes_amount"`
	ReceiptNumber                null                   `json:"receipt_number"`
	StartingBalance              int64                  `json:"starting_balance"`
	StatementDescriptor          null                   `json:"statement_descriptor"`
	Status                       InvoiceStatus          `json:"status"`
	StatusTransitions            statusTransitionsJSON  `json:"status_transitions"`
	Subtotal                     int64                  `json:"subtotal"`
	SubtotalExcludingTax         int64                  `json:"subtotal_excluding_tax"`
	TestClock                    null                   `json:"test_clock"`
	Total                        int64                  `json:"total"`
	TotalExcludingTax            int64                  `json:"total_excluding_tax"`
	WebhooksDeliveredAt          *int64                 `json:"webhooks_delivered_at"`
}

type statusTransitionsJSON struct {
	FinalizedAt           *int64 `json:"finalized_at"`
	MarkedUncollectibleAt *int64 `json:"marked_uncollectible_at"`
	PaidAt                *int64 `json:"paid_at"`
	VoidedAt              *int64 `json:"voided_at"`
}

type invoiceParentJSON struct {
	QuoteDetails        null                     `json:"quote_details"`
	SubscriptionDetails *subscriptionDetailsJSON `json:"subscription_details"`
	Type                string                   `json:"type"`
}

type subscriptionDetailsJSON struct {
	Metadata     map[string]string `json:"metadata"`
	Subscription string            `json:"subscription"`
}

type lineItemJSON struct {
	ID              string            `json:"id"`
	Object          string            `json:"object"`
	Amount          int64             `json:"amount"`
	Currency        string            `json:"currency"`
	Description     *string           `json:"description"`
	DiscountAmounts []string          `json:"discount_amounts"`
	Discountable    bool              `json:"discountable"`
	Discounts       []string          `json:"discounts"`
	Invoice         string            `json:"invoice"`
	Livemode        bool              `json:"livemode"`
	Metadata        map[string]string `json:"metadata"`
	Parent          lineParentJSON    `json:"parent"`
	Period          periodJSON        `json:"period"`
	Pricing         *pricingJSON      `json:"pricing"`
	Quantity        int64             `json:"quantity"`
	Subscription    *string           `json:"subscription"`
	Taxes           []string          `json:"taxes"`
}

type periodJSON struct {
	End   int64 `json:"end"`
	Start int64 `json:"start"`
}

// lineParentJSON says what a line bills: an invoice item added by hand, or a
// subscription item.
type lineParentJSON struct {
	InvoiceItemDetails      *lineItemDetailsJSON `json:"invoice_item_details"`
	SubscriptionItemDetails *lineItemDetailsJSON `json:"subscription_item_details"`
	Type                    string               `json:"type"`
}

// lineItemDetailsJSON holds the fields of both kinds of line parent; a
// subscription item's has all of them, an invoice item's no subscription item.
type lineItemDetailsJSON struct {
	InvoiceItem      *string              `json:"invoice_item"`
	Proration        bool                 `json:"proration"`
	ProrationDetails prorationDetailsJSON `json:"proration_details"`
	Subscription     *string              `json:"subscription"`
	SubscriptionItem *string              `json:"subscription_item,omitempty"`
}

type prorationDetailsJSON struct {
	CreditedItems null `json:"credited_items"`
}

type pricingJSON struct {
	PriceDetails      priceDetailsJSON `json:"price_details"`
	Type              string           `json:"type"`
	UnitAmountDecimal string           `json:"unit_amount_decimal"`
}

type priceDetailsJSON struct {
	Price   string `json:"price"`
	Product string `json:"product"`
}

// newInvoice renders an invoice of a customer. An invoice is sent to be paid
// within its due date; a draft has no number, link or finalization yet.
func newInvoice(c *Customer, inv *Invoice) invoiceJSON {
	var due int64
	lines := make([]lineItemJSON, len(inv.Lines))
	for i := range inv.Lines {
		lines[i] = newLineItem(inv, &inv.Lines[i])
		due += inv.Lines[i].Amount
	}
	remaining := due - inv.AmountPaid
	if inv.Status == InvoicePaid || inv.Status == InvoiceVoid {
		remaining = 0
	}
	out := invoiceJSON{
		ID: inv.ID, Object: "invoice", AccountCountry: "US", AccountName: "Atrium Demo Billing",
		AmountDue: due, AmountPaid: inv.AmountPaid, AmountRemaining: remaining,
		BillingReason: "manual", CollectionMethod: "send_invoice", Created: unix(inv.Created),
		Currency: inv.Currency, Customer: c.ID, CustomerAddress: newAddress(c.Address),
		CustomerEmail: optString(c.Email), CustomerName: optString(c.Name), CustomerPhone: optString(c.Phone),
		CustomerTaxExempt: "none", Description: optString(inv.Description), Discounts: []string{},
		DueDate: optTime(inv.DueDate), EffectiveAt: optTime(inv.FinalizedAt),
		Lines:    newList("/v1/invoices/"+inv.ID+"/lines", lines, false),
		Metadata: map[string]string{}, Number: optString(inv.Number),
		PeriodEnd: unix(orTime(inv.PeriodEnd, inv.Created)), PeriodStart: unix(orTime(inv.PeriodStart, inv.Created)),
		Status: inv.Status,
		StatusTransitions: statusTransitionsJSON{
			FinalizedAt: optTime(inv.FinalizedAt), MarkedUncollectibleAt: optTime(inv.MarkedUncollectibleAt),
			PaidAt: optTime(inv.PaidAt), VoidedAt: optTime(inv.VoidedAt),
		},
		Subtotal: due, SubtotalExcludingTax: due, Total: due, TotalExcludingTax: due,
	}
	if inv.Status == InvoiceDraft {
		out.AutoAdvance = true
	} else {
		var zero int64
		out.Attempted, out.EndingBalance = inv.Status == InvoicePaid, &zero
		out.HostedInvoiceURL = optString(hostedInvoiceURL(inv.ID))
		out.InvoicePDF = optString(invoicePDFURL(inv.ID))
		out.WebhooksDeliveredAt = optTime(inv.FinalizedAt)
	}
	if inv.Subscription != "" {
		out.BillingReason = "subscription_cycle"
		out.Parent = &invoiceParentJSON{
			SubscriptionDetails: &subscriptionDetailsJSON{Metadata: map[string]string{}, Subscription: inv.Subscription},
			Type:                "subscription_details",
		}
	}
	return out
}

func newLineItem(inv *Invoice, l *InvoiceLine) lineItemJSON {
	out := lineItemJSON{
		ID: l.ID, Object: "line_item", Amount: l.Amount, Currency: inv.Currency,
		Description: optString(l.Description), DiscountAmounts: []string{}, Discountable: true,
		Discounts: []string{}, Invoice: inv.ID, Metadata: map[string]string{},
		Period: periodJSON{
			End:   unix(orTime(l.PeriodEnd, orTime(inv.PeriodEnd, inv.Created))),
			Start: unix(orTime(l.PeriodStart, orTime(inv.PeriodStart, inv.Created))),
		},
		Quantity: max(l.Quantity, 1), Taxes: []string{},
	}
	if l.Price != nil {
		out.Pricing = &pricingJSON{
			PriceDetails:      priceDetailsJSON{Price: l.Price.ID, Product: l.Price.Product.ID},
			Type:              "price_details",
			UnitAmountDecimal: newPrice(l.Price).UnitAmountDecimal,
		}
	}
	if l.SubscriptionItem != "" {
		out.Subscription = optString(inv.Subscription)
		out.Parent = lineParentJSON{Type: "subscription_item_details", SubscriptionItemDetails: &lineItemDetailsJSON{
			Subscription: optString(inv.Subscription), SubscriptionItem: optString(l.SubscriptionItem),
		}}
		return out
	}
	// A line added by hand bills an invoice item of its own.
	out.Parent = lineParentJSON{Type: "invoice_item_details", InvoiceItemDetails: &lineItemDetailsJSON{
		InvoiceItem: optString("ii_" + strings.TrimPrefix(l.ID, "il_")),
	}}
	return out
}
