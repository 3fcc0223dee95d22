package billing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Account is a company of the CRM that the demo account bills.
type Account struct {
	Name         string
	Domain       string // its email domain, e.g. "acme-corp.com"
	SalesforceID string // its 18-character Salesforce account id; "" when none
	City         string
	Country      string // an ISO 3166-1 alpha-2 code or an English name
}

// MetadataKey is the customer metadata key that holds a Salesforce account id.
const MetadataKey = "salesforce_account_id"

// Customers of the demo data that are known only to billing: no CRM id in
// their metadata. The first has the email domain of the first account, so
// that it links to that account by domain; the second matches no account.
const (
	DemoPayablesCustomer  = "cus_DemoPayables"
	DemoUnmatchedCustomer = "cus_DemoUnmatched"
)

// Demo returns the demo account's customers: one per account, billed at
// billing@ or ap@ its domain, with its Salesforce id in metadata except for
// every fifth account (index 4, 9, …), which links by email domain only;
// then DemoPayablesCustomer (payables@ the first account's domain, in euros,
// if there is an account) and DemoUnmatchedCustomer (billed in yen). Each has
// 3 to 24 invoices over the last twelve months and 0 to 2 subscriptions;
// customers in the euro area are billed in euros, the others in dollars. The
// data depends only on the accounts and now, which dates are relative to.
func Demo(accounts []Account, now time.Time) []Customer {
	now = now.UTC().Truncate(time.Second)
	r := rand.New(rand.NewPCG(20260315, 7))
	sd := &seeder{r: r, now: now, cat: newCatalog(r, now.AddDate(-4, 0, 0))}
	var out []Customer
	for i, a := range accounts {
		p := profile{name: a.Name, city: a.City, country: countryCode(a.Country), currency: "usd"}
		if a.Domain != "" {
			p.email = []string{"billing", "billing", "ap"}[r.IntN(3)] + "@" + a.Domain
		}
		if a.SalesforceID != "" && i%5 != 4 {
			p.metadata = map[string]string{MetadataKey: a.SalesforceID}
		}
		if euro[p.country] {
			p.currency = "eur"
		}
		out = append(out, sd.customer(newID(r, "cus_", 14), p))
	}
	if len(accounts) > 0 {
		a := accounts[0]
		out = append(out, sd.customer(DemoPayablesCustomer, profile{name: a.Name + " (EMEA payables)",
			email: "payables@" + a.Domain, currency: "eur", city: "Dublin", country: "IE"}))
	}
	out = append(out, sd.customer(DemoUnmatchedCustomer, profile{name: "Kobayashi Trading K.K.",
		email: "keiri@kobayashi-trading.co.jp", currency: "jpy", city: "Tokyo", country: "JP"}))

	// One invoice of the account is void, one uncollectible, one a draft.
	sd.void(&out[0])
	sd.writeOff(&out[min(2, len(out)-1)])
	sd.draft(&out[min(1, len(out)-1)])
	for i := range out {
		number(&out[i])
	}
	return out
}

// seeder builds the demo data from a seeded random source.
type seeder struct {
	r   *rand.Rand
	now time.Time
	cat catalog
}

// profile is who a customer is.
type profile struct {
	name, email, currency, city, country string
	metadata                             map[string]string
}

// contract is what a customer buys each month: a plan and seats.
type contract struct {
	plan, seats Price
	quantity    int64
	sub         *Subscription // nil for a customer invoiced by hand
}

func (sd *seeder) customer(id string, p profile) Customer {
	r := sd.r
	c := Customer{ID: id, Name: p.name, Email: p.email, Currency: p.currency, Metadata: p.metadata,
		Created: sd.now.AddDate(0, 0, -400-r.IntN(700)), InvoicePrefix: strings.ToUpper(newID(r, "", 8))}
	if p.city != "" || p.country != "" {
		c.Address = &Address{City: p.city, Country: p.country}
	}
	if r.IntN(10) == 0 {
		c.Balance = -int64(5+r.IntN(46)) * 1000 // a credit
	}
	planKey := []string{planStarter, planGrowth, planGrowth, planEnterprise}[r.IntN(4)]
	k := contract{plan: sd.cat[planKey][c.Currency], seats: sd.cat[planSeats][c.Currency], quantity: int64(1 + r.IntN(40))}

	// Subscriptions renew monthly on the day they started.
	c0 := c.Created.AddDate(0, 0, r.IntN(20))
	anchor := time.Date(c0.Year(), c0.Month(), 1+r.IntN(28), 9+r.IntN(8), r.IntN(60), 0, 0, time.UTC)
	if anchor.Before(c.Created) {
		anchor = anchor.AddDate(0, 1, 0)
	}
	months := (sd.now.Year()-anchor.Year())*12 + int(sd.now.Month()-anchor.Month())
	if anchor.AddDate(0, months, 0).After(sd.now) {
		months--
	}
	start := anchor.AddDate(0, months, 0) // of the current period
	overdue := r.IntN(5) == 0
	subs := []int{0, 1, 1, 1, 1, 1, 1, 2, 2, 2}[r.IntN(10)]
	if subs > 0 {
		status := SubscriptionActive
		if overdue {
			status = SubscriptionPastDue
		}
		s := Subscription{ID: newID(r, "sub_", 24), Status: status, Created: anchor,
			CurrentPeriodStart: start, CurrentPeriodEnd: start.AddDate(0, 1, 0),
			Items: []SubscriptionItem{
				{ID: newID(r, "si_", 14), Price: k.plan, Quantity: 1},
				{ID: newID(r, "si_", 14), Price: k.seats, Quantity: k.quantity},
			}}
		if r.IntN(12) == 0 {
			s.CancelAtPeriodEnd, s.CanceledAt = true, sd.between(start, sd.now)
		}
		c.Subscriptions = append(c.Subscriptions, s)
		k.sub = &c.Subscriptions[0]
	}

	sd.invoices(&c, k, start, overdue)
	if subs == 2 {
		c.Subscriptions = append(c.Subscriptions, sd.secondSubscription(&c))
	}
	return c
}

