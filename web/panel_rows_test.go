package web_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

var (
	loadMore = regexp.MustCompile(`<a class="button small secondary load-more" id="panel-salesforce-contacts-more" href="([^"]+)" hx-get="([^"]+)"`)
	firstRow = regexp.MustCompile(`<tbody id="panel-salesforce-contacts-rows"><tr><td[^>]*><a [^>]*>([^<]+)</a>`)
	rowNames = regexp.MustCompile(`<tr[^>]*><td[^>]*><a href="([^"]+)"[^>]*>([^<]+)</a>`)
)

// contactsPanel is the contacts panel's part of a customer page.
func contactsPanel(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `id="panel-salesforce-contacts"`)
	if i < 0 {
		t.Fatalf("no contacts panel:\n%.2000s", page)
	}
	j := strings.Index(page[i:], "</section>")
	return page[i : i+j]
}

// names are the names in each row of a table's HTML, in order.
func names(body string) []string {
	var out []string
	for _, m := range rowNames.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[2]))
	}
	return out
}

// records are the records each row of a table's HTML links to, in order.
func records(body string) []string {
	var out []string
	for _, m := range rowNames.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The customer with 2,300 contacts gets a small page: every table shows its
// first 50 rows and loads the rest on demand, 50 at a time, as htmx
// fragments or as pages; the last says there are no more. The CSV holds every
// row the source gave.
func TestBigCustomerPageLoadsItsTablesOnDemand(t *testing.T) {
	p := startSalesforcePortal(t, 0, nil)
	page := "/customers/" + sfsim.DemoAccountManyContacts
	resp, body := p.get(t, p.url+page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "</html>") {
		t.Fatalf("page: %d\n%.2000s", resp.StatusCode, body)
	}
	if len(body) >= 200*1024 {
		t.Errorf("the page of a customer with %d contacts is %d KB, want under 200 KB", sfsim.DemoManyContacts, len(body)/1024)
	}
	t.Logf("the page is %d bytes", len(body))
	panel := contactsPanel(t, body)
	first, firstIDs := names(panel), records(panel)
	if len(first) != 50 || !strings.Contains(panel, "Showing 50 of 2,300.") {
		t.Fatalf("the page shows %d contacts, want 50 and a note saying so:\n%s", len(first), panel)
	}
	more := loadMore.FindStringSubmatch(panel)
	const next = "/customers/" + sfsim.DemoAccountManyContacts + "/panels/salesforce/contacts/rows?from=50"
	if more == nil || html.UnescapeString(more[1]) != next || html.UnescapeString(more[2]) != next || !strings.Contains(panel, ">Load 50 more<") {
		t.Fatalf("no Load more link to %s:\n%s", next, panel)
	}

	// htmx appends the next 50 rows and updates the note and the link.
	resp, frag := p.get(t, p.url+next, "HX-Request", "true")
	if resp.StatusCode != http.StatusOK || strings.Contains(frag, "<html") || !strings.Contains(resp.Header.Get("Vary"), "HX-Request") {
		t.Fatalf("more rows: %d Vary %q\n%.2000s", resp.StatusCode, resp.Header.Get("Vary"), frag)
	}
	second, secondIDs := names(frag), records(frag)
	seen := map[string]bool{}
	for _, id := range append(firstIDs, secondIDs...) {
		seen[id] = true
	}
	if len(second) != 50 || len(seen) != 100 {
		t.Errorf("the next rows are %d, with %d distinct records in both pages; want 50 others than the first", len(second), len(seen))
	}
	if !strings.Contains(frag, `<p id="panel-salesforce-contacts-note" hx-swap-oob="innerHTML">Showing 100 of 2,300.</p>`) ||
		!strings.Contains(frag, `?from=100"`) {
		t.Errorf("the fragment does not update the note and the link:\n%.3000s", frag)
	}

	// The last rows the source gave (2,000 of 2,300) say there are no more.
	_, last := p.get(t, p.url+strings.Replace(next, "from=50", "from=1950", 1), "HX-Request", "true")
	if n := len(names(last)); n != 50 || strings.Contains(last, "load-more") ||
		!strings.Contains(last, "Showing 2,000 of 2,300. Open the record in Salesforce for the rest.") {
		t.Errorf("the last rows (%d) should say there are no more:\n%.3000s", n, last)
	}

	// Without script the link is a page showing the rows so far and the next.
	resp, more100 := p.get(t, p.url+next)
	if resp.StatusCode != http.StatusOK || !strings.Contains(more100, "<title>") || !strings.Contains(more100, `href="/customers/`+sfsim.DemoAccountManyContacts+`"`) {
		t.Fatalf("rows as a page: %d\n%.2000s", resp.StatusCode, more100)
	}
	if got := records(contactsPanel(t, more100)); len(got) != 100 || got[0] != firstIDs[0] || got[50] != secondIDs[0] ||
		!strings.Contains(more100, "?from=100") {
		t.Errorf("the page shows %d rows, want the first 100 and a link to more", len(got))
	}

	// The CSV holds every row the source gave, with the panel's columns.
	resp, data := p.get(t, p.url+"/customers/"+sfsim.DemoAccountManyContacts+"/panels/salesforce/contacts/rows.csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		resp.Header.Get("Content-Disposition") != `attachment; filename=`+sfsim.DemoAccountManyContacts+`-salesforce-contacts.csv` ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("CSV: %d %q %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), resp.Header.Get("Cache-Control"))
	}
	lines, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2001 || strings.Join(lines[0], ",") != "Name,Title,Email,Phone" || lines[1][0] != first[0] || lines[51][0] != second[0] {
		t.Errorf("CSV of %d lines, header %q, first %q", len(lines), lines[0], lines[1])
	}

	// Sorting sorts every row, on the server: the last by name of all 2,000
	// comes first, and as many rows as the page holds come back.
	resp, sorted := p.get(t, p.url+strings.Replace(next, "from=50", "sort=1&dir=desc&rows=100", 1), "HX-Request", "true")
	greatest := lines[1][0]
	for _, r := range lines[1:] {
		if strings.ToLower(r[0]) > strings.ToLower(greatest) {
			greatest = r[0]
		}
	}
	top := firstRow.FindStringSubmatch(sorted)
	if resp.StatusCode != http.StatusOK || top == nil || html.UnescapeString(top[1]) != greatest || len(names(sorted)) != 100 ||
		!strings.Contains(sorted, `aria-sort="descending"`) {
		t.Errorf("sorted by name: %d, first %q, want %q of all rows, %d rows:\n%.2000s", resp.StatusCode, top, greatest, len(names(sorted)), sorted)
	}
	for _, bad := range []string{"from=-1", "rows=0", "sort=9", "dir=up", "from=x"} {
		if resp, _ := p.get(t, p.url+strings.Replace(next, "from=50", bad, 1), "HX-Request", "true"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, resp.StatusCode)
		}
	}
	for _, u := range []string{"/panels/salesforce/account/rows", "/panels/salesforce/nope/rows.csv", "/panels/other/contacts/rows"} {
		if resp, _ := p.get(t, p.url+"/customers/"+sfsim.DemoAccountManyContacts+u); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", u, resp.StatusCode)
		}
	}
}

