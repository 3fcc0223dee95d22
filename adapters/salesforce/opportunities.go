package salesforce

import (
	"context"

	"github.com/atrium-dev/atrium/adapters"
)

type opportunity struct {
	ID              string   `json:"Id"`
	Name            string   `json:"Name"`
	StageName       string   `json:"StageName"`
	Amount          *float64 `json:"Amount"`
	CloseDate       Date     `json:"CloseDate"`
	IsClosed        bool     `json:"IsClosed"`
	IsWon           bool     `json:"IsWon"`
	Probability     *float64 `json:"Probability"`
	CurrencyIsoCode string   `json:"CurrencyIsoCode"`
}

// fetchOpportunities lists an account's opportunities, open ones first. All
// records are read, because the summary covers all of them; the table shows the
// first max_rows. An unknown account reads as one without opportunities.
func (a *Adapter) fetchOpportunities(ctx context.Context, id string, f *adapters.Facet) error {
	soql := "SELECT Id, Name, StageName, Amount, CloseDate, IsClosed, IsWon, Probability" + a.currencyField() +
		" FROM Opportunity WHERE AccountId = " + Quote(id) + " ORDER BY IsClosed, CloseDate"
	res, err := a.client.query(ctx, soql, a.queryOptions(0))
	if err != nil {
		return err
	}
	opps, err := decodeRecords[opportunity](res.Records)
	if err != nil {
		return err
	}
	t := adapters.Table{
		Name: FacetOpportunities,
		Columns: []adapters.Column{
			{Key: "name", Title: "Name", Kind: adapters.KindText},
			{Key: "stage", Title: "Stage", Kind: adapters.KindText},
			{Key: "amount", Title: "Amount", Kind: adapters.KindMoney},
			{Key: "close_date", Title: "Close date", Kind: adapters.KindDate},
			{Key: "probability", Title: "Probability", Kind: adapters.KindPercent},
		},
		Total: res.TotalSize,
	}
	year := a.now().Year()
	var open, won moneySum
	openCount := 0
	for i, o := range opps {
		cur := a.currencyOf(o.CurrencyIsoCode)
		switch {
		case !o.IsClosed:
			openCount++
			open.add(o.Amount, cur)
		case o.IsWon && o.CloseDate.Year() == year:
			won.add(o.Amount, cur)
		}
		// A closed opportunity is an event on its close date; an open one has
		// not happened yet.
		if o.IsClosed && !o.CloseDate.IsZero() && len(f.Events) < maxEvents {
			verb, status := "Lost", "lost"
			if o.IsWon {
				verb, status = "Won", "won"
			}
			f.Events = append(f.Events, adapters.Event{At: o.CloseDate.Time, Kind: "opportunity",
				Title: verb + ": " + o.Name, Status: status, Amount: moneyValue(o.Amount, cur),
				URL: a.recordURL("Opportunity", o.ID)})
		}
		if i >= a.maxRows {
			continue
		}
		t.Rows = append(t.Rows, adapters.Row{
			Cells: []adapters.Value{
				adapters.Text(o.Name),
				adapters.Text(o.StageName),
				moneyValue(o.Amount, cur),
				dateValue(o.CloseDate),
				percentValue(o.Probability),
			},
			URL: a.recordURL("Opportunity", o.ID),
		})
	}
	t.Summary = []adapters.Metric{
		{Label: "Open pipeline", Value: open.value(a.currency), Key: adapters.MetricOpenPipeline},
		{Label: "Open", Value: countValue(openCount)},
		{Label: "Won this year", Value: won.value(a.currency)},
	}
	f.Tables = []adapters.Table{t}
	return nil
}

// moneySum adds amounts of one currency. Amounts in different currencies cannot
// be added without rates, so a mixed sum has no value.
type moneySum struct {
	total    float64
	currency string
	mixed    bool
}

func (s *moneySum) add(amount *float64, currency string) {
	if amount == nil {
		return
	}
	if s.currency != "" && s.currency != currency {
		s.mixed = true
	}
	s.currency = currency
	s.total += *amount
}

// value is the sum; an empty sum is zero in the org's currency.
func (s *moneySum) value(orgCurrency string) adapters.Value {
	if s.mixed {
		return adapters.Value{Kind: adapters.KindMoney}
	}
	if s.currency == "" {
		s.currency = orgCurrency
	}
	return adapters.Value{Kind: adapters.KindMoney, Number: s.total, Currency: s.currency, Valid: true}
}
