package billing

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The record pages stand in for Stripe's dashboard, where the Stripe
// adapter's links open a customer, an invoice or a subscription: a source
// whose dashboard_url names this server links here instead of
// dashboard.stripe.com. Test-mode links carry /test before the path, as
// the dashboard's do. The pages are read-only and carry no script.

// pageIndex finds what a record page shows.
type pageIndex struct {
	customers     map[string]*Customer
	invoices      map[string]invoicePage
	subscriptions map[string]subscriptionPage
}

type invoicePage struct {
	inv *Invoice
	cus *Customer
}

type subscriptionPage struct {
	sub *Subscription
	cus *Customer
}

func newPageIndex(customers []Customer) *pageIndex {
	ix := &pageIndex{customers: map[string]*Customer{}, invoices: map[string]invoicePage{}, subscriptions: map[string]subscriptionPage{}}
	for i := range customers {
		c := &customers[i]
		ix.customers[c.ID] = c
		for j := range c.Invoices {
			ix.invoices[c.Invoices[j].ID] = invoicePage{&c.Invoices[j], c}
		}
		for j := range c.Subscriptions {
			ix.subscriptions[c.Subscriptions[j].ID] = subscriptionPage{&c.Subscriptions[j], c}
		}
	}
	return ix
}

// pageRow is one labelled value of a page; Link, when set, makes it a link.
type pageRow struct{ Label, Value, Link string }

// pageTable is a list of related objects.
type pageTable struct {
	Title   string
	Columns []string
	Rows    [][]pageRow // each cell's Label is unused
}

// pageView is a record page.
type pageView struct {
	Kind, Title string
	Rows        []pageRow
	Tables      []pageTable
	Message     string // on a not-found page
}