// invoices bills a customer 3 to 24 times over the last twelve months: its
// contract each month up to the current period, which starts at start, and
// professional services now and then. The newest monthly invoice may still
// be open; the one of two months ago is open past its due date if overdue.
func (sd *seeder) invoices(c *Customer, k contract, start time.Time, overdue bool) {
	r := sd.r
	n := 3 + r.IntN(22)
	for m := range min(n, 12) {
		created := start.AddDate(0, -m, 0)
		status := InvoicePaid
		switch {
		case m == 0 && r.IntN(10) < 6, m == 2 && overdue:
			status = InvoiceOpen
		}
		inv := sd.invoice(c.Currency, created, status, sd.monthlyLines(k, created))
		if k.sub != nil {
			inv.Subscription = k.sub.ID
		}
		c.Invoices = append(c.Invoices, inv)
	}
	for range n - min(n, 12) {
		created := sd.now.Add(-time.Duration(1+r.IntN(360*24)) * time.Hour)
		status := InvoicePaid
		if created.After(sd.now.AddDate(0, 0, -20)) {
			status = InvoiceOpen
		}
		c.Invoices = append(c.Invoices, sd.invoice(c.Currency, created, status, sd.servicesLines(c.Currency, created)))
	}
	slices.SortFunc(c.Invoices, func(a, b Invoice) int { return b.Created.Compare(a.Created) })
	if k.sub != nil {
		k.sub.LatestInvoice = c.Invoices[slices.IndexFunc(c.Invoices, func(inv Invoice) bool { return inv.Subscription != "" })].ID
	}
}

// secondSubscription is a yearly support contract, a trial of an add-on, or
// a plan the customer left.
func (sd *seeder) secondSubscription(c *Customer) Subscription {
	r := sd.r
	s := Subscription{ID: newID(r, "sub_", 24)}
	item := func(p Price) []SubscriptionItem {
		return []SubscriptionItem{{ID: newID(r, "si_", 14), Price: p, Quantity: 1}}
	}
	switch r.IntN(3) {
	case 0:
		s.Status, s.Items = SubscriptionActive, item(sd.cat[planSupport][c.Currency])
		s.Created = sd.between(c.Created, sd.now.AddDate(0, -1, 0))
		s.CurrentPeriodStart = s.Created.AddDate(sd.now.Year()-s.Created.Year(), 0, 0)
		if s.CurrentPeriodStart.After(sd.now) {
			s.CurrentPeriodStart = s.CurrentPeriodStart.AddDate(-1, 0, 0)
		}
		s.CurrentPeriodEnd = s.CurrentPeriodStart.AddDate(1, 0, 0)
	case 1:
		s.Status, s.Items = SubscriptionTrialing, item(sd.cat[planAnalytics][c.Currency])
		s.Created = sd.now.Add(-time.Duration(1+r.IntN(10*24)) * time.Hour)
		s.TrialStart, s.TrialEnd = s.Created, s.Created.AddDate(0, 0, 14)
		s.CurrentPeriodStart, s.CurrentPeriodEnd = s.TrialStart, s.TrialEnd
	default:
		s.Status, s.Items = SubscriptionCanceled, item(sd.cat[planStarter][c.Currency])
		s.Created = c.Created
		s.CanceledAt = sd.between(c.Created.AddDate(0, 1, 0), c.Created.AddDate(0, 7, 0))
		s.CurrentPeriodStart, s.CurrentPeriodEnd = s.CanceledAt.AddDate(0, -1, 0), s.CanceledAt
	}
	return s
}

