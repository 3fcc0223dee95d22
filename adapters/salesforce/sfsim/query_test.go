package sfsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestQueryAnswerShape(t *testing.T) {
	h := smallHarness(t, Options{})
	r := h.query("SELECT Id, Name, Owner.Name, AnnualRevenue, NumberOfEmployees, LastModifiedDate, " +
		"(SELECT LastName, Email FROM Contacts ORDER BY LastName LIMIT 2) FROM Account " +
		"WHERE Name IN ('Acme Corporation', '100% Pure Foods') ORDER BY Name DESC")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r)
	}
	acmeURL := "/services/data/v62.0/sobjects/Account/" + smallAcme
	want := `{"totalSize":2,"done":true,"records":[` +
		`{"attributes":{"type":"Account","url":"` + acmeURL + `"},"Id":"` + smallAcme + `","Name":"Acme Corporation",` +
		`"Owner":{"attributes":{"type":"User","url":"/services/data/v62.0/sobjects/User/` + smallUser + `"},"Name":"Dana Lee"},` +
		`"AnnualRevenue":1.25E7,"NumberOfEmployees":5400,"LastModifiedDate":"2026-01-15T12:30:00.000+0000",` +
		`"Contacts":{"totalSize":2,"done":true,"records":[` +
		`{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/` + To18("003Dn0000000003") + `"},"LastName":"Adams","Email":null},` +
		`{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/` + To18("003Dn0000000002") + `"},"LastName":"Young","Email":"bob@acme.com"}]}},` +
		`{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/` + smallPercent + `"},"Id":"` + smallPercent + `","Name":"100% Pure Foods",` +
		`"Owner":null,"AnnualRevenue":null,"NumberOfEmployees":null,"LastModifiedDate":"2025-06-01T00:00:00.000+0000","Contacts":null}]}`
	if r.String() != want {
		t.Errorf("body =\n%s\nwant\n%s", r, want)
	}
	if ct := r.header.Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestQueryCanonicalNamesAndVersions(t *testing.T) {
	h := smallHarness(t, Options{})
	r := h.get("/services/data/v58.0/query?q=select+id,+NAME,+owner.name+from+ACCOUNT+where+name+=+'acme+corporation'")
	want := `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Account","url":"/services/data/v58.0/sobjects/Account/` + smallAcme +
		`"},"Id":"` + smallAcme + `","Name":"Acme Corporation","Owner":{"attributes":{"type":"User","url":"/services/data/v58.0/sobjects/User/` + smallUser + `"},"Name":"Dana Lee"}}]}`
	if r.String() != want {
		t.Errorf("body =\n%s\nwant\n%s", r, want)
	}
}

