package salesforce

import (
	"context"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

type supportCase struct {
	ID          string   `json:"Id"`
	CaseNumber  string   `json:"CaseNumber"`
	Subject     string   `json:"Subject"`
	Status      string   `json:"Status"`
	Priority    string   `json:"Priority"`
	CreatedDate DateTime `json:"CreatedDate"`
	ClosedDate  DateTime `json:"ClosedDate"`
}

// fetchCases lists an account's cases, open ones (no ClosedDate) first, newest
// first. Like opportunities, all are read for the summary.
func (a *Adapter) fetchCases(ctx context.Context, id string, f *adapters.Facet) error {
	soql := "SELECT Id, CaseNumber, Subject, Status, Priority, CreatedDate, ClosedDate FROM Case WHERE AccountId = " +
		Quote(id) + " ORDER BY ClosedDate DESC NULLS FIRST, CreatedDate DESC"
	res, err := a.client.query(ctx, soql, a.queryOptions(0))
	if err != nil {
		return err
	}
	cases, err := decodeRecords[supportCase](res.Records)
	if err != nil {
		return err
	}
	t := adapters.Table{
		Name: FacetCases,
		Columns: []adapters.Column{
			{Key: "case_number", Title: "Case number", Kind: adapters.KindText},
			{Key: "subject", Title: "Subject", Kind: adapters.KindText},
			{Key: "priority", Title: "Priority", Kind: adapters.KindText},
			{Key: "status", Title: "Status", Kind: adapters.KindText},
			{Key: "opened", Title: "Opened", Kind: adapters.KindDateTime},
		},
		Total: res.TotalSize,
	}
	openCount := 0
	for i, c := range cases {
		open := c.ClosedDate.IsZero()
		if open {
			openCount++
		}
		if i < maxEvents {
			f.Events = append(f.Events, caseEvents(c, a.recordURL("Case", c.ID))...)
		}
		if i >= a.maxRows {
			continue
		}
		t.Rows = append(t.Rows, adapters.Row{
			Cells: []adapters.Value{
				adapters.Text(c.CaseNumber),
				adapters.Text(c.Subject),
				adapters.Text(c.Priority),
				adapters.Text(c.Status),
				dateTimeValue(c.CreatedDate),
			},
			URL:      a.recordURL("Case", c.ID),
			Emphasis: open && strings.EqualFold(c.Priority, "High"),
		})
	}
	t.Summary = []adapters.Metric{{Label: "Open cases", Value: countValue(openCount), Key: adapters.MetricOpenCases}}
	f.Tables = []adapters.Table{t}
	return nil
}

// maxEvents bounds the timeline events one facet contributes: the newest
// records are the ones a timeline shows.
const maxEvents = 500

// caseEvents are a case's opening and, if closed, its closing.
func caseEvents(c supportCase, url string) []adapters.Event {
	var out []adapters.Event
	if !c.CreatedDate.IsZero() {
		out = append(out, adapters.Event{At: c.CreatedDate.Time, Kind: "case", URL: url,
			Title: "Case " + c.CaseNumber + " opened: " + c.Subject, Status: strings.ToLower(c.Priority)})
	}
	if !c.ClosedDate.IsZero() {
		out = append(out, adapters.Event{At: c.ClosedDate.Time, Kind: "case", URL: url,
			Title: "Case " + c.CaseNumber + " closed: " + c.Subject, Status: "closed"})
	}
	return out
}

func countValue(n int) adapters.Value {
	return adapters.Value{Kind: adapters.KindNumber, Number: float64(n), Valid: true}
}
