package salesforce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// testAdapter returns an adapter of the org using the client credentials flow.
func testAdapter(t *testing.T, o *fakeOrg, edit func(*Settings)) *Adapter {
	t.Helper()
	s := &Settings{Flow: FlowClientCredentials, ClientID: "3MVG9-key", ClientSecret: "s3cret", LoginURL: o.url()}
	if edit != nil {
		edit(s)
	}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	a, err := newAdapter(adapters.Source{Name: "salesforce", Title: "Salesforce", Timeout: 10 * time.Second, Settings: s, HTTP: o.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	a.now = func() time.Time { return time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC) }
	return a
}

// soqlLog answers queries with answer and records the SOQL received.
type soqlLog struct {
	mu  sync.Mutex
	got []string
}

func (l *soqlLog) record(q string) {
	l.mu.Lock()
	l.got = append(l.got, q)
	l.mu.Unlock()
}

func (l *soqlLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}

func searchOrg(t *testing.T, answer func(soql string) string) (*fakeOrg, *soqlLog) {
	log := &soqlLog{}
	o := newFakeOrg(t, queryRoutes(t, func(q string) (int, string) {
		log.record(q)
		return 200, answer(q)
	}, nil))
	return o, log
}

func summaryRec(id, name, website string) string {
	return rec("Account", id, `"Name":"`+name+`"`, `"Industry":"Manufacturing"`, `"Website":"`+website+`"`,
		`"BillingCity":"Lyon"`, `"Owner":{"attributes":{"type":"User","url":"/x"},"Name":"Dana Lee"}`)
}

func TestTypeAndNewDoNoIO(t *testing.T) {
	typ := Type()
	s, ok := typ.NewSettings().(*Settings)
	if !ok {
		t.Fatalf("NewSettings() = %T", typ.NewSettings())
	}
	s.Flow, s.ClientID, s.ClientSecret, s.LoginURL = FlowClientCredentials, "id", "secret", "https://acme.my.salesforce.com"
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	noIO := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("New made a request: %s", r.URL)
		return nil, errors.New("no I/O expected")
	})}
	a, err := typ.New(adapters.Source{Name: "salesforce", Settings: s, HTTP: noIO})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range a.Facets() {
		names = append(names, f.Name+"/"+f.Title)
		if f.Header != (f.Name == "account") {
			t.Errorf("facet %s: Header = %v", f.Name, f.Header)
		}
	}
	if got := strings.Join(names, ","); got != "account/Account,contacts/Contacts,opportunities/Opportunities,cases/Cases" {
		t.Errorf("Facets() = %s", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewRejectsInvalidSettings(t *testing.T) {
	_, err := New(adapters.Source{Name: "crm", Settings: &Settings{Flow: "jwt"}})
	if err == nil || !strings.Contains(err.Error(), "client_id") || !strings.Contains(err.Error(), "username") {
		t.Errorf("New with invalid settings: %v", err)
	}
	if _, err := New(adapters.Source{Name: "crm"}); err == nil {
		t.Error("New without settings: no error")
	}
}

func TestSearchByName(t *testing.T) {
	o, log := searchOrg(t, func(string) string {
		return page(5, "",
			summaryRec("001000000000002AAA", "Acme Holdings", "acmeholdings.example"),
			summaryRec("001000000000003AAA", "Big Acme", ""),
			summaryRec("001000000000001AAA", "ACME", "https://www.acme.example/about"),
			summaryRec("001000000000001", "ACME", "https://www.acme.example/about"), // the same, 15-character form
			summaryRec("001000000000004AAA", "Ácme Sud", ""),
		)
	})
	a := testAdapter(t, o, nil)
	got, err := a.Search(context.Background(), adapters.Query{Text: " acme ", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT Id, Name, Industry, Website, BillingCity, Owner.Name FROM Account WHERE Name LIKE '%acme%' ORDER BY Name LIMIT 15"
	if q := log.all(); len(q) != 1 || q[0] != want {
		t.Errorf("SOQL %q, want %q", q, want)
	}
	var names []string
	for _, m := range got {
		names = append(names, m.Name+"/"+m.MatchedBy)
	}
	if s := strings.Join(names, ","); s != "ACME/name,Acme Holdings/name,Big Acme/name" {
		t.Errorf("matches %s, want exact, prefix, contains", s)
	}
	m := got[0]
	inst := o.url()
	if m.Source != "salesforce" || m.ID != "001000000000001AAA" || m.Industry != "Manufacturing" || m.City != "Lyon" ||
		m.Owner != "Dana Lee" || m.URL != inst+"/lightning/r/Account/001000000000001AAA/view" {
		t.Errorf("match = %+v", m)
	}
	wantKeys := []adapters.Key{{Kind: "id", Value: "001000000000001AAA"}, {Kind: "domain", Value: "acme.example"}}
	if !equalKeys(m.Keys, wantKeys) {
		t.Errorf("Keys = %v, want %v", m.Keys, wantKeys)
	}
}

func equalKeys(a, b []adapters.Key) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSearchEscapesInput(t *testing.T) {
	o, log := searchOrg(t, func(string) string { return page(0, "") })
	a := testAdapter(t, o, nil)
	if _, err := a.Search(context.Background(), adapters.Query{Text: `x' OR Name LIKE '%`}); err != nil {
		t.Fatal(err)
	}
	want := `SELECT Id, Name, Industry, Website, BillingCity, Owner.Name FROM Account WHERE Name LIKE '%x\' OR Name LIKE \'\%%' ORDER BY Name LIMIT 100`
	if q := log.all(); len(q) != 1 || q[0] != want {
		t.Errorf("SOQL %q, want %q", q, want)
	}
}

func TestSearchByDomain(t *testing.T) {
	o, log := searchOrg(t, func(string) string {
		return page(2, "",
			summaryRec("001000000000002AAA", "Acme Rentals", "https://acme.com.example"),
			summaryRec("001000000000001AAA", "Zeta Corp", "http://www.acme.com/"),
		)
	})
	a := testAdapter(t, o, nil)
	got, err := a.Search(context.Background(), adapters.Query{Text: "https://www.Acme.com/about"})
	if err != nil {
		t.Fatal(err)
	}
	if q := log.all(); len(q) != 1 || !strings.Contains(q[0], `WHERE Name LIKE '%https://www.Acme.com/about%' OR Website LIKE '%acme.com%' ORDER BY`) {
		t.Errorf("SOQL %q", q)
	}
	if len(got) != 2 || got[0].Name != "Zeta Corp" || got[0].MatchedBy != "domain" || got[1].MatchedBy != "domain" {
		t.Errorf("matches %+v, want the exact domain first", got)
	}
}

func TestSearchByEmail(t *testing.T) {
	o, log := searchOrg(t, func(q string) string {
		if strings.Contains(q, "FROM Contact") {
			return page(3, "",
				rec("Contact", "003000000000001AAA", `"AccountId":"001000000000001AAA"`, `"Email":"Jane.Doe@acme.example"`),
				rec("Contact", "003000000000002AAA", `"AccountId":"001000000000001AAA"`, `"Email":"jane.doe@acme.example"`),
				rec("Contact", "003000000000003AAA", `"AccountId":"001000000000002AAA"`, `"Email":"jane.doe@acme.example"`),
			)
		}
		return page(2, "",
			summaryRec("001000000000002AAA", "Acme Rentals", ""),
			summaryRec("001000000000001AAA", "Acme", "acme.example"),
		)
	})
	a := testAdapter(t, o, nil)
	got, err := a.Search(context.Background(), adapters.Query{Text: "Jane.Doe@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SELECT AccountId, Email FROM Contact WHERE Email = 'Jane.Doe@acme.example' AND AccountId != null LIMIT 200",
		"SELECT Id, Name, Industry, Website, BillingCity, Owner.Name FROM Account WHERE Id IN ('001000000000001AAA', '001000000000002AAA') ORDER BY Name LIMIT 100",
	}
	if q := log.all(); strings.Join(q, "\n") != strings.Join(want, "\n") {
		t.Errorf("SOQL\n%s\nwant\n%s", strings.Join(q, "\n"), strings.Join(want, "\n"))
	}
	if len(got) != 2 || got[0].Name != "Acme" || got[0].MatchedBy != "email" {
		t.Fatalf("matches %+v", got)
	}
	wantKeys := []adapters.Key{{Kind: "id", Value: "001000000000001AAA"}, {Kind: "domain", Value: "acme.example"}, {Kind: "email", Value: "jane.doe@acme.example"}}
	if !equalKeys(got[0].Keys, wantKeys) {
		t.Errorf("Keys = %v, want %v", got[0].Keys, wantKeys)
	}
}

func TestSearchByEmailWithoutContacts(t *testing.T) {
	o, log := searchOrg(t, func(string) string { return page(0, "") })
	got, err := testAdapter(t, o, nil).Search(context.Background(), adapters.Query{Text: "nobody@acme.example"})
	if err != nil || len(got) != 0 {
		t.Errorf("Search = %v, %v", got, err)
	}
	if n := len(log.all()); n != 1 {
		t.Errorf("%d queries, want only the contact query", n)
	}
}

func TestSearchByID(t *testing.T) {
	// The 15-character id, and the 18-character one in any case.
	for _, text := range []string{"001A0000006Vm9r", "001A0000006Vm9rIAC", "001a0000006vm9riac", "001A0000006VM9RIAC"} {
		t.Run(text, func(t *testing.T) {
			o, log := searchOrg(t, func(string) string {
				return page(2, "",
					summaryRec("001000000000009AAA", "001A0000006Vm9r Holdings", ""),
					summaryRec("001A0000006Vm9rIAC", "Acme", ""),
				)
			})
			got, err := testAdapter(t, o, nil).Search(context.Background(), adapters.Query{Text: text})
			if err != nil {
				t.Fatal(err)
			}
			if q := log.all(); len(q) != 1 || !strings.Contains(q[0], "OR Id = '001A0000006Vm9rIAC'") {
				t.Errorf("SOQL %q", q)
			}
			if len(got) == 0 || got[0].ID != "001A0000006Vm9rIAC" || got[0].MatchedBy != "id" {
				t.Errorf("matches %+v, want the id match first", got)
			}
		})
	}
}

func TestSearchEmptyTextMakesNoCall(t *testing.T) {
	o, log := searchOrg(t, func(string) string { return page(0, "") })
	got, err := testAdapter(t, o, nil).Search(context.Background(), adapters.Query{Text: "   "})
	if err != nil || got != nil || len(log.all()) != 0 || o.tokenRequests.Load() != 0 {
		t.Errorf("Search of blank text = %v, %v with %d queries", got, err, len(log.all()))
	}
}

func TestSearchKeepsErrorClass(t *testing.T) {
	o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`)
	})
	_, err := testAdapter(t, o, nil).Search(context.Background(), adapters.Query{Text: "acme"})
	assertClass(t, err, adapters.ErrLimitExceeded)
	if err != nil && !strings.HasPrefix(err.Error(), "salesforce: search accounts: API limit exceeded") {
		t.Errorf("error %q", err)
	}
}

func TestCheck(t *testing.T) {
	var soql string
	o := newFakeOrg(t, queryRoutes(t, func(q string) (int, string) {
		soql = q
		return 200, page(1, "", rec("Account", "001000000000001AAA"))
	}, nil))
	a := testAdapter(t, o, nil)
	h := a.Check(context.Background())
	if !h.OK || h.APIUsed != 10018 || h.APILimit != 100000 || !h.CheckedAt.Equal(a.now()) || h.Message == "" {
		t.Errorf("Check() = %+v", h)
	}
	if soql != "SELECT Id FROM Account LIMIT 1" {
		t.Errorf("Check ran %q", soql)
	}

	down := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, htmlPage) })
	down.limitInfo = "api-usage=7/15000"
	h = testAdapter(t, down, nil).Check(context.Background())
	if h.OK || !strings.Contains(h.Message, "unavailable") || h.APIUsed != 7 || h.APILimit != 15000 {
		t.Errorf("Check() of a failing org = %+v", h)
	}
}