var pageHTML = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}} | Billing (simulated)</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1a1f36}
header{background:#635bff;color:#fff;padding:.6rem 1.5rem;font-size:.9rem}
main{max-width:52rem;margin:1.5rem auto;background:#fff;border:1px solid #e3e8ee;border-radius:.4rem;padding:1.25rem 1.5rem}
h1{margin:.1rem 0 1rem;font-size:1.4rem}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
.kind{color:#697386;font-size:.85rem;text-transform:uppercase;letter-spacing:.04em}
dl{display:grid;grid-template-columns:minmax(10rem,max-content) 1fr;gap:.35rem 1.25rem;margin:0}
dt{color:#697386}dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e3e8ee}
a{color:#635bff}
</style>
</head>
<body>
<header>Demo billing (simulated Stripe): a read-only view of the record</header>
<main>
{{if .Message}}<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{else}}<div class="kind">{{.Kind}}</div>
<h1>{{.Title}}</h1>
<dl>
{{range .Rows}}<dt>{{.Label}}</dt><dd>{{if .Link}}<a href="{{.Link}}">{{.Value}}</a>{{else}}{{.Value}}{{end}}</dd>
{{end}}</dl>
{{range .Tables}}<h2>{{.Title}}</h2>
<table><thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{if .Link}}<a href="{{.Link}}">{{.Value}}</a>{{else}}{{.Value}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{end}}{{end}}</main>
</body>
</html>
`))

// routePages adds the record pages to mux, with and without /test.
func (s *Server) routePages(mux *http.ServeMux) {
	for _, mode := range []string{"", "/test"} {
		mux.HandleFunc("GET "+mode+"/customers/{id}", s.page(mode, s.customerPage))
		mux.HandleFunc("GET "+mode+"/invoices/{id}", s.page(mode, s.invoicePage))
		mux.HandleFunc("GET "+mode+"/subscriptions/{id}", s.page(mode, s.subscriptionPage))
	}
}

// page answers a record page, or a 404 page when view finds nothing.
func (s *Server) page(mode string, view func(mode, id string) (pageView, bool)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		v, ok := view(mode, id)
		status := http.StatusOK
		if !ok {
			status = http.StatusNotFound
			v = pageView{Title: "No such object", Message: fmt.Sprintf("The demo billing account holds nothing with id %s.", id)}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_ = pageHTML.Execute(w, v)
		}
	}
}

func (s *Server) customerPage(mode, id string) (pageView, bool) {
	c := s.pages.customers[id]
	if c == nil {
		return pageView{}, false
	}
	v := pageView{Kind: "Customer", Title: orDash(c.Name)}
	v.Rows = append(v.Rows, pageRow{Label: "Customer id", Value: c.ID}, pageRow{Label: "Email", Value: orDash(c.Email)},
		pageRow{Label: "Phone", Value: orDash(c.Phone)}, pageRow{Label: "Currency", Value: orDash(strings.ToUpper(c.Currency))},
		pageRow{Label: "Balance", Value: money(c.Balance, c.Currency)}, pageRow{Label: "Created", Value: day(c.Created)})
	for _, k := range slices.Sorted(maps.Keys(c.Metadata)) {
		v.Rows = append(v.Rows, pageRow{Label: "Metadata " + k, Value: c.Metadata[k]})
	}
	if len(c.Invoices) > 0 {
		t := pageTable{Title: "Invoices", Columns: []string{"Number", "Status", "Amount", "Created"}}
		for i := range c.Invoices {
			inv := &c.Invoices[i]
			t.Rows = append(t.Rows, []pageRow{{Value: orDash(inv.Number), Link: mode + "/invoices/" + inv.ID},
				{Value: string(inv.Status)}, {Value: money(invoiceTotal(inv), inv.Currency)}, {Value: day(inv.Created)}})
		}
		v.Tables = append(v.Tables, t)
	}
	if len(c.Subscriptions) > 0 {
		t := pageTable{Title: "Subscriptions", Columns: []string{"Subscription", "Status", "Current period"}}
		for i := range c.Subscriptions {
			sub := &c.Subscriptions[i]
			t.Rows = append(t.Rows, []pageRow{{Value: sub.ID, Link: mode + "/subscriptions/" + sub.ID},
				{Value: string(sub.Status)}, {Value: day(sub.CurrentPeriodStart) + " to " + day(sub.CurrentPeriodEnd)}})
		}
		v.Tables = append(v.Tables, t)
	}
	return v, true
}

func (s *Server) invoicePage(mode, id string) (pageView, bool) {
	p, ok := s.pages.invoices[id]
	if !ok {
		return pageView{}, false
	}
	inv := p.inv
	v := pageView{Kind: "Invoice", Title: "Invoice " + orDash(inv.Number)}
	v.Rows = []pageRow{{Label: "Invoice id", Value: inv.ID}, {Label: "Status", Value: string(inv.Status)},
		{Label: "Customer", Value: orDash(p.cus.Name), Link: mode + "/customers/" + p.cus.ID},
		{Label: "Amount due", Value: money(invoiceTotal(inv), inv.Currency)}, {Label: "Amount paid", Value: money(inv.AmountPaid, inv.Currency)},
		{Label: "Created", Value: day(inv.Created)}, {Label: "Due", Value: day(inv.DueDate)}, {Label: "Paid", Value: day(inv.PaidAt)},
		{Label: "Description", Value: orDash(inv.Description)}}
	if inv.Subscription != "" {
		v.Rows = append(v.Rows, pageRow{Label: "Subscription", Value: inv.Subscription, Link: mode + "/subscriptions/" + inv.Subscription})
	}
	t := pageTable{Title: "Lines", Columns: []string{"Description", "Quantity", "Amount"}}
	for _, l := range inv.Lines {
		t.Rows = append(t.Rows, []pageRow{{Value: orDash(l.Description)}, {Value: fmt.Sprint(max(l.Quantity, 1))}, {Value: money(l.Amount, inv.Currency)}})
	}
	v.Tables = []pageTable{t}
	return v, true
}

func (s *Server) subscriptionPage(mode, id string) (pageView, bool) {
	p, ok := s.pages.subscriptions[id]
	if !ok {
		return pageView{}, false
	}
	sub := p.sub
	v := pageView{Kind: "Subscription", Title: "Subscription of " + orDash(p.cus.Name)}
	v.Rows = []pageRow{{Label: "Subscription id", Value: sub.ID}, {Label: "Status", Value: string(sub.Status)},
		{Label: "Customer", Value: orDash(p.cus.Name), Link: mode + "/customers/" + p.cus.ID},
		{Label: "Created", Value: day(sub.Created)},
		{Label: "Current period", Value: day(sub.CurrentPeriodStart) + " to " + day(sub.CurrentPeriodEnd)}}
	if sub.CancelAtPeriodEnd {
		v.Rows = append(v.Rows, pageRow{Label: "Cancels", Value: "at the end of the period"})
	}
	t := pageTable{Title: "Items", Columns: []string{"Product", "Price", "Quantity"}}
	for _, it := range sub.Items {
		t.Rows = append(t.Rows, []pageRow{{Value: orDash(it.Price.Product.Name)},
			{Value: money(it.Price.UnitAmount, it.Price.Currency) + " / " + it.Price.Interval}, {Value: fmt.Sprint(max(it.Quantity, 1))}})
	}
	v.Tables = []pageTable{t}
	return v, true
}

func invoiceTotal(inv *Invoice) int64 {
	var n int64
	for _, l := range inv.Lines {
		n += l.Amount
	}
	return n
}

// zeroDecimal are currencies whose amounts Stripe gives in whole units.
var zeroDecimal = map[string]bool{"jpy": true, "krw": true, "vnd": true, "clp": true, "isk": true}

// money formats an amount in a currency's minor units.
func money(amount int64, currency string) string {
	cur := strings.ToUpper(currency)
	if zeroDecimal[currency] {
		return fmt.Sprintf("%s %d", cur, amount)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s %s%d.%02d", cur, sign, amount/100, amount%100)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