func TestQueryFilters(t *testing.T) {
	h := smallHarness(t, Options{})
	for _, tc := range []struct {
		where string
		want  string // names, in name order, comma-separated
	}{
		{"Name = 'acme corporation'", "Acme Corporation"},
		{`Name = 'O\'Reilly Media Group'`, "O'Reilly Media Group"},
		{`Name LIKE 'o\'reilly%'`, "O'Reilly Media Group"},
		{`Name LIKE '100\% %'`, "100% Pure Foods"},
		{`Name LIKE '%\_%'`, "a_b Labs"},
		{`Name LIKE '%_%'`, "100% Pure Foods,a_b Labs,Acme Corporation,O'Reilly Media Group,Zeta Retail"},
		{"Industry = null", "100% Pure Foods"},
		{"Industry != null", "a_b Labs,Acme Corporation,O'Reilly Media Group,Zeta Retail"},
		{"Industry != 'Retail'", "100% Pure Foods,Acme Corporation,O'Reilly Media Group"},
		{"Industry IN ('Retail', 'media')", "a_b Labs,O'Reilly Media Group,Zeta Retail"},
		{"Industry NOT IN ('Retail')", "100% Pure Foods,Acme Corporation,O'Reilly Media Group"},
		{"AnnualRevenue > 15000", "a_b Labs,Acme Corporation"},
		{"AnnualRevenue < 10000", "O'Reilly Media Group"},
		{"AnnualRevenue = 1500.5", "O'Reilly Media Group"},
		{"NumberOfEmployees >= 20 AND NumberOfEmployees <= 20", "O'Reilly Media Group"},
		{"(Industry = 'Retail' OR Industry = 'Media') AND NOT Name LIKE 'z%'", "a_b Labs,O'Reilly Media Group"},
		{"NOT (Industry = 'Retail' OR Industry = null)", "Acme Corporation,O'Reilly Media Group"},
		{"Owner.Name = 'Dana Lee'", "Acme Corporation,O'Reilly Media Group"},
		{"Owner.Name = null", "100% Pure Foods,a_b Labs,Zeta Retail"},
		{"SystemModstamp > 2026-02-01T00:00:00Z", "O'Reilly Media Group"},
		{"SystemModstamp > 2026-02-20T09:00:00+02:00", "O'Reilly Media Group"},
		{"SystemModstamp > 2026-02-20T09:00:00.000Z", ""},
		{"LastModifiedDate = LAST_N_DAYS:30", "O'Reilly Media Group"},
		{"LastModifiedDate < LAST_N_DAYS:30", "100% Pure Foods,a_b Labs,Acme Corporation,Zeta Retail"},
		{"Id = '" + smallAcme[:15] + "'", "Acme Corporation"},
		{"Id = '" + strings.ToLower(smallAcme[:15]) + "'", ""},
		{"Id IN ('" + smallZeta + "', '" + smallAcme + "')", "Acme Corporation,Zeta Retail"},
		{"Id IN (SELECT AccountId FROM Contact WHERE Email LIKE '%@acme.com')", "Acme Corporation"},
		{"Id NOT IN (SELECT AccountId FROM Contact)", "100% Pure Foods,a_b Labs,Zeta Retail"},
		{"Name > 'P'", "Zeta Retail"},
		{"Website = 'https://www.acme.com'", "Acme Corporation"},
	} {
		r := h.query("SELECT Name FROM Account WHERE " + tc.where + " ORDER BY Name")
		if r.status != http.StatusOK {
			t.Errorf("WHERE %s: %d %s", tc.where, r.status, r)
			continue
		}
		var res queryResult
		r.decode(t, &res)
		var names []string
		for _, rec := range res.Records {
			names = append(names, str(t, rec, "Name"))
		}
		if got := strings.Join(names, ","); got != tc.want || res.TotalSize != len(names) {
			t.Errorf("WHERE %s = %q (totalSize %d), want %q", tc.where, got, res.TotalSize, tc.want)
		}
	}
}

func TestQueryOtherObjects(t *testing.T) {
	h := smallHarness(t, Options{})
	for _, tc := range []struct{ q, want string }{
		{"SELECT Name FROM Opportunity WHERE CloseDate = 2026-01-31", "Acme - Renewal"},
		{"SELECT Name FROM Opportunity WHERE CloseDate > TODAY", "Acme - Expansion"},
		{"SELECT Name FROM Opportunity WHERE IsClosed = true", "Acme - Renewal"},
		{"SELECT Name FROM Opportunity WHERE Account.Name = 'Acme Corporation' AND IsWon = false", "Acme - Expansion"},
		{"SELECT Name FROM Opportunity WHERE Probability = 10", "Acme - Expansion"},
		{"SELECT Name FROM Opportunity ORDER BY Amount DESC LIMIT 1", "Acme - Renewal"},
		{"SELECT Name FROM Opportunity ORDER BY Amount LIMIT 1 OFFSET 1", "Acme - Renewal"},
		{"SELECT Name FROM Contact WHERE Email = null", "Cid Adams"},
		{"SELECT Name FROM Contact WHERE Account.Owner.Name = 'Dana Lee' AND LastName LIKE 'O\\'%'", "Tim O'Brien"},
		{"SELECT Name FROM Contact ORDER BY Email NULLS LAST, LastName", "Ann Zimmer,Bob Young,Tim O'Brien,Cid Adams"},
		{"SELECT Name FROM Contact ORDER BY Email DESC NULLS FIRST", "Cid Adams,Tim O'Brien,Bob Young,Ann Zimmer"},
	} {
		r := h.query(tc.q)
		var res queryResult
		r.decode(t, &res)
		var names []string
		for _, rec := range res.Records {
			names = append(names, str(t, rec, "Name"))
		}
		if got := strings.Join(names, ","); got != tc.want {
			t.Errorf("%s = %q, want %q (%s)", tc.q, got, tc.want, r)
		}
	}
}

