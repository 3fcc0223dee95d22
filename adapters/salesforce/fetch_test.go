package salesforce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

const acmeID = "001A0000006Vm9rIAC"

func fetch(t *testing.T, a *Adapter, facet string) *adapters.Facet {
	t.Helper()
	f, err := a.Fetch(context.Background(), adapters.FetchRequest{ID: "001A0000006Vm9r", Facet: facet})
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != "salesforce" || f.Name != facet || !f.FetchedAt.Equal(a.now()) {
		t.Errorf("facet %s: Source %q, Name %q, FetchedAt %v", facet, f.Source, f.Name, f.FetchedAt)
	}
	if want := a.client.InstanceURL() + "/lightning/r/Account/" + acmeID + "/view"; f.URL != want {
		t.Errorf("URL = %q, want %q", f.URL, want)
	}
	return f
}

func TestFetchAccount(t *testing.T) {
	o, log := searchOrg(t, func(string) string {
		return page(1, "", rec("Account", acmeID, `"Name":"Acme"`, `"Industry":"Manufacturing"`, `"Type":"Customer"`,
			`"Website":"www.acme.example"`, `"Phone":"+33 4 72 00 00 00"`, `"BillingCity":"Lyon"`, `"BillingCountry":"France"`,
			`"AnnualRevenue":15000000.5`, `"NumberOfEmployees":250`, `"CurrencyIsoCode":"EUR"`,
			`"Owner":{"attributes":{"type":"User","url":"/x"},"Name":"Dana Lee"}`,
			`"LastModifiedDate":"2026-01-31T17:05:00.000+0000"`))
	})
	a := testAdapter(t, o, func(s *Settings) { s.MultiCurrency = true })
	f := fetch(t, a, "account")
	want := "SELECT Id, Name, Industry, Type, Website, Phone, BillingCity, BillingCountry, AnnualRevenue, NumberOfEmployees, " +
		"Owner.Name, LastModifiedDate, CurrencyIsoCode FROM Account WHERE Id = '" + acmeID + "' LIMIT 1"
	if q := log.all(); len(q) != 1 || q[0] != want {
		t.Errorf("SOQL %q, want %q", q, want)
	}
	wantFields := map[string]adapters.Value{
		adapters.FieldName:          adapters.Text("Acme"),
		adapters.FieldIndustry:      adapters.Text("Manufacturing"),
		adapters.FieldType:          adapters.Text("Customer"),
		adapters.FieldWebsite:       {Kind: adapters.KindURL, Text: "https://www.acme.example", Valid: true},
		adapters.FieldPhone:         {Kind: adapters.KindPhone, Text: "+33 4 72 00 00 00", Valid: true},
		adapters.FieldOwner:         adapters.Text("Dana Lee"),
		adapters.FieldAnnualRevenue: {Kind: adapters.KindMoney, Number: 15000000.5, Currency: "EUR", Valid: true},
		adapters.FieldEmployees:     {Kind: adapters.KindNumber, Number: 250, Valid: true},
		adapters.FieldCity:          adapters.Text("Lyon"),
		adapters.FieldCountry:       adapters.Text("France"),
		adapters.FieldLastModified:  {Kind: adapters.KindDateTime, Time: time.Date(2026, 1, 31, 17, 5, 0, 0, time.UTC), Valid: true},
	}
	if len(f.Fields) != len(wantFields) {
		t.Errorf("%d fields, want %d", len(f.Fields), len(wantFields))
	}
	for k, want := range wantFields {
		if got := f.Fields[k]; got != want {
			t.Errorf("field %s = %+v, want %+v", k, got, want)
		}
	}
}

func TestFetchAccountNullsAndOrgCurrency(t *testing.T) {
	o, log := searchOrg(t, func(string) string {
		return page(1, "", rec("Account", acmeID, `"Name":"Acme"`, `"Industry":null`, `"AnnualRevenue":null`,
			`"NumberOfEmployees":null`, `"Owner":null`, `"LastModifiedDate":null`, `"Website":null`))
	})
	f := fetch(t, testAdapter(t, o, func(s *Settings) { s.Currency = "CHF" }), "account")
	if q := log.all(); strings.Contains(q[0], "CurrencyIsoCode") {
		t.Errorf("CurrencyIsoCode queried in a single-currency org: %s", q[0])
	}
	for _, k := range []string{adapters.FieldIndustry, adapters.FieldAnnualRevenue, adapters.FieldEmployees, adapters.FieldOwner, adapters.FieldLastModified, adapters.FieldWebsite} {
		if f.Fields[k].Valid {
			t.Errorf("field %s = %+v, want no value", k, f.Fields[k])
		}
	}
	if f.Fields[adapters.FieldAnnualRevenue].Currency != "CHF" {
		t.Errorf("revenue currency = %q", f.Fields[adapters.FieldAnnualRevenue].Currency)
	}
}

