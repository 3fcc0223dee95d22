package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// TestLongTablesInBrowser opens the demo customer with 2,300 contacts at a
// phone's and a desktop's width: its contacts table shows 50 rows, Load more
// (pressed with the keyboard) appends 50 and keeps the focus, the note counts
// along, and sorting a column sorts every row on the server, keeping the
// rows loaded.
func TestLongTablesInBrowser(t *testing.T) {
	portal := fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t))
	runAtrium(t, portal, "demo", "--addr", portal[len("http://"):], "--log-level", "warn")
	b := testenv.NewBrowser(t)
	b.Navigate(portal + "/")
	b.WaitVisible("#username")
	b.SendKeys("#username", "carol")
	b.SendKeys("#password", "demo-carol")
	b.Click("#submit")
	b.WaitVisible("#q")

	const panel = "#panel-salesforce-contacts"
	rows := func() int {
		var n int
		b.Eval(`document.querySelectorAll("`+panel+` tbody tr").length`, &n)
		return n
	}
	for _, w := range []int64{390, 1440} {
		t.Run(fmt.Sprintf("%dpx", w), func(t *testing.T) {
			b := b.ForTest(t)
			setViewport(t, b, w)
			b.Navigate(portal + "/customers/" + sfsim.DemoAccountManyContacts)
			waitPanels(t, b)
			if n := rows(); n != 50 {
				t.Fatalf("the contacts table shows %d rows at first, want 50", n)
			}
			if note := b.Text(panel + " .table-note"); note != "Showing 50 of 2,300." {
				t.Errorf("note %q", note)
			}
			var name string
			b.Eval(`document.querySelector("`+panel+` a.load-more").textContent`, &name)
			if name != "Load 50 more rows of Contacts from Salesforce" {
				t.Errorf("Load more reads %q", name)
			}
			// The keyboard reaches Load more and presses it.
			var ok bool
			b.Eval(`(document.querySelector("`+panel+` a.load-more").focus(), true)`, &ok)
			b.PressKeys(kb.Enter)
			poll(t, b, "100 contacts after Load more", `document.querySelectorAll("`+panel+` tbody tr").length === 100`)
			poll(t, b, "the note to count 100", `document.querySelector("`+panel+` .table-note").textContent.trim() === "Showing 100 of 2,300."`)
			if got := focused(t, b); !strings.Contains(got, "a#panel-salesforce-contacts-more") || !strings.Contains(got, "from=100") {
				t.Errorf("after Load more the focus is on %s, want the link to the next rows", got)
			}
			var stops int
			b.Eval(`[...document.querySelectorAll("`+panel+` tbody a[href]")].filter(a => a.tabIndex >= 0).length`, &stops)
			if stops != 1 {
				t.Errorf("the table has %d tab stops in its rows after Load more, want 1", stops)
			}
			b.PressKeys(kb.Enter)
			poll(t, b, "150 contacts after a second Load more", `document.querySelectorAll("`+panel+` tbody tr").length === 150`)
			checkLayout(t, b, w, fmt.Sprintf("a long table at %d px", w))
			b.CheckAccessibility(t, fmt.Sprintf("tables-%d", w))
			b.ClearConsoleErrors()

			// Sorting by name sorts all 2,000 rows on the server and keeps
			// the 150 loaded; the header shows which way.
			var before string
			b.Eval(`document.querySelector("`+panel+` tbody tr td").textContent.trim()`, &before)
			b.Click(panel + " th:nth-child(1) button.sort")
			poll(t, b, "the contacts sorted by name", `document.querySelector("`+panel+` th:nth-child(1)")?.getAttribute("aria-sort") === "ascending"`)
			b.Click(panel + " th:nth-child(1) button.sort")
			poll(t, b, "the contacts sorted by name, down", `document.querySelector("`+panel+` th:nth-child(1)")?.getAttribute("aria-sort") === "descending"`)
			var names []string
			b.Eval(`[...document.querySelectorAll("`+panel+` tbody tr")].map(r => r.cells[0].textContent.trim())`, &names)
			if len(names) != 150 || names[0] == before {
				t.Fatalf("sorted down by name: %d rows, first %q (was %q)", len(names), names[0], before)
			}
			for i := 1; i < len(names); i++ {
				if strings.ToLower(names[i-1]) < strings.ToLower(names[i]) {
					t.Fatalf("not sorted down by name at row %d: %q before %q", i, names[i-1], names[i])
				}
			}
			if got := focused(t, b); !strings.Contains(got, "button#panel-salesforce-contacts-sort-1") {
				t.Errorf("after sorting the focus is on %s, want the sort button", got)
			}
			noConsoleErrors(t, b, fmt.Sprintf("long table at %d px", w))
		})
	}
}
