package present

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// contactsPanel is a panel of n contacts, "Contact 1" to "Contact n", the
// amount of contact i being i*10 and none for every seventh; the system holds
// total.
func contactsPanel(n, total int) customer.Panel {
	rows := make([]adapters.Row, n)
	for i := range rows {
		amount := money(float64((i + 1) * 10))
		if (i+1)%7 == 0 {
			amount = adapters.Value{Kind: adapters.KindMoney}
		}
		rows[i] = adapters.Row{Cells: []adapters.Value{adapters.Text(fmt.Sprintf("Contact %d", i+1)), amount}}
	}
	return customer.Panel{
		Source: "salesforce", SourceTitle: "Salesforce", Spec: adapters.FacetSpec{Name: "contacts", Title: "Contacts"}, State: customer.StateOK,
		Facet: &adapters.Facet{Tables: []adapters.Table{{
			Columns: []adapters.Column{{Title: "Name"}, {Title: "Amount", Kind: adapters.KindMoney}},
			Rows:    rows, Total: total,
		}}},
	}
}

func names(t *components.Table) []string {
	var out []string
	for _, r := range t.Rows {
		out = append(out, r.Cells[0].Text)
	}
	return out
}

func TestLongTableShowsItsFirstRowsAndLoadsTheRest(t *testing.T) {
	now := time.Now()
	in := contactsPanel(120, 130)
	first := Panel("001A", in, now)
	tb := first.Table
	if len(tb.Rows) != TablePage || tb.Rows[0].Cells[0].Text != "Contact 1" || tb.Shown != TablePage {
		t.Fatalf("first page: %d rows from %q, shown %d; want the first %d", len(tb.Rows), tb.Rows[0].Cells[0].Text, tb.Shown, TablePage)
	}
	if tb.More != "/customers/001A/panels/salesforce/contacts/rows?from=50" || tb.MoreLabel != "Load 50 more" {
		t.Errorf("more %q %q", tb.More, tb.MoreLabel)
	}
	if tb.Note != "Showing 50 of 130." || tb.ID != "salesforce-contacts" {
		t.Errorf("note %q, id %q", tb.Note, tb.ID)
	}
	if tb.Export != "/customers/001A/panels/salesforce/contacts/rows.csv" {
		t.Errorf("export %q", tb.Export)
	}
	if got := tb.Columns[1].SortURL; got != "/customers/001A/panels/salesforce/contacts/rows?dir=asc&sort=2" {
		t.Errorf("sort URL %q: the page holds some rows, so the server sorts", got)
	}

	next, err := PanelRows("001A", in, now, Window{From: 50})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(next.Table); len(got) != 50 || got[0] != "Contact 51" || got[49] != "Contact 100" {
		t.Errorf("second page %d rows, %q…", len(got), got[:min(2, len(got))])
	}
	if next.Table.More != "/customers/001A/panels/salesforce/contacts/rows?from=100" || next.Table.MoreLabel != "Load 20 more" || next.Table.Note != "Showing 100 of 130." {
		t.Errorf("second page: more %q %q, note %q", next.Table.More, next.Table.MoreLabel, next.Table.Note)
	}
	last, _ := PanelRows("001A", in, now, Window{From: 100})
	if got := names(last.Table); len(got) != 20 || got[19] != "Contact 120" {
		t.Errorf("last page %q", got)
	}
	if last.Table.More != "" || last.Table.Note != "Showing 120 of 130. Open the record in Salesforce for the rest." {
		t.Errorf("last page: more %q, note %q", last.Table.More, last.Table.Note)
	}
	whole, _ := PanelRows("001A", contactsPanel(120, 120), now, Window{Rows: 500})
	if whole.Table.Note != "Showing all 120." || whole.Table.More != "" || len(whole.Table.Rows) != 120 {
		t.Errorf("every row: note %q, more %q, %d rows", whole.Table.Note, whole.Table.More, len(whole.Table.Rows))
	}
	beyond, _ := PanelRows("001A", in, now, Window{From: 5000})
	if len(beyond.Table.Rows) != 0 || beyond.Table.More != "" {
		t.Errorf("past the end: %d rows, more %q", len(beyond.Table.Rows), beyond.Table.More)
	}
}

func TestShortTableIsWholeAndSortedByTheBrowser(t *testing.T) {
	p := Panel("001A", contactsPanel(3, 3), time.Now())
	if len(p.Table.Rows) != 3 || p.Table.More != "" || p.Table.Note != "" || p.Table.Export == "" {
		t.Errorf("short table: %d rows, more %q, note %q, export %q", len(p.Table.Rows), p.Table.More, p.Table.Note, p.Table.Export)
	}
	for _, c := range p.Table.Columns {
		if c.SortURL != "" {
			t.Errorf("column %q sorts on the server though the page holds every row", c.Title)
		}
	}
}

func TestServerSortsEveryRowItHolds(t *testing.T) {
	now := time.Now()
	in := contactsPanel(120, 120)
	down, err := PanelRows("001A", in, now, Window{Sort: 2, Desc: true, Rows: 60})
	if err != nil {
		t.Fatal(err)
	}
	got := names(down.Table)
	if len(got) != 60 || got[0] != "Contact 120" || got[1] != "Contact 118" {
		t.Errorf("by amount, down: %q…, want the largest of all 120 first", got[:3])
	}
	if down.Table.Columns[1].Sorted != "descending" || down.Table.Columns[0].Sorted != "" {
		t.Errorf("sorted marks %+v", down.Table.Columns)
	}
	if u := down.Table.Columns[1].SortURL; u != "/customers/001A/panels/salesforce/contacts/rows?dir=asc&sort=2" {
		t.Errorf("the sorted column's URL %q should sort it the other way", u)
	}
	if down.Table.More != "/customers/001A/panels/salesforce/contacts/rows?dir=desc&from=60&sort=2" {
		t.Errorf("more %q keeps the order", down.Table.More)
	}
	up, _ := PanelRows("001A", in, now, Window{Sort: 2, From: 100})
	tail := names(up.Table)
	// 120/7 = 17 rows without an amount come last whichever the direction.
	if tail[len(tail)-1] != "Contact 119" || tail[0] == "Contact 7" {
		t.Errorf("rows without a value should come last: %q", tail)
	}
	byName, _ := PanelRows("001A", in, now, Window{Sort: 1})
	if got := names(byName.Table); got[0] != "Contact 1" || got[1] != "Contact 2" || got[9] != "Contact 10" {
		t.Errorf("by name: %q, want numbers in names in order", got[:10])
	}
	if _, err := PanelRows("001A", in, now, Window{Sort: 3}); !errors.Is(err, ErrNoSuchColumn) {
		t.Errorf("sort by a third column of two: %v", err)
	}
	noTable := customer.Panel{Source: "salesforce", Spec: adapters.FacetSpec{Name: "account"}, State: customer.StateOK, Facet: &adapters.Facet{}}
	if _, err := PanelRows("001A", noTable, now, Window{}); !errors.Is(err, ErrNoTable) {
		t.Errorf("a panel without a table: %v", err)
	}
}

func TestExportHoldsEveryRowThePanelShows(t *testing.T) {
	p := PanelExport(contactsPanel(120, 130), time.Now())
	if len(p.Table.Rows) != 120 {
		t.Fatalf("%d rows, want every row the source gave", len(p.Table.Rows))
	}
	want := []components.Column{{Title: "Name"}, {Title: "Amount", Numeric: true}}
	if !reflect.DeepEqual(p.Table.Columns, want) {
		t.Errorf("columns %+v, want the panel's %+v", p.Table.Columns, want)
	}
}
