package present

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// TablePage is how many rows a panel's table shows at first, and how many
// each "Load more" adds. Fifty rows fill a screen or two, are read at a
// glance, and keep the page of a customer with thousands of contacts small
// (about 30 KB of rows instead of a megabyte).
const TablePage = 50

// Window is the part of a panel's table to show: its rows sorted by column
// Sort (from 1; 0 keeps the system's order), descending when Desc, from row
// From (from 0), Rows of them (0: TablePage).
type Window struct {
	From, Rows int
	Sort       int
	Desc       bool
}

var (
	// ErrNoTable means the panel has no table to show rows of.
	ErrNoTable = errors.New("the panel has no table")
	// ErrNoSuchColumn means a sort named a column the table does not have.
	ErrNoSuchColumn = errors.New("no such column")
)

// RowsURL answers rows of one panel's table (see Window for its query).
func RowsURL(id, source, facet string) string { return PanelURL(id, source, facet) + "/rows" }

// ExportURL downloads one panel's table as CSV.
func ExportURL(id, source, facet string) string { return PanelURL(id, source, facet) + "/rows.csv" }

// ExportName is the file name a panel's CSV is saved as.
func ExportName(id, source, facet string) string { return id + "-" + source + "-" + facet + ".csv" }

// PanelRows maps panel p of customer id with window w of its table. A panel
// whose source failed comes back with its problem, as Panel maps it;
// ErrNoTable when the panel has no table.
func PanelRows(id string, p customer.Panel, now time.Time, w Window) (components.Panel, error) {
	m := panel(p, CustomerURL(id), now)
	if m.Problem != nil {
		return Panel(id, p, now), nil
	}
	if m.Table == nil {
		return m, ErrNoTable
	}
	m.Slot = m.ID
	t, err := window(m.Table, id, p, w)
	m.Table = t
	return m, err
}

// PanelExport maps panel p with every row of its table, in the system's
// order: the rows and columns the panel shows, and no others. Its Problem or
// a nil Table say why there is nothing to export.
func PanelExport(p customer.Panel, now time.Time) components.Panel {
	return panel(p, "", now)
}

// window cuts t, every row Atrium holds of panel p, to w, and sets the note
// and the controls that show the rest.
func window(t *components.Table, id string, p customer.Panel, w Window) (*components.Table, error) {
	if w.Sort < 0 || w.Sort > len(t.Columns) {
		return nil, fmt.Errorf("%w: %d", ErrNoSuchColumn, w.Sort)
	}
	given := len(t.Rows)
	total := given
	if p.Facet != nil && len(p.Facet.Tables) > 0 {
		total = max(p.Facet.Tables[0].Total, given)
	}
	if w.Sort > 0 {
		sortRows(t.Rows, w.Sort-1, w.Desc)
		t.Columns[w.Sort-1].Sorted = map[bool]string{false: "ascending", true: "descending"}[w.Desc]
	}
	base := RowsURL(id, p.Source, p.Spec.Name)
	// Rows the page does not hold cannot be sorted by the browser: a user
	// sorting by amount wants the largest of all, not of the first fifty.
	if given > TablePage {
		for i := range t.Columns {
			t.Columns[i].SortURL = base + "?" + rowsQuery(0, i+1, w.Sort == i+1 && !w.Desc)
		}
	}
	from := min(max(w.From, 0), given)
	end := min(from+cmp.Or(w.Rows, TablePage), given)
	t.Rows = t.Rows[from:end]
	t.Shown = end
	if end < given {
		t.More = base + "?" + rowsQuery(end, w.Sort, w.Desc)
		t.MoreLabel = "Load " + Number(float64(min(TablePage, given-end))) + " more"
	}
	switch {
	case end < total && end == given:
		t.Note = fmt.Sprintf("Showing %s of %s. Open the record in %s for the rest.", Number(float64(end)), Number(float64(total)), p.SourceTitle)
	case end < total:
		t.Note = fmt.Sprintf("Showing %s of %s.", Number(float64(end)), Number(float64(total)))
	case total > TablePage:
		t.Note = fmt.Sprintf("Showing all %s.", Number(float64(total)))
	}
	t.Export = ExportURL(id, p.Source, p.Spec.Name)
	return t, nil
}

// rowsQuery is the query of RowsURL for rows from from, sorted by column
// sort (0: the system's order).
func rowsQuery(from, sort int, desc bool) string {
	q := url.Values{}
	if from > 0 {
		q.Set("from", strconv.Itoa(from))
	}
	if sort > 0 {
		q.Set("sort", strconv.Itoa(sort))
		q.Set("dir", "asc")
		if desc {
			q.Set("dir", "desc")
		}
	}
	return q.Encode()
}

// sortRows sorts rows by column col as the page script sorts a table it
// holds whole: by each cell's machine-sortable value, numbers as numbers,
// text without regard to case and with the numbers in it in order, and rows
// without a value last whichever the direction. Equal rows keep their order.
func sortRows(rows []components.Row, col int, desc bool) {
	slices.SortStableFunc(rows, func(a, b components.Row) int {
		x, y := sortValue(a, col), sortValue(b, col)
		if x == "" || y == "" {
			return oneIf(x == "") - oneIf(y == "")
		}
		d := compareValues(x, y)
		if desc {
			return -d
		}
		return d
	})
}

func oneIf(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortValue is a cell's value to sort by: its Sort, else its text; "" when
// it shows no value.
func sortValue(r components.Row, col int) string {
	if col >= len(r.Cells) {
		return ""
	}
	c := r.Cells[col]
	if c.Sort != "" {
		return c.Sort
	}
	if c.Text == "—" {
		return ""
	}
	return strings.TrimSpace(c.Text)
}

var plainNumber = regexp.MustCompile(`^-?\d+(\.\d+)?$`)

func compareValues(a, b string) int {
	if plainNumber.MatchString(a) && plainNumber.MatchString(b) {
		x, _ := strconv.ParseFloat(a, 64)
		y, _ := strconv.ParseFloat(b, 64)
		return cmp.Compare(x, y)
	}
	return natural(strings.ToLower(a), strings.ToLower(b))
}

// natural compares text with the runs of digits in it as numbers: "Case 9"
// before "Case 10".
func natural(a, b string) int {
	for a != "" && b != "" {
		if digit(a[0]) && digit(b[0]) {
			i, j := digitRun(a), digitRun(b)
			x, y := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if d := cmp.Compare(len(x), len(y)); d != 0 {
				return d
			}
			if d := strings.Compare(x, y); d != 0 {
				return d
			}
			a, b = a[i:], b[j:]
			continue
		}
		r, n := utf8.DecodeRuneInString(a)
		s, m := utf8.DecodeRuneInString(b)
		if r != s {
			return cmp.Compare(r, s)
		}
		a, b = a[n:], b[m:]
	}
	return cmp.Compare(len(a), len(b))
}

func digit(c byte) bool { return c >= '0' && c <= '9' }

func digitRun(s string) int {
	i := 0
	for i < len(s) && digit(s[i]) {
		i++
	}
	return i
}