// invoice returns an invoice sent created, due in daysUntilDue days; a paid
// one was paid within three weeks.
func (sd *seeder) invoice(currency string, created time.Time, status InvoiceStatus, lines []InvoiceLine) Invoice {
	inv := Invoice{ID: newID(sd.r, "in_", 24), Status: status, Currency: currency, Created: created,
		DueDate: created.AddDate(0, 0, daysUntilDue), PeriodStart: created, PeriodEnd: created,
		FinalizedAt: sd.clamp(created.Add(time.Hour)), Lines: lines}
	if len(lines) > 0 && lines[0].SubscriptionItem != "" {
		// A subscription's invoice closes the period before the one it bills.
		inv.PeriodStart = created.AddDate(0, -1, 0)
	}
	if status == InvoicePaid {
		inv.PaidAt = sd.between(inv.FinalizedAt, sd.clamp(created.AddDate(0, 0, 21)))
		for _, l := range lines {
			inv.AmountPaid += l.Amount
		}
	}
	return inv
}

// monthlyLines bill a month of a contract from start: the plan and the seats.
func (sd *seeder) monthlyLines(k contract, start time.Time) []InvoiceLine {
	end := start.AddDate(0, 1, 0)
	lines := []InvoiceLine{
		{ID: newID(sd.r, "il_", 24), Description: "1 × " + k.plan.Product.Name, Amount: k.plan.UnitAmount,
			Quantity: 1, PeriodStart: start, PeriodEnd: end, Price: &k.plan},
		{ID: newID(sd.r, "il_", 24), Description: fmt.Sprintf("%d × %s", k.quantity, k.seats.Product.Name),
			Amount: k.seats.UnitAmount * k.quantity, Quantity: k.quantity, PeriodStart: start, PeriodEnd: end, Price: &k.seats},
	}
	if k.sub != nil {
		lines[0].SubscriptionItem, lines[1].SubscriptionItem = k.sub.Items[0].ID, k.sub.Items[1].ID
	}
	return lines
}

// servicesLines bill professional services: a workshop and consulting hours.
func (sd *seeder) servicesLines(currency string, at time.Time) []InvoiceLine {
	hours := int64(2 + sd.r.IntN(15))
	return []InvoiceLine{
		{ID: newID(sd.r, "il_", 24), Description: "Onboarding workshop", Amount: workshopFee[currency],
			Quantity: 1, PeriodStart: at, PeriodEnd: at},
		{ID: newID(sd.r, "il_", 24), Description: fmt.Sprintf("Integration consulting (%d hours)", hours),
			Amount: hourlyRate[currency] * hours, Quantity: hours, PeriodStart: at, PeriodEnd: at},
	}
}

// void voids the customer's newest paid invoice but the newest invoice.
func (sd *seeder) void(c *Customer) {
	i := findInvoice(c.Invoices, false, func(j int, inv Invoice) bool { return j > 0 && inv.Status == InvoicePaid })
	inv := &c.Invoices[i]
	inv.Status, inv.AmountPaid, inv.PaidAt = InvoiceVoid, 0, time.Time{}
	inv.VoidedAt = sd.clamp(inv.FinalizedAt.AddDate(0, 0, 2))
}

// writeOff marks the customer's oldest paid invoice uncollectible.
func (sd *seeder) writeOff(c *Customer) {
	i := findInvoice(c.Invoices, true, func(_ int, inv Invoice) bool { return inv.Status == InvoicePaid })
	inv := &c.Invoices[i]
	inv.Status, inv.AmountPaid, inv.PaidAt = InvoiceUncollectible, 0, time.Time{}
	inv.MarkedUncollectibleAt = sd.clamp(inv.DueDate.AddDate(0, 0, 30))
}

// draft adds the draft of the customer's next invoice, created an hour ago.
func (sd *seeder) draft(c *Customer) {
	created := sd.now.Add(-time.Hour)
	lines := slices.Clone(c.Invoices[0].Lines)
	for i := range lines {
		lines[i].ID = newID(sd.r, "il_", 24)
	}
	inv := sd.invoice(c.Currency, created, InvoiceDraft, lines)
	inv.Subscription, inv.DueDate, inv.FinalizedAt = c.Invoices[0].Subscription, time.Time{}, time.Time{}
	c.Invoices = append([]Invoice{inv}, c.Invoices...)
}

// findInvoice returns the index of the newest invoice that ok accepts, or
// of the oldest when oldest is set; the oldest invoice when none does.
func findInvoice(invs []Invoice, oldest bool, ok func(int, Invoice) bool) int {
	for n := range invs {
		j := n
		if oldest {
			j = len(invs) - 1 - n
		}
		if ok(j, invs[j]) {
			return j
		}
	}
	return len(invs) - 1
}

// number numbers a customer's finalized invoices in the order they were
// created: PREFIX-0001, PREFIX-0002…
func number(c *Customer) {
	seq := 0
	for i := len(c.Invoices) - 1; i >= 0; i-- {
		if c.Invoices[i].Status != InvoiceDraft {
			seq++
			c.Invoices[i].Number = fmt.Sprintf("%s-%04d", c.InvoicePrefix, seq)
		}
	}
}

// between returns a time from from to to; from when to is not later.
func (sd *seeder) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(sd.r.Int64N(int64(to.Sub(from)/time.Second)+1)) * time.Second)
}

// clamp returns t, or now when t is later: nothing of the seed has happened
// after now.
func (sd *seeder) clamp(t time.Time) time.Time {
	if t.After(sd.now) {
		return sd.now
	}
	return t
}