func TestQueryDerivedAndPolymorphicFields(t *testing.T) {
	h := smallHarness(t, Options{})
	r := h.query("SELECT Subject, What.Name, What.Type, Who.Name FROM Task")
	want := `"Subject":"Send quote","What":{"attributes":{"type":"Opportunity","url":"/services/data/v62.0/sobjects/Opportunity/` + smallRenewal +
		`"},"Name":"Acme - Renewal","Type":"Opportunity"},"Who":{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/` +
		To18("003Dn0000000001") + `"},"Name":"Ann Zimmer"}}]}`
	if !strings.HasSuffix(r.String(), want) {
		t.Errorf("body = %s\nwant suffix %s", r, want)
	}
	r = h.query("SELECT CaseNumber, Status, IsClosed, ClosedDate, Contact.Email FROM Case ORDER BY CaseNumber")
	want = `"CaseNumber":"00001001","Status":"New","IsClosed":false,"ClosedDate":null,"Contact":{`
	if !strings.Contains(r.String(), want) || !strings.Contains(r.String(), `"CaseNumber":"00001002","Status":"Closed","IsClosed":true,"ClosedDate":"2025-06-03T10:00:00.000+0000","Contact":null`) {
		t.Errorf("cases = %s", r)
	}
	r = h.query("SELECT StageName, IsClosed, IsWon, Probability, Amount, CloseDate FROM Opportunity WHERE Id = '" + smallRenewal + "'")
	if !strings.Contains(r.String(), `"StageName":"Closed Won","IsClosed":true,"IsWon":true,"Probability":100.0,"Amount":50000.0,"CloseDate":"2026-01-31"`) {
		t.Errorf("opportunity = %s", r)
	}
}

func TestQueryCountAndAggregates(t *testing.T) {
	h := smallHarness(t, Options{})
	r := h.query("SELECT COUNT() FROM Contact WHERE AccountId = '" + smallAcme + "'")
	if r.String() != `{"totalSize":3,"done":true,"records":[]}` {
		t.Errorf("COUNT() = %s", r)
	}
	r = h.query("SELECT SUM(Amount), MAX(CloseDate) latest, COUNT(Id), AVG(Amount) FROM Opportunity WHERE AccountId = '" + smallAcme + "'")
	want := `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"expr0":70000.0,"latest":"2026-04-15","expr1":2,"expr2":35000.0}]}`
	if r.String() != want {
		t.Errorf("aggregates = %s\nwant %s", r, want)
	}
	r = h.query("SELECT SUM(Amount) FROM Opportunity WHERE Amount > 1000000")
	if !strings.Contains(r.String(), `"expr0":null`) {
		t.Errorf("SUM over nothing = %s, want null", r)
	}
}

