package present

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// sortKeyLess orders two sort keys the way static/js/atrium.js does: as
// numbers when both are numbers, else as text with digit runs compared by
// value; rows without a key come last.
func sortKeyLess(a, b string) int {
	if a == "" || b == "" {
		return cmp.Compare(boolInt(a == ""), boolInt(b == ""))
	}
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(fa, fb)
	}
	return naturalCompare(strings.ToLower(a), strings.ToLower(b))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// naturalCompare compares text with runs of digits compared by their value,
// as localeCompare's numeric option does.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// sortedColumn maps one column of values through a panel and returns the
// texts of its cells sorted ascending by their sort keys, as the page would
// sort them.
func sortedColumn(t *testing.T, col adapters.Column, values []adapters.Value) []components.Cell {
	t.Helper()
	var rows []adapters.Row
	for _, v := range values {
		rows = append(rows, adapters.Row{Cells: []adapters.Value{v}})
	}
	p := Panel("001A", customer.Panel{
		Source: "crm", SourceTitle: "CRM", Spec: adapters.FacetSpec{Name: "records", Title: "Records"}, State: customer.StateOK,
		Facet: &adapters.Facet{Tables: []adapters.Table{{Columns: []adapters.Column{col}, Rows: rows}}},
	}, time.Now())
	if p.Table == nil {
		t.Fatalf("no table: %+v", p)
	}
	var cells []components.Cell
	for _, r := range p.Table.Rows {
		cells = append(cells, r.Cells[0])
	}
	slices.SortStableFunc(cells, func(a, b components.Cell) int { return sortKeyLess(a.Sort, b.Sort) })
	return cells
}

func texts(cells []components.Cell) []string {
	var out []string
	for _, c := range cells {
		out = append(out, c.Text)
	}
	return out
}

func TestPrioritiesSortByUrgency(t *testing.T) {
	col := adapters.Column{Key: "priority", Title: "Priority", Kind: adapters.KindText}
	var in []adapters.Value
	for _, s := range []string{"Medium", "urgent", "Low", "High", "normal", "Critical", "low", ""} {
		in = append(in, adapters.Text(s))
	}
	got := sortedColumn(t, col, in)
	// Levels sort by urgency; words of one level keep their order.
	want := []string{"Low", "Low", "Medium", "Normal", "High", "Urgent", "Critical", "—"}
	if g := texts(got); !slices.Equal(g, want) {
		t.Errorf("priorities sorted %q, want %q", g, want)
	}
	for _, c := range got {
		if c.Badge != "" {
			t.Errorf("priority %q is shown as a status badge %q", c.Text, c.Badge)
		}
	}
	if got[0].Priority != "low" || got[4].Priority != "high" || got[5].Priority != "urgent" {
		t.Errorf("priority levels %+v", got)
	}
}

func TestStatusesSortAlongTheRecordsLife(t *testing.T) {
	col := adapters.Column{Key: "stage", Title: "Stage", Kind: adapters.KindText}
	var in []adapters.Value
	for _, s := range []string{"Closed Won", "Prospecting", "Negotiation/Review", "Qualification", "Closed Lost", "Proposal/Price Quote", "Renewal pending review"} {
		in = append(in, adapters.Text(s))
	}
	got := sortedColumn(t, col, in)
	want := []string{"Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost", "Renewal pending review"}
	if g := texts(got); !slices.Equal(g, want) {
		t.Errorf("stages sorted %q, want %q", g, want)
	}
	// Every stage is a badge, the one it does not know a neutral one.
	for _, c := range got {
		if c.Badge == "" {
			t.Errorf("stage %q is not a badge", c.Text)
		}
	}
	if got[6].Badge != "neutral" || got[4].Badge != "ok" || got[5].Badge != "bad" {
		t.Errorf("badges %+v", got)
	}

	invoices := sortedColumn(t, adapters.Column{Key: "status", Title: "Status", Kind: adapters.KindText},
		[]adapters.Value{adapters.Text("paid"), adapters.Text("void"), adapters.Text("open"), adapters.Text("draft"), adapters.Text("uncollectible")})
	if g := texts(invoices); !slices.Equal(g, []string{"Draft", "Open", "Paid", "Uncollectible", "Void"}) {
		t.Errorf("invoice statuses sorted %q", g)
	}
	for _, c := range invoices {
		if c.Badge == "" {
			t.Errorf("invoice status %q is not a badge", c.Text)
		}
	}
}

func TestOnlyStatusColumnsAreBadges(t *testing.T) {
	got := sortedColumn(t, adapters.Column{Key: "subject", Title: "Subject", Kind: adapters.KindText},
		[]adapters.Value{adapters.Text("New"), adapters.Text("High")})
	for _, c := range got {
		if c.Badge != "" || c.Priority != "" {
			t.Errorf("subject %q is styled as a status or priority: %+v", c.Text, c)
		}
	}
}

func TestDatesAndMoneySortByValue(t *testing.T) {
	money := func(n float64) adapters.Value {
		return adapters.Value{Kind: adapters.KindMoney, Number: n, Currency: "USD", Valid: true}
	}
	amounts := sortedColumn(t, adapters.Column{Key: "amount", Title: "Amount", Kind: adapters.KindMoney},
		[]adapters.Value{money(9500), money(100000), {Kind: adapters.KindMoney}, money(-20), money(12000.5)})
	if g := texts(amounts); !slices.Equal(g, []string{"-$20", "$9,500", "$12,000.50", "$100,000", "—"}) {
		t.Errorf("amounts sorted %q", g)
	}
	day := func(y int, m time.Month, d int) adapters.Value {
		return adapters.Value{Kind: adapters.KindDate, Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Valid: true}
	}
	dates := sortedColumn(t, adapters.Column{Key: "due", Title: "Due date", Kind: adapters.KindDate},
		[]adapters.Value{day(2026, 11, 7), day(2025, 12, 24), day(2026, 2, 1), day(2026, 10, 30)})
	if g := texts(dates); !slices.Equal(g, []string{"24 Dec 2025", "1 Feb 2026", "30 Oct 2026", "7 Nov 2026"}) {
		t.Errorf("dates sorted %q", g)
	}
}

func TestTimelineTellsPriorityFromStatus(t *testing.T) {
	at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	tl := timeline("001A", &customer.Timeline{Filter: customer.TimelineFilter{Page: 1}, Total: 3, Pages: 1, Items: []customer.Activity{
		{SourceTitle: "Salesforce", Event: adapters.Event{At: at, Kind: "case", Title: "Case 1 opened", Status: "high"}},
		{SourceTitle: "Billing", Event: adapters.Event{At: at, Kind: "invoice", Title: "Invoice 1 paid", Status: "paid"}},
		{SourceTitle: "ERP", Event: adapters.Event{At: at, Kind: "order", Title: "Order 1", Status: "on_hold_for_review"}},
	}})
	high, paid, other := tl.Items[0], tl.Items[1], tl.Items[2]
	if high.Priority != "High" || high.PriorityLevel != "high" || high.Status != "" {
		t.Errorf("a case opened with high priority shows %+v, want the priority and no status", high)
	}
	if paid.Status != "Paid" || paid.Badge != "ok" || paid.Priority != "" {
		t.Errorf("a paid invoice shows %+v", paid)
	}
	if other.Status != "On hold for review" || other.Badge != "neutral" {
		t.Errorf("an unknown status shows %+v, want a neutral badge", other)
	}
}