// The rows and the CSV need a session, like every customer route.
func TestTableRoutesNeedASession(t *testing.T) {
	p := start(t)
	for _, u := range []string{"/customers/C1/panels/crm/contacts/rows?from=50", "/customers/C1/panels/crm/contacts/rows.csv"} {
		resp, body := p.get(t, p.url+u)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/auth/login") || strings.Contains(body, "Homer") {
			t.Errorf("%s signed out: %d %q", u, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	p.login(t, "/", "alice", "demo-alice")
	resp, data := p.get(t, p.url+"/customers/C1/panels/crm/contacts/rows.csv")
	if resp.StatusCode != http.StatusOK || data != "Name\nHomer Simpson\n" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("signed in: %d %q %q", resp.StatusCode, data, resp.Header.Get("Cache-Control"))
	}
}

// failingContactsCRM fails its contacts once told to.
type failingContactsCRM struct {
	fakeCRM
	fail *atomic.Bool
}

func (c failingContactsCRM) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if req.Facet == "contacts" && c.fail.Load() {
		return nil, adapters.ErrUnavailable
	}
	return c.fakeCRM.Fetch(ctx, req)
}

// When the source fails between the page and Load more, htmx is told to put
// the panel, saying what happened, in place of the rows it asked for.
func TestLoadMoreFromAFailedSourceShowsThePanelsProblem(t *testing.T) {
	fail := &atomic.Bool{}
	p := startWith(t, failingContactsCRM{fail: fail}, 0)
	p.login(t, "/", "alice", "demo-alice")
	fail.Store(true)
	resp, body := p.get(t, p.url+"/customers/C1/panels/crm/contacts/rows?from=50", "HX-Request", "true")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("HX-Retarget") != "#panel-crm-contacts" || resp.Header.Get("HX-Reswap") != "outerHTML" ||
		!strings.HasPrefix(strings.TrimSpace(body), `<section class="panel" id="panel-crm-contacts"`) || !strings.Contains(body, "CRM is unavailable right now.") {
		t.Errorf("rows of a failed source: %d HX-Retarget %q HX-Reswap %q\n%s", resp.StatusCode, resp.Header.Get("HX-Retarget"), resp.Header.Get("HX-Reswap"), body)
	}
	if resp, _ := p.get(t, p.url+"/customers/C1/panels/crm/contacts/rows.csv"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("CSV of a failed source: %d, want 503", resp.StatusCode)
	}
}
