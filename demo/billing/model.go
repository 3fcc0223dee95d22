package billing

import "time"

// Customer is a billing customer with its invoices and subscriptions, as the
// server is seeded with it. Empty strings and zero times are nulls on the
// wire; currencies are lowercase ISO codes and amounts are in the currency's
// minor unit (cents, but whole yen for jpy), as Stripe gives them.
type Customer struct {
	ID          string // cus_…
	Name        string
	Email       string
	Phone       string
	Description string
	Currency    string // the currency it is billed in; "" before its first invoice
	// Balance is what the customer owes (positive) or is owed (negative)
	// besides its invoices.
	Balance       int64
	Address       *Address
	Metadata      map[string]string
	Created       time.Time
	InvoicePrefix string // the prefix of its invoice numbers, e.g. "7FE1103"
	Invoices      []Invoice
	Subscriptions []Subscription
}

// Address is a postal address; Country is an ISO 3166-1 alpha-2 code.
type Address struct {
	Line1, Line2, City, State, PostalCode, Country string
}

// InvoiceStatus is where an invoice is in its life.
type InvoiceStatus string

// Invoice statuses. An overdue invoice is open with a due date in the past.
const (
	InvoiceDraft         InvoiceStatus = "draft"
	InvoiceOpen          InvoiceStatus = "open"
	InvoicePaid          InvoiceStatus = "paid"
	InvoiceVoid          InvoiceStatus = "void"
	InvoiceUncollectible InvoiceStatus = "uncollectible"
)

// Invoice is a customer's invoice. Its amount due is the sum of its lines.
type Invoice struct {
	ID       string // in_…
	Number   string // empty while a draft
	Status   InvoiceStatus
	Currency string
	Created  time.Time
	// DueDate is set for invoices sent to be paid by transfer; Stripe has none
	// for invoices it charges automatically.
	DueDate                time.Time
	PeriodStart, PeriodEnd time.Time
	// FinalizedAt, PaidAt and VoidedAt are when the invoice left draft, was
	// paid, was voided; MarkedUncollectibleAt when it was written off.
	FinalizedAt, PaidAt, VoidedAt, MarkedUncollectibleAt time.Time
	AmountPaid                                           int64
	Description                                          string
	Subscription                                         string // the subscription it bills, if any
	Lines                                                []InvoiceLine
}

// InvoiceLine is a line of an invoice.
type InvoiceLine struct {
	ID                     string // il_…
	Description            string
	Amount                 int64
	Quantity               int64
	PeriodStart, PeriodEnd time.Time
	// Price is what the line bills, if it bills a price; SubscriptionItem the
	// subscription item it bills, if any.
	Price            *Price
	SubscriptionItem string
}

// SubscriptionStatus is the state of a subscription.
type SubscriptionStatus string

// Subscription statuses the server holds.
const (
	SubscriptionActive   SubscriptionStatus = "active"
	SubscriptionPastDue  SubscriptionStatus = "past_due"
	SubscriptionCanceled SubscriptionStatus = "canceled"
	SubscriptionTrialing SubscriptionStatus = "trialing"
)

// Subscription is a customer's subscription. Its current period is the same
// for every item, as for any subscription whose items share an interval.
type Subscription struct {
	ID                 string // sub_…
	Status             SubscriptionStatus
	Created            time.Time
	CurrentPeriodStart time.Time
	CurrentPeriodEnd   time.Time
	CancelAtPeriodEnd  bool
	CanceledAt         time.Time
	TrialStart         time.Time
	TrialEnd           time.Time
	LatestInvoice      string
	Items              []SubscriptionItem
}

// SubscriptionItem is a price a subscription bills, in a quantity.
type SubscriptionItem struct {
	ID       string // si_…
	Price    Price
	Quantity int64
}

// Price is a recurring price of a product.
type Price struct {
	ID            string // price_…
	Nickname      string
	Currency      string
	UnitAmount    int64
	Interval      string // day, week, month or year
	IntervalCount int64  // 0 is 1
	Product       Product
	Created       time.Time
}

// Product is what a price sells.
type Product struct {
	ID          string // prod_…
	Name        string
	Description string
	Created     time.Time
}