func TestFetchUnknownAccount(t *testing.T) {
	for _, facet := range []string{"account", "contacts"} {
		o, _ := searchOrg(t, func(string) string { return page(0, "") })
		_, err := testAdapter(t, o, nil).Fetch(context.Background(), adapters.FetchRequest{ID: acmeID, Facet: facet})
		assertClass(t, err, adapters.ErrNotFound)
	}
}

func TestFetchRejectsBadRequests(t *testing.T) {
	o, log := searchOrg(t, func(string) string { return page(0, "") })
	a := testAdapter(t, o, nil)
	for _, tt := range []struct {
		req  adapters.FetchRequest
		want error
	}{
		{adapters.FetchRequest{ID: acmeID, Facet: "invoices"}, adapters.ErrBadRequest},
		// A malformed id names no account.
		{adapters.FetchRequest{ID: "001A0000006Vm9rIBC", Facet: "account"}, adapters.ErrNotFound},
		{adapters.FetchRequest{ID: "x' OR Id != '", Facet: "account"}, adapters.ErrNotFound},
	} {
		_, err := a.Fetch(context.Background(), tt.req)
		assertClass(t, err, tt.want)
	}
	if n := len(log.all()); n != 0 {
		t.Errorf("%d queries made for bad requests", n)
	}
}

func TestFetchContactsFollowsChildPages(t *testing.T) {
	const c2 = "/services/data/v62.0/query/01gCONTACTS-2"
	const c3 = "/services/data/v62.0/query/01gCONTACTS-4"
	contact := func(id, first, last string) string {
		return rec("Contact", id, `"FirstName":"`+first+`"`, `"LastName":"`+last+`"`, `"Email":"`+strings.ToLower(first)+`@acme.example"`,
			`"Phone":"555-0100"`, `"Title":"Buyer"`)
	}
	var soql string
	o := newFakeOrg(t, queryRoutes(t, func(q string) (int, string) {
		soql = q
		return 200, page(1, "", rec("Account", acmeID, `"Contacts":{"totalSize":5,"done":false,"nextRecordsUrl":"`+c2+`","records":[`+
			contact("003000000000001AAA", "Ann", "Adams")+","+contact("003000000000002AAA", "Bob", "Baker")+`]}`))
	}, map[string]string{
		c2: page(5, c3, contact("003000000000003AAA", "Cy", "Clark"), contact("003000000000004AAA", "", "Davis")),
		c3: page(5, "", contact("003000000000005AAA", "Eve", "Evans")),
	}))
	a := testAdapter(t, o, nil)
	f := fetch(t, a, "contacts")
	want := "SELECT Id, (SELECT Id, FirstName, LastName, Email, Phone, Title FROM Contacts ORDER BY LastName, FirstName) FROM Account WHERE Id = '" + acmeID + "'"
	if soql != want {
		t.Errorf("SOQL %q, want %q", soql, want)
	}
	if len(f.Tables) != 1 {
		t.Fatalf("%d tables", len(f.Tables))
	}
	tab := f.Tables[0]
	if tab.Total != 5 || len(tab.Rows) != 5 {
		t.Fatalf("Total %d, %d rows; want 5 and 5", tab.Total, len(tab.Rows))
	}
	var cols []string
	for _, c := range tab.Columns {
		cols = append(cols, c.Title)
	}
	if strings.Join(cols, ",") != "Name,Title,Email,Phone" || tab.Columns[2].Kind != adapters.KindEmail {
		t.Errorf("columns %v", tab.Columns)
	}
	if r := tab.Rows[3]; r.Cells[0].Text != "Davis" || r.URL != a.client.InstanceURL()+"/lightning/r/Contact/003000000000004AAA/view" {
		t.Errorf("row 4 = %+v", r)
	}
	if r := tab.Rows[4]; r.Cells[0].Text != "Eve Evans" || r.Cells[2] != (adapters.Value{Kind: adapters.KindEmail, Text: "eve@acme.example", Valid: true}) {
		t.Errorf("row 5 = %+v", r)
	}

	// max_rows caps the rows, not the total, and spares the last page.
	o.dataRequests.Store(0)
	a = testAdapter(t, o, func(s *Settings) { s.MaxRows = 3 })
	tab = fetch(t, a, "contacts").Tables[0]
	if tab.Total != 5 || len(tab.Rows) != 3 || o.dataRequests.Load() != 2 {
		t.Errorf("capped: Total %d, %d rows, %d requests; want 5, 3, 2", tab.Total, len(tab.Rows), o.dataRequests.Load())
	}
}

