package sfsim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var locatorURL = regexp.MustCompile(`^/services/data/v62\.0/query/01g[0-9A-Za-z]{15}-(\d+)$`)

// readAll follows nextRecordsUrl to the end and returns every page.
func readAll(t *testing.T, h *harness, first reply) []queryResult {
	t.Helper()
	var pages []queryResult
	r := first
	for {
		if r.status != http.StatusOK {
			t.Fatalf("page %d: %d %s", len(pages)+1, r.status, r)
		}
		var page queryResult
		r.decode(t, &page)
		pages = append(pages, page)
		if page.Done {
			if page.NextRecordsURL != "" {
				t.Fatalf("done page carries nextRecordsUrl %s", page.NextRecordsURL)
			}
			return pages
		}
		if !locatorURL.MatchString(page.NextRecordsURL) {
			t.Fatalf("nextRecordsUrl = %q", page.NextRecordsURL)
		}
		if len(pages) > 50 {
			t.Fatal("no end to the pages")
		}
		r = h.get(page.NextRecordsURL)
	}
}

func TestPagingTopLevel(t *testing.T) {
	h := newHarness(t, Options{}).login()
	pages := readAll(t, h, h.query("SELECT Id, Email FROM Contact WHERE AccountId = '"+DemoAccountManyContacts+"' ORDER BY Email"))
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	if len(pages[0].Records) != 2000 || len(pages[1].Records) != DemoManyContacts-2000 {
		t.Errorf("page sizes %d and %d, want 2000 and %d", len(pages[0].Records), len(pages[1].Records), DemoManyContacts-2000)
	}
	if m := locatorURL.FindStringSubmatch(pages[0].NextRecordsURL); m == nil || m[1] != "2000" {
		t.Errorf("nextRecordsUrl %s should end in -2000", pages[0].NextRecordsURL)
	}
	seen := map[string]bool{}
	prev := ""
	for _, p := range pages {
		if p.TotalSize != DemoManyContacts {
			t.Errorf("totalSize = %d on every page, want %d", p.TotalSize, DemoManyContacts)
		}
		for _, rec := range p.Records {
			id, email := str(t, rec, "Id"), str(t, rec, "Email")
			if seen[id] {
				t.Fatalf("record %s on two pages", id)
			}
			seen[id] = true
			if strings.ToLower(email) < prev {
				t.Fatalf("order broken across pages: %s after %s", email, prev)
			}
			prev = strings.ToLower(email)
		}
	}
	if len(seen) != DemoManyContacts {
		t.Errorf("%d distinct records, want %d", len(seen), DemoManyContacts)
	}
	if got := h.srv.Calls(EndpointQueryMore); got != 1 {
		t.Errorf("Calls(queryMore) = %d, want 1", got)
	}
	// The last page closed the cursor.
	wantError(t, h.get(pages[0].NextRecordsURL), http.StatusBadRequest, "INVALID_QUERY_LOCATOR")
}

func TestPagingBatchSize(t *testing.T) {
	for _, tc := range []struct {
		header   string
		serverBS int
		want     int
	}{
		{"batchSize=500", 0, 500},
		{"batchSize=50", 0, 200},     // clamped up to 200
		{"batchSize=5000", 0, 2000},  // clamped down to 2000
		{"", 300, 300},               // the server's cap
		{"batchSize=1000", 300, 300}, // the cap wins
		{"batchSize=abc", 0, 2000},
	} {
		h := newHarness(t, Options{BatchSize: tc.serverBS}).login()
		r := h.send(http.MethodGet, "/services/data/v62.0/query?q=SELECT+Id+FROM+Contact+WHERE+AccountId+=+'"+DemoAccountManyContacts+"'",
			nil, map[string]string{"Sforce-Query-Options": tc.header})
		var page queryResult
		r.decode(t, &page)
		if len(page.Records) != tc.want {
			t.Errorf("header %q, server %d: page of %d, want %d", tc.header, tc.serverBS, len(page.Records), tc.want)
		}
	}
}

func TestPagingChildRecordsCountTowardTheBatch(t *testing.T) {
	h := newHarness(t, Options{}).login()
	// The big account's 2,300 contacts cannot share a page with other rows.
	pages := readAll(t, h, h.query("SELECT Id, Name, (SELECT Id FROM Contacts) FROM Account ORDER BY Name"))
	total, rows := 0, 0
	for i, p := range pages {
		perPage := 0
		for _, rec := range p.Records {
			rows++
			var child *queryResult
			if err := json.Unmarshal(rec["Contacts"], &child); err != nil {
				t.Fatal(err)
			}
			perPage++
			if child != nil {
				perPage += len(child.Records)
				total += child.TotalSize
			}
		}
		if perPage > 2000 && len(p.Records) > 1 {
			t.Errorf("page %d holds %d records with children", i+1, perPage)
		}
	}
	if rows != 66 || total != demoData().Count("Contact") {
		t.Errorf("%d accounts and %d contacts in all, want 66 and %d", rows, total, demoData().Count("Contact"))
	}
	if len(pages) < 3 {
		t.Errorf("%d pages: the big account should have had a page of its own", len(pages))
	}
}

