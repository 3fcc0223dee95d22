package components

import (
	"bytes"
	"context"
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
