package customer

import (
	"slices"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// GoldenField says which systems a customer fact is taken from, in order of
// preference: the first that holds a value wins, and the page says which did.
type GoldenField struct {
	Field   string // a header facet field, e.g. "billing_email"
	Label   string
	Sources []string
}

// Summary is what the customer's systems say together: key metrics, invoiced
// amounts per month, and the facts of the golden record.
type Summary struct {
	Metrics []KeyMetric
	// Invoiced holds the last twelve months, oldest first, in Currency; nil
	// when no system reported invoices.
	Invoiced []MonthTotal
	Currency string
	Facts    []GoldenFact
	// Links maps each system holding the customer to its record id there:
	// what embedded tools are opened on.
	Links map[string]string
}

// KeyMetric is one key figure and the system it came from.
type KeyMetric struct {
	Key         string
	Label       string
	Value       adapters.Value
	SourceTitle string
}

// MonthTotal is an amount invoiced in one month.
type MonthTotal struct {
	Month  time.Time
	Amount float64
}

// GoldenFact is one fact of the golden record and the system it came from.
type GoldenFact struct {
	Field       string
	Label       string
	Value       adapters.Value
	Source      string
	SourceTitle string
}

// metricOrder is the order key metrics are shown in.
var metricOrder = []string{adapters.MetricOpenPipeline, adapters.MetricOverdue, adapters.MetricOpenTickets,
	adapters.MetricOpenCases, adapters.MetricLastOrder}

// BuildSummary derives the summary from every panel that loaded, including the
// header facets of all systems.
func BuildSummary(panels []Panel, golden []GoldenField, now time.Time) Summary {
	var s Summary
	found := map[string]KeyMetric{}
	for _, p := range panels {
		if p.State != StateOK || p.Facet == nil {
			continue
		}
		for _, t := range p.Facet.Tables {
			for _, m := range t.Summary {
				if _, seen := found[m.Key]; m.Key != "" && !seen && m.Value.Valid {
					found[m.Key] = KeyMetric{Key: m.Key, Label: m.Label, Value: m.Value, SourceTitle: p.SourceTitle}
				}
			}
		}
	}
	for _, k := range metricOrder {
		if m, ok := found[k]; ok {
			s.Metrics = append(s.Metrics, m)
		}
	}
	s.Invoiced, s.Currency = invoicedPerMonth(panels, now)
	s.Facts = goldenFacts(panels, golden)
	s.Links = map[string]string{}
	for _, p := range panels {
		if p.Link != nil {
			s.Links[p.Source] = p.Link.ID
		}
	}
	return s
}

// invoicedPerMonth sums invoice events of the last twelve months in the
// currency most invoices use; invoices in other currencies are left out rather
// than added up wrongly.
func invoicedPerMonth(panels []Panel, now time.Time) ([]MonthTotal, string) {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, -11, 0)
	var invoices []adapters.Event
	count := map[string]int{}
	for _, p := range panels {
		if p.State != StateOK || p.Facet == nil {
			continue
		}
		for _, e := range p.Facet.Events {
			if e.Kind == adapters.EventInvoice && e.Amount.Valid && !e.At.Before(first) && !e.At.After(now) {
				invoices = append(invoices, e)
				count[e.Amount.Currency]++
			}
		}
	}
	if len(invoices) == 0 {
		return nil, ""
	}
	currency := ""
	for c, n := range count {
		if n > count[currency] || (n == count[currency] && c < currency) {
			currency = c
		}
	}
	months := make([]MonthTotal, 12)
	for i := range months {
		months[i].Month = first.AddDate(0, i, 0)
	}
	for _, e := range invoices {
		if e.Amount.Currency != currency {
			continue
		}
		at := e.At.In(now.Location())
		i := (at.Year()-first.Year())*12 + int(at.Month()) - int(first.Month())
		if i >= 0 && i < 12 {
			months[i].Amount += e.Amount.Number
		}
	}
	return months, currency
}

func goldenFacts(panels []Panel, golden []GoldenField) []GoldenFact {
	headers := map[string]Panel{}
	for _, p := range panels {
		if p.Spec.Header && p.State == StateOK && p.Facet != nil {
			headers[p.Source] = p
		}
	}
	var out []GoldenFact
	for _, g := range golden {
		for _, src := range g.Sources {
			h, ok := headers[src]
			if !ok {
				continue
			}
			if v, ok := h.Facet.Fields[g.Field]; ok && v.Valid {
				out = append(out, GoldenFact{Field: g.Field, Label: g.Label, Value: v, Source: src, SourceTitle: h.SourceTitle})
				break
			}
		}
	}
	return slices.Clip(out)
}
