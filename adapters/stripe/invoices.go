package stripe

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/adapters"
)

// listPage is the page size of list calls, the largest Stripe gives.
const listPage = 100

// scanLimit bounds the invoices read for the count and the summary of the
// invoices facet: ten pages. Rows stop at max_rows; a customer with more
// invoices than this gets a count and totals over the newest scanLimit.
const scanLimit = 1000

// Invoice statuses Stripe gives, and the one the adapter adds for an open
// invoice past its due date.
const (
	invoiceOpen    = "open"
	invoicePaid    = "paid"
	invoiceOverdue = "overdue"
)

// Column keys of the invoices table.
var invoiceColumns = []adapters.Column{
	{Key: "number", Title: "Number", Kind: adapters.KindText},
	{Key: "date", Title: "Date", Kind: adapters.KindDate},
	{Key: "status", Title: "Status", Kind: adapters.KindText},
	{Key: "amount_due", Title: "Amount due", Kind: adapters.KindMoney},
	{Key: "amount_paid", Title: "Amount paid", Kind: adapters.KindMoney},
	{Key: "due_date", Title: "Due date", Kind: adapters.KindDate},
}

// fetchInvoices lists a customer's invoices, newest first, with what is
// overdue, open and paid over the last twelve months.
func (a *Adapter) fetchInvoices(ctx context.Context, id string, f *adapters.Facet) error {
	now := a.now()
	t := adapters.Table{Name: FacetInvoices, Columns: invoiceColumns}
	var rows []*stripego.Invoice
	totals := newInvoiceTotals(now)
	err := a.call(ctx, "list invoices", func(ctx context.Context) error {
		params := &stripego.InvoiceListParams{Customer: stripego.String(id)}
		params.Limit = stripego.Int64(listPage)
		for inv, err := range a.api.V1Invoices.List(ctx, params) {
			if err != nil {
				return err
			}
			t.Total++
			if len(rows) < a.maxRows {
				rows = append(rows, inv)
			}
			totals.add(inv)
			if ev, ok := a.invoiceEvent(inv, now); ok {
				f.Events = append(f.Events, ev)
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
	slices.SortStableFunc(rows, func(x, y *stripego.Invoice) int { return cmp.Compare(y.Created, x.Created) })
	for _, inv := range rows {
		status := invoiceStatus(inv, now)
		currency := string(inv.Currency)
		t.Rows = append(t.Rows, adapters.Row{
			Cells: []adapters.Value{
				adapters.Text(cmp.Or(inv.Number, inv.ID)),
				dateValue(inv.Created),
				adapters.Text(status),
				money(inv.AmountDue, currency),
				money(inv.AmountPaid, currency),
				dateValue(inv.DueDate),
			},
			URL:      cmp.Or(inv.HostedInvoiceURL, a.dashboardURL("invoices", inv.ID)),
			Emphasis: status == invoiceOverdue,
		})
	}
	t.Summary = totals.metrics()
	f.Tables = []adapters.Table{t}
	return nil
}

// invoiceEvent is an invoice on the customer's timeline: when it was issued
// (finalized), with its amount and current status. Drafts are not events yet.
func (a *Adapter) invoiceEvent(inv *stripego.Invoice, now time.Time) (adapters.Event, bool) {
	if inv.Status == stripego.InvoiceStatusDraft || inv.Created == 0 {
		return adapters.Event{}, false
	}
	status := invoiceStatus(inv, now)
	return adapters.Event{
		At: time.Unix(inv.Created, 0), Kind: adapters.EventInvoice,
		Title:  "Invoice " + cmp.Or(inv.Number, inv.ID) + " " + status,
		Status: status, Amount: money(inv.AmountDue, string(inv.Currency)),
		URL: cmp.Or(inv.HostedInvoiceURL, a.dashboardURL("invoices", inv.ID)),
	}, true
}

// invoiceStatus is an invoice's status, "overdue" for an open invoice past
// its due date.
func invoiceStatus(inv *stripego.Invoice, now time.Time) string {
	status := string(inv.Status)
	if status == invoiceOpen && inv.DueDate != 0 && time.Unix(inv.DueDate, 0).Before(now) {
		return invoiceOverdue
	}
	return status
}

// invoiceTotals sums what is overdue, open and paid, per currency, in minor
// units.
type invoiceTotals struct {
	now        time.Time
	since      time.Time // start of the last twelve months
	currencies []string  // in order of first appearance
	overdue    map[string]int64
	open       map[string]int64
	paid       map[string]int64
}

func newInvoiceTotals(now time.Time) *invoiceTotals {
	return &invoiceTotals{
		now: now, since: now.AddDate(-1, 0, 0),
		overdue: map[string]int64{}, open: map[string]int64{}, paid: map[string]int64{},
	}
}

func (s *invoiceTotals) add(inv *stripego.Invoice) {
	cur := strings.ToUpper(string(inv.Currency))
	if cur == "" {
		return
	}
	if !slices.Contains(s.currencies, cur) {
		s.currencies = append(s.currencies, cur)
	}
	switch invoiceStatus(inv, s.now) {
	case invoiceOverdue:
		s.overdue[cur] += inv.AmountRemaining
		s.open[cur] += inv.AmountRemaining
	case invoiceOpen:
		s.open[cur] += inv.AmountRemaining
	case invoicePaid:
		paidAt := inv.Created
		if inv.StatusTransitions != nil && inv.StatusTransitions.PaidAt != 0 {
			paidAt = inv.StatusTransitions.PaidAt
		}
		if !time.Unix(paidAt, 0).Before(s.since) {
			s.paid[cur] += inv.AmountPaid
		}
	}
}

// metrics returns the totals; a customer billed in several currencies gets
// each figure once per currency, labelled with it.
func (s *invoiceTotals) metrics() []adapters.Metric {
	var out []adapters.Metric
	figures := []struct {
		label string
		sums  map[string]int64
	}{
		{"Overdue", s.overdue},
		{"Open", s.open},
		{"Paid last 12 months", s.paid},
	}
	for _, fig := range figures {
		for _, cur := range s.currencies {
			label := fig.label
			if len(s.currencies) > 1 {
				label += " (" + cur + ")"
			}
			m := adapters.Metric{Label: label, Value: money(fig.sums[cur], cur)}
			if fig.label == "Overdue" && cur == s.currencies[0] {
				m.Key = adapters.MetricOverdue
			}
			out = append(out, m)
		}
	}
	return out
}
