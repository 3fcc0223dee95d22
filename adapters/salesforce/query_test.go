package salesforce

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

const (
	next2 = "/services/data/v62.0/query/01gD0000002HU6KIAW-2000"
	next3 = "/services/data/v62.0/query/01gD0000002HU6KIAW-4000"
)

func acct(id, name string) string { return rec("Account", id, `"Name":"`+name+`"`) }

func TestQueryFollowsPages(t *testing.T) {
	const soql = "SELECT Id, Name FROM Account WHERE Name LIKE 'A%' ORDER BY Name"
	var gotSOQL string
	o := newFakeOrg(t, queryRoutes(t, func(q string) (int, string) {
		gotSOQL = q
		return 200, page(5, next2, acct("001000000000001AAA", "A1"), acct("001000000000002AAA", "A2"))
	}, map[string]string{
		next2: page(5, next3, acct("001000000000003AAA", "A3"), acct("001000000000004AAA", "A4")),
		next3: page(5, "", acct("001000000000005AAA", "A5")),
	}))
	res, err := o.client(t).Query(context.Background(), soql, QueryOptions{BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	if gotSOQL != soql {
		t.Errorf("server got SOQL %q", gotSOQL)
	}
	if res.TotalSize != 5 || !res.Done || len(res.Records) != 5 {
		t.Fatalf("TotalSize %d, Done %v, %d records", res.TotalSize, res.Done, len(res.Records))
	}
	type account struct{ Name string }
	accts, err := decodeRecords[account](res.Records)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range accts {
		if want := "A" + string(rune('1'+i)); a.Name != want {
			t.Errorf("record %d is %q, want %q", i, a.Name, want)
		}
	}
	headers := o.dataHeaders()
	if len(headers) != 3 {
		t.Fatalf("%d data requests, want 3", len(headers))
	}
	for i, h := range headers {
		// 50 is below the documented minimum: the client asks for 200.
		if got := h.Get("Sforce-Query-Options"); got != "batchSize=200" {
			t.Errorf("request %d: Sforce-Query-Options = %q", i, got)
		}
	}
}

func TestQueryWithoutBatchSizeSendsNoOption(t *testing.T) {
	o := newFakeOrg(t, okQuery)
	if err := query(t, o.client(t)); err != nil {
		t.Fatal(err)
	}
	if h := o.dataHeaders()[0]; h.Get("Sforce-Query-Options") != "" {
		t.Errorf("Sforce-Query-Options sent: %q", h.Get("Sforce-Query-Options"))
	}
}

func TestQueryMaxRecords(t *testing.T) {
	o := newFakeOrg(t, queryRoutes(t, func(string) (int, string) {
		return 200, page(5, next2, acct("001000000000001AAA", "A1"), acct("001000000000002AAA", "A2"))
	}, map[string]string{
		next2: page(5, next3, acct("001000000000003AAA", "A3"), acct("001000000000004AAA", "A4")),
		next3: page(5, "", acct("001000000000005AAA", "A5")),
	}))
	res, err := o.client(t).Query(context.Background(), "SELECT Id FROM Account", QueryOptions{MaxRecords: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 3 || res.TotalSize != 5 || res.Done {
		t.Errorf("%d records, TotalSize %d, Done %v; want 3, 5, false", len(res.Records), res.TotalSize, res.Done)
	}
	if n := o.dataRequests.Load(); n != 2 {
		t.Errorf("%d data requests, want 2: the third page is not needed", n)
	}
}

const (
	childNext2 = "/services/data/v62.0/query/01gD0000002HU6KIAW-CHILD-2"
	childNext3 = "/services/data/v62.0/query/01gD0000002HU6KIAW-CHILD-3"
)

func contactRec(id, last string) string {
	return rec("Contact", id, `"LastName":"`+last+`"`, `"Email":"`+strings.ToLower(last)+`@acme.example"`)
}

// childPagingOrg serves three accounts: one whose contacts come on three pages,
// one with no contacts (null), one with all contacts on the first page.
func childPagingOrg(t *testing.T) *fakeOrg {
	owner := `"Owner":{"attributes":{"type":"User","url":"/services/data/v62.0/sobjects/User/005x00000012Q9PAAU"},"Name":"Dana Lee"}`
	paged := `"Contacts":{"totalSize":5,"done":false,"nextRecordsUrl":"` + childNext2 + `","records":[` +
		contactRec("003000000000001AAA", "Adams") + "," + contactRec("003000000000002AAA", "Baker") + `]}`
	return newFakeOrg(t, queryRoutes(t, func(string) (int, string) {
		return 200, page(3, "",
			rec("Account", "001000000000001AAA", `"Name":"Acme"`, owner, paged),
			rec("Account", "001000000000002AAA", `"Name":"Empty"`, owner, `"Contacts":null`),
			rec("Account", "001000000000003AAA", `"Name":"Small"`, `"Owner":null`,
				`"Contacts":{"totalSize":1,"done":true,"records":[`+contactRec("003000000000009AAA", "Zed")+`]}`),
		)
	}, map[string]string{
		childNext2: page(5, childNext3, contactRec("003000000000003AAA", "Clark"), contactRec("003000000000004AAA", "Davis")),
		childNext3: page(5, "", contactRec("003000000000005AAA", "Evans")),
	}))
}

type testContact struct {
	LastName string
	Email    string
}

type testAccount struct {
	Name  string
	Owner *struct{ Name string }
	// Contacts is nil when the account has none.
	Contacts *ChildResult[testContact]
}

func TestQueryFollowsChildPages(t *testing.T) {
	o := childPagingOrg(t)
	res, err := o.client(t).Query(context.Background(),
		"SELECT Id, Name, Owner.Name, (SELECT LastName, Email FROM Contacts) FROM Account", QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	accts, err := decodeRecords[testAccount](res.Records)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 3 {
		t.Fatalf("%d accounts", len(accts))
	}
	acme := accts[0]
	if acme.Owner == nil || acme.Owner.Name != "Dana Lee" {
		t.Errorf("Owner = %+v, want Dana Lee", acme.Owner)
	}
	if acme.Contacts == nil || acme.Contacts.TotalSize != 5 || !acme.Contacts.Done {
		t.Fatalf("Contacts = %+v", acme.Contacts)
	}
	var names []string
	for _, c := range acme.Contacts.Records {
		names = append(names, c.LastName)
	}
	if got := strings.Join(names, ","); got != "Adams,Baker,Clark,Davis,Evans" {
		t.Errorf("contacts %s, want all five in order", got)
	}
	if accts[1].Contacts != nil {
		t.Errorf("null child result decoded as %+v", accts[1].Contacts)
	}
	if accts[2].Owner != nil || accts[2].Contacts == nil || len(accts[2].Contacts.Records) != 1 {
		t.Errorf("third account = %+v", accts[2])
	}
	if n := o.dataRequests.Load(); n != 3 {
		t.Errorf("%d data requests, want 3: the query and two child pages", n)
	}
}

func TestQueryMaxRecordsCapsChildren(t *testing.T) {
	o := childPagingOrg(t)
	res, err := o.client(t).Query(context.Background(), "SELECT …", QueryOptions{MaxRecords: 3})
	if err != nil {
		t.Fatal(err)
	}
	accts, err := decodeRecords[testAccount](res.Records)
	if err != nil {
		t.Fatal(err)
	}
	c := accts[0].Contacts
	if len(c.Records) != 3 || c.TotalSize != 5 || c.Done {
		t.Errorf("%d contacts, TotalSize %d, Done %v; want 3, 5, false", len(c.Records), c.TotalSize, c.Done)
	}
	if n := o.dataRequests.Load(); n != 2 {
		t.Errorf("%d data requests, want 2", n)
	}
}

func TestQueryEncodesSOQL(t *testing.T) {
	const soql = `SELECT Id FROM Account WHERE Name = 'A&B + C #1 100%' AND Website LIKE '%\_x%'`
	var got, raw string
	o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) {
		got, raw = r.URL.Query().Get("q"), r.URL.RawQuery
		okQuery(w, r)
	})
	if _, err := o.client(t).Query(context.Background(), soql, QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	if got != soql {
		t.Errorf("server read q = %q, want %q", got, soql)
	}
	if q, ok := strings.CutPrefix(raw, "q="); !ok || strings.ContainsAny(q, " +#&'") {
		t.Errorf("raw query %q is not fully encoded", raw)
	}
}

func TestQueryRejectsBadPaging(t *testing.T) {
	var mu sync.Mutex
	elsewhere := 0
	other := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere++
		mu.Unlock()
		okQuery(w, r)
	})
	otherURL := other.url()
	bodies := map[string]string{
		"no next":      `{"totalSize":3,"done":false,"records":[]}`,
		"absolute":     `{"totalSize":3,"done":false,"nextRecordsUrl":"` + otherURL + `/services/data/v62.0/query/x-2","records":[]}`,
		"scheme-less":  `{"totalSize":3,"done":false,"nextRecordsUrl":"//evil.example/x","records":[]}`,
		"self":         `{"totalSize":3,"done":false,"nextRecordsUrl":"` + next2 + `","records":[]}`,
		"child next":   page(1, "", rec("Account", "001000000000001AAA", `"Contacts":{"totalSize":3,"done":false,"records":[]}`)),
		"records type": `{"totalSize":1,"done":true,"records":[1]}`,
	}
	for name, body := range bodies {
		o := newFakeOrg(t, queryRoutes(t, func(string) (int, string) {
			if name == "self" {
				return 200, page(3, next2)
			}
			return 200, body
		}, map[string]string{next2: body}))
		_, err := o.client(t).Query(context.Background(), "SELECT Id FROM Account", QueryOptions{})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		assertClass(t, err, adapters.ErrBadResponse)
	}
	if elsewhere != 0 {
		t.Errorf("%d requests followed nextRecordsUrl to another host", elsewhere)
	}
}