func TestPagingNestedChildren(t *testing.T) {
	h := newHarness(t, Options{}).login()
	r := h.query("SELECT Id, (SELECT Id, Name FROM Contacts ORDER BY Name), (SELECT Id FROM Cases LIMIT 3) FROM Account WHERE Id = '" + DemoAccountManyContacts + "'")
	var top struct {
		TotalSize int  `json:"totalSize"`
		Done      bool `json:"done"`
		Records   []struct {
			Contacts queryResult `json:"Contacts"`
			Cases    queryResult `json:"Cases"`
		} `json:"records"`
	}
	r.decode(t, &top)
	if top.TotalSize != 1 || !top.Done || len(top.Records) != 1 {
		t.Fatalf("top level = %s", r.String()[:200])
	}
	contacts := top.Records[0].Contacts
	if contacts.TotalSize != DemoManyContacts || contacts.Done || len(contacts.Records) != 2000 {
		t.Fatalf("Contacts: totalSize %d, done %v, %d records", contacts.TotalSize, contacts.Done, len(contacts.Records))
	}
	if m := locatorURL.FindStringSubmatch(contacts.NextRecordsURL); m == nil || m[1] != "2000" {
		t.Fatalf("Contacts nextRecordsUrl = %q", contacts.NextRecordsURL)
	}
	if c := top.Records[0].Cases; c.TotalSize != 3 || !c.Done || c.NextRecordsURL != "" {
		t.Errorf("Cases = %+v", c)
	}
	rest := h.get(contacts.NextRecordsURL)
	var next queryResult
	rest.decode(t, &next)
	if next.TotalSize != DemoManyContacts || !next.Done || len(next.Records) != DemoManyContacts-2000 {
		t.Fatalf("next page of contacts: totalSize %d, done %v, %d records", next.TotalSize, next.Done, len(next.Records))
	}
	var attrs struct{ Type string }
	if err := json.Unmarshal(next.Records[0]["attributes"], &attrs); err != nil || attrs.Type != "Contact" {
		t.Errorf("child page records are %s, want Contact", next.Records[0]["attributes"])
	}
	last := str(t, contacts.Records[1999], "Name")
	if first := str(t, next.Records[0], "Name"); strings.ToLower(first) < strings.ToLower(last) {
		t.Errorf("child order broken across pages: %q after %q", first, last)
	}
}

func TestPagingSmallBatchAndLocatorErrors(t *testing.T) {
	h := newHarness(t, Options{BatchSize: 5}).login()
	pages := readAll(t, h, h.query("SELECT Id FROM Opportunity WHERE AccountId = '"+DemoAccountAcme+"'"))
	if len(pages) != 2 || len(pages[0].Records) != 5 || len(pages[1].Records) != 3 {
		t.Errorf("pages of Acme's 8 opportunities at batch 5: %d pages", len(pages))
	}
	r := h.get("/services/data/v62.0/queryAll?q=SELECT+Id+FROM+Contact+WHERE+AccountId+=+'" + DemoAccountAcme + "'")
	var page queryResult
	r.decode(t, &page)
	if !strings.HasPrefix(page.NextRecordsURL, "/services/data/v62.0/queryAll/01g") {
		t.Errorf("queryAll nextRecordsUrl = %q", page.NextRecordsURL)
	}
	if r := h.get(page.NextRecordsURL); r.status != http.StatusOK {
		t.Errorf("queryAll next page: %d %s", r.status, r)
	}
	for _, bad := range []string{
		"/services/data/v62.0/query/01gDn0000000999IAA-2000",
		"/services/data/v62.0/query/garbage",
		"/services/data/v62.0/query/01gDn0000000001IAA-x",
	} {
		msg := wantError(t, h.get(bad), http.StatusBadRequest, "INVALID_QUERY_LOCATOR")
		if msg != "invalid query locator" {
			t.Errorf("%s: %q", bad, msg)
		}
	}
}

func TestCursorsExpireAndAreBounded(t *testing.T) {
	h := newHarness(t, Options{BatchSize: 5, MaxCursors: 2, CursorTTL: time.Minute}).login()
	open := func() string {
		var p queryResult
		h.query("SELECT Id FROM Contact WHERE AccountId = '"+DemoAccountAcme+"'").decode(t, &p)
		if p.Done {
			t.Fatal("expected more than one page")
		}
		return p.NextRecordsURL
	}
	first, second := open(), open()
	third := open() // releases the oldest
	wantError(t, h.get(first), http.StatusBadRequest, "INVALID_QUERY_LOCATOR")
	if r := h.get(second); r.status != http.StatusOK {
		t.Errorf("second cursor: %d %s", r.status, r)
	}
	h.clock.Advance(2 * time.Minute)
	wantError(t, h.get(third), http.StatusBadRequest, "INVALID_QUERY_LOCATOR")
}