func TestFetchContactsNone(t *testing.T) {
	o, _ := searchOrg(t, func(string) string { return page(1, "", rec("Account", acmeID, `"Contacts":null`)) })
	tab := fetch(t, testAdapter(t, o, nil), "contacts").Tables[0]
	if tab.Total != 0 || len(tab.Rows) != 0 || len(tab.Columns) != 4 {
		t.Errorf("table %+v, want an empty table with its columns", tab)
	}
}

func opp(id, name, stage string, amount string, closeDate string, closed, won bool, prob string) string {
	b := func(v bool) string {
		if v {
			return "true"
		}
		return "false"
	}
	return rec("Opportunity", id, `"Name":"`+name+`"`, `"StageName":"`+stage+`"`, `"Amount":`+amount, `"CloseDate":"`+closeDate+`"`,
		`"IsClosed":`+b(closed), `"IsWon":`+b(won), `"Probability":`+prob)
}

func TestFetchOpportunities(t *testing.T) {
	const p2 = "/services/data/v62.0/query/01gOPPS-2"
	var soql string
	o := newFakeOrg(t, queryRoutes(t, func(q string) (int, string) {
		soql = q
		return 200, page(7, p2,
			opp("006000000000001AAA", "Renewal", "Negotiation", "100", "2026-04-01", false, false, "75"),
			opp("006000000000002AAA", "Upsell", "Prospecting", "200.5", "2026-05-01", false, false, "10"),
			opp("006000000000003AAA", "Pilot", "Qualification", "null", "2026-06-01", false, false, "20"),
		)
	}, map[string]string{p2: page(7, "",
		opp("006000000000004AAA", "Extra", "Prospecting", "50", "2026-07-01", false, false, "10"),
		opp("006000000000005AAA", "Big win", "Closed Won", "1000", "2026-02-01", true, true, "100"),
		opp("006000000000006AAA", "Old win", "Closed Won", "500", "2025-12-31", true, true, "100"),
		opp("006000000000007AAA", "Lost", "Closed Lost", "300", "2026-01-15", true, false, "0"),
	)}))
	a := testAdapter(t, o, func(s *Settings) { s.MaxRows = 2 })
	tab := fetch(t, a, "opportunities").Tables[0]
	want := "SELECT Id, Name, StageName, Amount, CloseDate, IsClosed, IsWon, Probability FROM Opportunity WHERE AccountId = '" +
		acmeID + "' ORDER BY IsClosed, CloseDate"
	if soql != want {
		t.Errorf("SOQL %q, want %q", soql, want)
	}
	if tab.Total != 7 || len(tab.Rows) != 2 {
		t.Errorf("Total %d, %d rows; want 7 and 2", tab.Total, len(tab.Rows))
	}
	r := tab.Rows[1]
	wantCells := []adapters.Value{
		adapters.Text("Upsell"),
		adapters.Text("Prospecting"),
		{Kind: adapters.KindMoney, Number: 200.5, Currency: "USD", Valid: true},
		{Kind: adapters.KindDate, Time: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Valid: true},
		{Kind: adapters.KindPercent, Number: 10, Valid: true},
	}
	for i, want := range wantCells {
		if r.Cells[i] != want {
			t.Errorf("cell %d = %+v, want %+v", i, r.Cells[i], want)
		}
	}
	if r.Emphasis || r.URL != a.client.InstanceURL()+"/lightning/r/Opportunity/006000000000002AAA/view" {
		t.Errorf("row = %+v", r)
	}
	// Over all seven records, not the two shown.
	wantSummary := []adapters.Metric{
		{Label: "Open pipeline", Value: adapters.Value{Kind: adapters.KindMoney, Number: 350.5, Currency: "USD", Valid: true}, Key: adapters.MetricOpenPipeline},
		{Label: "Open", Value: adapters.Value{Kind: adapters.KindNumber, Number: 4, Valid: true}},
		{Label: "Won this year", Value: adapters.Value{Kind: adapters.KindMoney, Number: 1000, Currency: "USD", Valid: true}},
	}
	if len(tab.Summary) != len(wantSummary) {
		t.Fatalf("summary %+v", tab.Summary)
	}
	for i, want := range wantSummary {
		if tab.Summary[i] != want {
			t.Errorf("summary %d = %+v, want %+v", i, tab.Summary[i], want)
		}
	}
}