func TestQueryErrors(t *testing.T) {
	h := smallHarness(t, Options{})
	for _, tc := range []struct {
		q, code, msg string
	}{
		{"SELECT Id, Nmae FROM Account", "INVALID_FIELD",
			"\nSELECT Id, Nmae FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nmae' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."},
		{"SELECT Id FROM Acount", "INVALID_TYPE",
			"\nSELECT Id FROM Acount\n               ^\nERROR at Row:1:Column:16\nsObject type 'Acount' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."},
		{"SELECT Id FROM Account WHERE Name = 'O'Reilly'", "MALFORMED_QUERY",
			"\nSELECT Id FROM Account WHERE Name = 'O'Reilly'\n                                       ^\nERROR at Row:1:Column:40\nunexpected token: 'Reilly'"},
		{"SELECT Id, Owner.Nmae FROM Account", "INVALID_FIELD", "No such column 'Nmae' on entity 'User'."},
		{"SELECT Id, Ownr.Name FROM Account", "INVALID_FIELD", "Didn't understand relationship 'Ownr' in field path."},
		{"SELECT Id, What.Amount FROM Task", "INVALID_FIELD", "No such column 'Amount' on entity 'Name'."},
		{"SELECT Id, (SELECT Id FROM Contactz) FROM Account", "INVALID_TYPE", "Didn't understand relationship 'Contactz' in FROM part of query call."},
		{"SELECT Id, (SELECT Nmae FROM Contacts) FROM Account", "INVALID_FIELD", "No such column 'Nmae' on entity 'Contact'."},
		{"SELECT Id FROM Account WHERE Nmae = 'x'", "INVALID_FIELD", "ERROR at Row:1:Column:30\nNo such column 'Nmae'"},
		{"SELECT Id FROM Account ORDER BY Nmae", "INVALID_FIELD", "No such column 'Nmae'"},
		{"SELECT Id FROM Account WHERE CreatedDate > 2026-01-01", "INVALID_FIELD", "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes"},
		{"SELECT Id FROM Opportunity WHERE CloseDate > '2026-01-01'", "INVALID_FIELD", "must be of type date and should not be enclosed in quotes"},
		{"SELECT Id FROM Account WHERE Name = 5", "INVALID_FIELD", "must be of type string and should be enclosed in quotes"},
		{"SELECT Id FROM Account WHERE AnnualRevenue = '5'", "INVALID_FIELD", "must be of type double and should not be enclosed in quotes"},
		{"SELECT Id FROM Account WHERE NumberOfEmployees = '5'", "INVALID_FIELD", "must be of type integer"},
		{"SELECT Id FROM Opportunity WHERE IsClosed = 'true'", "INVALID_FIELD", "must be of type boolean"},
		{"SELECT Id FROM Account WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: abc"},
		{"SELECT Id FROM Account WHERE Name LIKE 5", "INVALID_FIELD", "must be of type string"},
		{"SELECT Id FROM Account WHERE AnnualRevenue LIKE '5%'", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator on currency field"},
		{"SELECT Id FROM Account WHERE Name IN (SELECT Id FROM Contact)", "INVALID_FIELD", "should be an id field"},
		{"SELECT Id, Id FROM Account", "MALFORMED_QUERY", "duplicate field selected: Id"},
		{"SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000"},
		{"SELECT Name, COUNT(Id) FROM Account", "MALFORMED_QUERY", "Field must be grouped or aggregated: Name"},
		{"SELECT SUM(Name) FROM Account", "INVALID_FIELD", "field Name does not support aggregate operator SUM"},
		{"SELECT Id FROM Account WHERE Name = 'a' AND Industry = 'b' OR Type = 'c'", "MALFORMED_QUERY", "unexpected token: 'OR'"},
		{"SELECT Id FROM Account ORDER BY Description", "INVALID_FIELD", "field 'Description' can not be sorted in a query call"},
	} {
		msg := wantError(t, h.query(tc.q), http.StatusBadRequest, tc.code)
		if !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: message %q, want it to contain %q", tc.q, msg, tc.msg)
		}
	}
	msg := wantError(t, h.get("/services/data/v62.0/query"), http.StatusBadRequest, "MALFORMED_QUERY")
	if msg != "A query string has to be specified" {
		t.Errorf("no q: %q", msg)
	}
}

func TestQueryAllSeesDeletedRecords(t *testing.T) {
	h := smallHarness(t, Options{})
	if r := h.send(http.MethodDelete, "/services/data/v62.0/sobjects/Account/"+smallAcme, nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r)
	}
	count := func(path, q string) int {
		var res queryResult
		h.get("/services/data/v62.0/"+path+"?q="+strings.ReplaceAll(q, " ", "+")).decode(t, &res)
		return res.TotalSize
	}
	if n := count("query", "SELECT Id FROM Account WHERE Name = 'Acme Corporation'"); n != 0 {
		t.Errorf("query finds the deleted account %d times", n)
	}
	if n := count("queryAll", "SELECT Id FROM Account WHERE Name = 'Acme Corporation' AND IsDeleted = true"); n != 1 {
		t.Errorf("queryAll finds the deleted account %d times, want 1", n)
	}
	// Deleting an account deletes its contacts, as Salesforce does.
	if n := count("query", "SELECT Id FROM Contact"); n != 1 {
		t.Errorf("%d contacts left, want only the O'Reilly one", n)
	}
	if n := count("queryAll", "SELECT Id FROM Contact"); n != 4 {
		t.Errorf("queryAll sees %d contacts, want 4", n)
	}
	var res queryResult
	h.query("SELECT Id FROM Account").decode(t, &res)
	for _, rec := range res.Records {
		var attrs struct{ Type string }
		if err := json.Unmarshal(rec["attributes"], &attrs); err != nil || attrs.Type != "Account" {
			t.Errorf("attributes = %s", rec["attributes"])
		}
	}
}
