package present

import (
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
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
