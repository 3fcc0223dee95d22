package present

import (
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// Chart geometry, in SVG user units.
const (
	chartWidth  = 600
	chartHeight = 150
	chartTop    = 8
	chartBottom = 18 // room for month labels
)

// overview maps the across-systems summary.
func overview(s *customer.Summary) *components.Overview {
	o := &components.Overview{}
	for _, m := range s.Metrics {
		o.Metrics = append(o.Metrics, components.SourcedValue{Label: m.Label, Value: Cell(m.Value).Text, Source: m.SourceTitle})
	}
	for _, f := range s.Facts {
		o.Facts = append(o.Facts, components.SourcedValue{Label: f.Label, Value: Cell(f.Value).Text, Source: f.SourceTitle})
	}
	if len(s.Invoiced) > 0 {
		o.Chart = barChart("Invoiced per month, last 12 months ("+s.Currency+")", s.Invoiced, s.Currency)
	}
	if len(o.Metrics) == 0 && len(o.Facts) == 0 && o.Chart == nil {
		o.Empty = "No key figures yet: the connected systems reported none for this customer."
	}
	return o
}

func barChart(title string, months []customer.MonthTotal, currency string) *components.BarChart {
	c := &components.BarChart{Title: title, Width: chartWidth, Height: chartHeight}
	top := 0.0
	for _, m := range months {
		top = max(top, m.Amount)
	}
	slot := chartWidth / len(months)
	plot := float64(chartHeight - chartTop - chartBottom)
	for i, m := range months {
		h := 0
		if top > 0 {
			h = int(m.Amount / top * plot)
		}
		if m.Amount > 0 && h < 2 {
			h = 2 // a small amount stays visible
		}
		c.Bars = append(c.Bars, components.Bar{
			Label: m.Month.Format("Jan"), Value: Money(m.Amount, currency),
			X: i*slot + slot/6, W: slot * 2 / 3, Y: chartHeight - chartBottom - h, H: h, LabelX: i*slot + slot/2,
		})
	}
	return c
}
