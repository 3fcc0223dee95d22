package components

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

func render(t *testing.T, p Panel) string {
	t.Helper()
	var out bytes.Buffer
	if err := PanelCard(p).Render(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestTableShowsStatusesAsBadgesAndPrioritiesAsLevels(t *testing.T) {
	tb := &Table{
		Caption: "Cases",
		Columns: []Column{{Title: "Case number"}, {Title: "Subject"}, {Title: "Priority"}, {Title: "Status"}},
		Rows: []Row{{Cells: []Cell{
			{Text: "00001003", Href: "https://crm/500A"},
			{Text: "Report totals do not match"},
			{Text: "High", Sort: "3", Priority: "high"},
			{Text: "Escalated", Sort: "10", Badge: "bad"},
		}}},
	}
	CellClasses(tb)
	html := render(t, Panel{ID: "crm-cases", Title: "Cases", Table: tb})
	if !strings.Contains(html, `<span class="priority high">High</span>`) {
		t.Errorf("the priority is not shown as a level:\n%s", html)
	}
	if strings.Contains(html, `badge high`) || !strings.Contains(html, `<span class="badge bad">Escalated</span>`) {
		t.Errorf("statuses and priorities are not told apart:\n%s", html)
	}
	if n := strings.Count(html, `<button type="button" class="sort">`); n != 4 {
		t.Errorf("%d sortable headers, want one per column", n)
	}
	if !strings.Contains(html, `data-sort="3"`) {
		t.Errorf("the priority's rank is not its sort key:\n%s", html)
	}
}

func TestOneWordValuesDoNotWrap(t *testing.T) {
	tb := &Table{
		Columns: []Column{{Title: "Shipment"}, {Title: "Carrier"}, {Title: "Total", Numeric: true}, {Title: "Note"}},
		Rows: []Row{{Cells: []Cell{
			{Text: "SH-500007"}, {Text: "DB Schenker"}, {Text: "1,234"}, {Text: strings.Repeat("x", 60)},
		}}},
	}
	CellClasses(tb)
	got := []string{}
	for _, c := range tb.Rows[0].Cells {
		got = append(got, c.Class)
	}
	want := []string{"nowrap", "", "num nowrap", ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("classes %q, want %q: an id stays on one line, words and very long values may wrap", got, want)
	}
}

func TestChartDrawsItsValueAxis(t *testing.T) {
	c := &BarChart{Title: "Invoiced per month (USD)", Width: 200, Height: 132,
		Bars:  []Bar{{Label: "Jan", Value: "$1,664", X: 17, W: 66, Y: 29, H: 103}, {Label: "Feb", Value: "$0", X: 117, W: 66, Y: 132}},
		Ticks: []Tick{{Label: "0", Y: 132}, {Label: "1k", Y: 70}, {Label: "2k", Y: 8}}}
	html := render(t, Panel{ID: "all-summary", Title: "Across systems", Overview: &Overview{Chart: c}})
	axis := regexp.MustCompile(`(?s)<svg class="chart-axis".*?</svg>`).FindString(html)
	for _, want := range []string{`>0</text>`, `>1k</text>`, `>2k</text>`} {
		if !strings.Contains(axis, want) {
			t.Errorf("the value axis lacks %s:\n%s", want, axis)
		}
	}
	if n := strings.Count(html, `class="grid"`); n != 3 {
		t.Errorf("%d grid lines, want one per axis value", n)
	}
	if !strings.Contains(html, `<span>Jan</span>`) || !strings.Contains(html, "<td>$1,664</td>") {
		t.Errorf("months or the table of values missing:\n%s", html)
	}
}