func TestFetchOpportunitiesMixedCurrencies(t *testing.T) {
	o, _ := searchOrg(t, func(string) string {
		return page(2, "",
			rec("Opportunity", "006000000000001AAA", `"Amount":100`, `"IsClosed":false`, `"CloseDate":"2026-04-01"`, `"CurrencyIsoCode":"EUR"`),
			rec("Opportunity", "006000000000002AAA", `"Amount":100`, `"IsClosed":false`, `"CloseDate":"2026-04-01"`, `"CurrencyIsoCode":"GBP"`))
	})
	tab := fetch(t, testAdapter(t, o, func(s *Settings) { s.MultiCurrency = true }), "opportunities").Tables[0]
	if tab.Summary[0].Value.Valid {
		t.Errorf("open pipeline over EUR and GBP = %+v, want no value", tab.Summary[0].Value)
	}
	if tab.Rows[1].Cells[2].Currency != "GBP" {
		t.Errorf("amount currency = %q", tab.Rows[1].Cells[2].Currency)
	}
}

func TestFetchCases(t *testing.T) {
	kase := func(id, number, priority, status, created, closed string) string {
		return rec("Case", id, `"CaseNumber":"`+number+`"`, `"Subject":"Subject `+number+`"`, `"Priority":"`+priority+`"`,
			`"Status":"`+status+`"`, `"CreatedDate":"`+created+`"`, `"ClosedDate":`+closed)
	}
	var soql string
	o := newFakeOrg(t, queryRoutes(t, func(q string) (int, string) {
		soql = q
		return 200, page(4, "",
			kase("500000000000001AAA", "00001027", "High", "New", "2026-03-01T09:30:00.000+0000", "null"),
			kase("500000000000002AAA", "00001026", "Low", "Working", "2026-02-01T09:30:00.000+0000", "null"),
			kase("500000000000003AAA", "00001020", "High", "Closed", "2026-01-01T09:30:00.000+0000", `"2026-01-05T10:00:00.000+0000"`),
			kase("500000000000004AAA", "00001001", "High", "Closed", "2025-01-01T09:30:00.000Z", `"2025-01-05T10:00:00.000Z"`),
		)
	}, nil))
	a := testAdapter(t, o, func(s *Settings) { s.MaxRows = 3 })
	tab := fetch(t, a, "cases").Tables[0]
	if !strings.HasSuffix(soql, "FROM Case WHERE AccountId = '"+acmeID+"' ORDER BY ClosedDate DESC NULLS FIRST, CreatedDate DESC") ||
		!strings.HasPrefix(soql, "SELECT Id, CaseNumber, Subject, Status, Priority, CreatedDate, ClosedDate FROM") {
		t.Errorf("SOQL %q", soql)
	}
	var cols []string
	for _, c := range tab.Columns {
		cols = append(cols, c.Title)
	}
	if strings.Join(cols, ",") != "Case number,Subject,Priority,Status,Opened" || tab.Columns[4].Kind != adapters.KindDateTime {
		t.Errorf("columns %v", tab.Columns)
	}
	if tab.Total != 4 || len(tab.Rows) != 3 {
		t.Fatalf("Total %d, %d rows", tab.Total, len(tab.Rows))
	}
	var emphasis []bool
	for _, r := range tab.Rows {
		emphasis = append(emphasis, r.Emphasis)
	}
	if !emphasis[0] || emphasis[1] || emphasis[2] {
		t.Errorf("emphasis %v, want only the open high-priority case", emphasis)
	}
	if got := tab.Rows[0].Cells[4]; got != (adapters.Value{Kind: adapters.KindDateTime, Time: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), Valid: true}) {
		t.Errorf("opened = %+v", got)
	}
	if got := tab.Summary; len(got) != 1 || got[0].Label != "Open cases" || got[0].Value.Number != 2 {
		t.Errorf("summary %+v", got)
	}
}

func TestFetchBadValuesAreBadResponses(t *testing.T) {
	for _, body := range []string{
		page(1, "", rec("Opportunity", "006000000000001AAA", `"CloseDate":"31/01/2026"`)),
		page(1, "", rec("Opportunity", "006000000000001AAA", `"Amount":"lots"`)),
		page(1, "", rec("Opportunity", "006000000000001AAA", `"IsClosed":"no"`)),
	} {
		o, _ := searchOrg(t, func(string) string { return body })
		_, err := testAdapter(t, o, nil).Fetch(context.Background(), adapters.FetchRequest{ID: acmeID, Facet: "opportunities"})
		assertClass(t, err, adapters.ErrBadResponse)
	}
}

func TestFetchKeepsErrorClass(t *testing.T) {
	o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `[{"message":"insufficient access rights on cross-reference id","errorCode":"INSUFFICIENT_ACCESS"}]`)
	})
	_, err := testAdapter(t, o, nil).Fetch(context.Background(), adapters.FetchRequest{ID: acmeID, Facet: "contacts"})
	assertClass(t, err, adapters.ErrForbidden)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !strings.HasPrefix(err.Error(), "salesforce: fetch contacts of "+acmeID+": access denied (403 INSUFFICIENT_ACCESS") {
		t.Errorf("error %q", err)
	}
}
