package present

import (
	"testing"

	"github.com/atrium-dev/atrium/components"
)

func TestWideTablesSpanThePage(t *testing.T) {
	table := func(cols []string, cells ...components.Cell) *components.Table {
		tb := &components.Table{}
		for _, c := range cols {
			tb.Columns = append(tb.Columns, components.Column{Title: c})
		}
		tb.Rows = []components.Row{{Cells: cells}}
		components.CellClasses(tb)
		return tb
	}
	text := func(s string) components.Cell { return components.Cell{Text: s, Sort: s} }
	badge := func(s string) components.Cell { return components.Cell{Text: s, Sort: s, Badge: "ok"} }
	shipments := table([]string{"Shipment", "Order", "Carrier", "Tracking number", "Shipped", "Status", "Delivered"},
		text("SH-500007"), text("SO-100007"), text("DB Schenker"), text("1ZTQJ08CVJ6WDKZHQC"),
		text("13\u00a0Nov\u00a02026 13:26"), badge("Delivered"), text("17\u00a0Nov\u00a02026 17:26"))
	if !wideTable(shipments) {
		t.Error("seven columns of ids, codes and dates fit half the page, want the page's width")
	}
	contacts := table([]string{"Name", "Title", "Email", "Phone"},
		text("Tomas Andersson"), text("Logistics Coordinator"), text("benjamin.taylor@acme-corp.com"), components.Cell{Text: "+1 415 762 4602", NoWrap: true})
	if wideTable(contacts) {
		t.Error("four columns of names and addresses need the page's width, want half of it")
	}
	// Words may wrap, so a long subject does not make a table wide.
	cases := table([]string{"Subject", "Priority"}, text("Report totals do not match the dashboard after the last import of last quarter's data"), text("High"))
	if wideTable(cases) {
		t.Error("a long subject made the table wide")
	}
}
