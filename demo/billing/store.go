package billing

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// sortKey places an object in a list: Stripe lists newest first, and objects
// created in the same second by id, descending.
type sortKey struct {
	created int64
	id      string
}

func (k sortKey) position() sortKey { return k }

// compare orders a before b (-1) when a comes first in a list.
func (a sortKey) compare(b sortKey) int {
	return cmp.Or(cmp.Compare(b.created, a.created), strings.Compare(b.id, a.id))
}

// keyed is an object of a list.
type keyed interface{ position() sortKey }

type customerRecord struct {
	sortKey
	// What a search reads, copied from the customer.
	email, name, phone string
	metadata           map[string]string
	wire               customerJSON
	// dues are the due dates of the customer's open invoices.
	dues []time.Time
}

// render returns the customer's JSON at a time: it is delinquent while an
// invoice is open past its due date.
func (r *customerRecord) render(now time.Time) customerJSON {
	w := r.wire
	for _, d := range r.dues {
		if d.Before(now) {
			w.Delinquent = true
		}
	}
	return w
}

type invoiceRecord struct {
	sortKey
	customer     string
	subscription string
	status       InvoiceStatus
	wire         invoiceJSON
}

type subscriptionRecord struct {
	sortKey
	customer string
	status   SubscriptionStatus
	prices   []string
	wire     subscriptionJSON
}

type productRecord struct {
	sortKey
	wire productJSON
}

// store holds the account's objects, rendered once, each kind in list order
// and by id.
type store struct {
	customers        []*customerRecord
	customerByID     map[string]*customerRecord
	invoices         []*invoiceRecord
	invoiceByID      map[string]*invoiceRecord
	subscriptions    []*subscriptionRecord
	subscriptionByID map[string]*subscriptionRecord
	products         []*productRecord
	productByID      map[string]*productRecord
	balance          balanceJSON
}

// hostInvoices points the hosted_invoice_url of every invoice that has one
// at base+id.
func (st *store) hostInvoices(base string) {
	for _, ir := range st.invoices {
		if ir.wire.HostedInvoiceURL != nil {
			ir.wire.HostedInvoiceURL = optString(base + ir.id)
		}
	}
}

// newStore renders validated customers.
func newStore(customers []Customer) *store {
	st := &store{
		customerByID:     map[string]*customerRecord{},
		invoiceByID:      map[string]*invoiceRecord{},
		subscriptionByID: map[string]*subscriptionRecord{},
		productByID:      map[string]*productRecord{},
	}
	paid := map[string]int64{}
	for i := range customers {
		c := &customers[i]
		cr := &customerRecord{sortKey: sortKey{unix(c.Created), c.ID}, email: c.Email, name: c.Name,
			phone: c.Phone, wire: newCustomer(c)}
		cr.metadata = cr.wire.Metadata // a copy already; neither is ever changed
		st.customers = append(st.customers, cr)
		st.customerByID[c.ID] = cr
		for j := range c.Invoices {
			inv := &c.Invoices[j]
			ir := &invoiceRecord{sortKey: sortKey{unix(inv.Created), inv.ID}, customer: c.ID,
				subscription: inv.Subscription, status: inv.Status, wire: newInvoice(c, inv)}
			st.invoices = append(st.invoices, ir)
			st.invoiceByID[inv.ID] = ir
			switch inv.Status {
			case InvoiceOpen:
				if !inv.DueDate.IsZero() {
					cr.dues = append(cr.dues, inv.DueDate)
				}
			case InvoicePaid:
				paid[inv.Currency] += inv.AmountPaid
			}
			for _, l := range inv.Lines {
				if l.Price != nil {
					st.addProduct(&l.Price.Product)
				}
			}
		}
		for j := range c.Subscriptions {
			s := &c.Subscriptions[j]
			sr := &subscriptionRecord{sortKey: sortKey{unix(s.Created), s.ID}, customer: c.ID,
				status: s.Status, wire: newSubscription(c, s)}
			for _, it := range s.Items {
				sr.prices = append(sr.prices, it.Price.ID)
				st.addProduct(&it.Price.Product)
			}
			st.subscriptions = append(st.subscriptions, sr)
			st.subscriptionByID[s.ID] = sr
		}
	}
	sortList(st.customers)
	sortList(st.invoices)
	sortList(st.subscriptions)
	sortList(st.products)
	st.balance = newBalance(paid)
	return st
}

func (st *store) addProduct(p *Product) {
	if _, ok := st.productByID[p.ID]; ok {
		return
	}
	pr := &productRecord{sortKey: sortKey{unix(p.Created), p.ID}, wire: newProduct(p)}
	st.products = append(st.products, pr)
	st.productByID[p.ID] = pr
}

func sortList[T keyed](s []T) {
	slices.SortFunc(s, func(a, b T) int { return a.position().compare(b.position()) })
}

// newBalance is the account's balance: what its customers paid is
// available, in each currency; nothing is pending.
func newBalance(paid map[string]int64) balanceJSON {
	b := balanceJSON{Object: "balance", Available: []balanceAmount{}, Pending: []balanceAmount{}}
	currencies := slices.Sorted(maps.Keys(paid))
	if len(currencies) == 0 {
		currencies = []string{"usd"}
	}
	for _, cur := range currencies {
		b.Available = append(b.Available, balanceAmount{Amount: paid[cur], Currency: cur,
			SourceTypes: map[string]int64{"card": paid[cur]}})
		b.Pending = append(b.Pending, balanceAmount{Currency: cur, SourceTypes: map[string]int64{"card": 0}})
	}
	return b
}
