package sfsim

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	h := smallHarness(t, Options{})
	body := `{"AccountId":"` + smallAcme[:15] + `","FirstName":"Zoë","lastname":"Quinn","Email":"zoe@acme.com","attributes":{"type":"Contact"}}`
	r := h.send(http.MethodPost, "/services/data/v62.0/sobjects/Contact/", strings.NewReader(body), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r)
	}
	m := regexp.MustCompile(`^\{"id":"(003[0-9A-Za-z]{15})","success":true,"errors":\[\]\}$`).FindStringSubmatch(r.String())
	if m == nil {
		t.Fatalf("create answer = %s", r)
	}
	id := m[1]
	if To18(id) != id {
		t.Errorf("new id %s has a wrong checksum", id)
	}
	r = h.get("/services/data/v62.0/sobjects/Contact/" + id + "?fields=Name,Email,AccountId,OwnerId,CreatedDate")
	want := `{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/` + id + `"},"Name":"Zoë Quinn","Email":"zoe@acme.com","AccountId":"` +
		smallAcme + `","OwnerId":"` + To18("005Dn0000000001") + `","CreatedDate":"2026-03-02T09:00:00.000+0000"}`
	if r.status != http.StatusOK || r.String() != want {
		t.Fatalf("read back: %d\n%s\nwant\n%s", r.status, r, want)
	}

	h.clock.Advance(90 * time.Second)
	r = h.send(http.MethodPatch, "/services/data/v62.0/sobjects/Contact/"+id[:15], strings.NewReader(`{"Title":"CTO","Email":null}`), nil)
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("update: %d %q", r.status, r)
	}
	r = h.get("/services/data/v62.0/sobjects/Contact/" + id + "?fields=Title,Email,LastModifiedDate,SystemModstamp,CreatedDate")
	if !strings.Contains(r.String(), `"Title":"CTO","Email":null,"LastModifiedDate":"2026-03-02T09:01:30.000+0000","SystemModstamp":"2026-03-02T09:01:30.000+0000","CreatedDate":"2026-03-02T09:00:00.000+0000"`) {
		t.Errorf("after update: %s", r)
	}
	// The record shows in queries and under its account.
	r = h.query("SELECT Id, (SELECT Title FROM Contacts WHERE Title = 'CTO') FROM Account WHERE Id = '" + smallAcme + "'")
	if !strings.Contains(r.String(), `"Contacts":{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/`+id+`"},"Title":"CTO"}]}`) {
		t.Errorf("query after update: %s", r)
	}

	if r = h.send(http.MethodDelete, "/services/data/v62.0/sobjects/Contact/"+id, nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r)
	}
	wantError(t, h.get("/services/data/v62.0/sobjects/Contact/"+id), http.StatusNotFound, "NOT_FOUND")
	wantError(t, h.send(http.MethodDelete, "/services/data/v62.0/sobjects/Contact/"+id, nil, nil), http.StatusNotFound, "ENTITY_IS_DELETED")
}

func TestRecordFullRead(t *testing.T) {
	h := smallHarness(t, Options{})
	r := h.get("/services/data/v62.0/sobjects/Opportunity/" + smallRenewal)
	want := `{"attributes":{"type":"Opportunity","url":"/services/data/v62.0/sobjects/Opportunity/` + smallRenewal + `"},"Id":"` + smallRenewal +
		`","IsDeleted":false,"AccountId":"` + smallAcme + `","Name":"Acme - Renewal","StageName":"Closed Won","Amount":50000.0,"CloseDate":"2026-01-31",` +
		`"Probability":100.0,"IsClosed":true,"IsWon":true,"Type":null,"LeadSource":null,"Description":null,"OwnerId":"` + smallUser + `",` +
		`"CreatedDate":"2025-06-01T00:00:00.000+0000","LastModifiedDate":"2025-06-01T00:00:00.000+0000","SystemModstamp":"2025-06-01T00:00:00.000+0000"}`
	if r.String() != want {
		t.Errorf("GET =\n%s\nwant\n%s", r, want)
	}
}

func TestNewIDsCarryTheirPrefix(t *testing.T) {
	h := smallHarness(t, Options{})
	for _, tc := range []struct{ object, body, prefix string }{
		{"Account", `{"Name":"New Co"}`, "001"},
		{"Contact", `{"LastName":"Doe"}`, "003"},
		{"Opportunity", `{"Name":"Deal","StageName":"Qualification","CloseDate":"2026-06-30"}`, "006"},
		{"Case", `{"Subject":"Help"}`, "500"},
		{"Task", `{"Subject":"Call"}`, "00T"},
		{"User", `{"Username":"new@example.com","LastName":"New","Email":"new@example.com"}`, "005"},
	} {
		r := h.send(http.MethodPost, "/services/data/v62.0/sobjects/"+tc.object, strings.NewReader(tc.body), nil)
		var res struct {
			ID      string `json:"id"`
			Success bool   `json:"success"`
		}
		r.decode(t, &res)
		if r.status != http.StatusCreated || !strings.HasPrefix(res.ID, tc.prefix) || len(res.ID) != 18 || To18(res.ID) != res.ID || !res.Success {
			t.Errorf("create %s: %d %s", tc.object, r.status, r)
		}
	}
	// Derived fields of the new records follow Salesforce's rules.
	r := h.query("SELECT CaseNumber, Status, Priority FROM Case ORDER BY CaseNumber DESC LIMIT 1")
	if !strings.Contains(r.String(), `"CaseNumber":"00001003","Status":"New","Priority":"Medium"`) {
		t.Errorf("new case = %s", r)
	}
	r = h.query("SELECT Probability, IsClosed FROM Opportunity WHERE Name = 'Deal'")
	if !strings.Contains(r.String(), `"Probability":10.0,"IsClosed":false`) {
		t.Errorf("new opportunity = %s", r)
	}
}

func TestCaseClosingSetsClosedDate(t *testing.T) {
	h := smallHarness(t, Options{})
	var res queryResult
	h.query("SELECT Id FROM Case WHERE Status = 'New'").decode(t, &res)
	id := str(t, res.Records[0], "Id")
	h.send(http.MethodPatch, "/services/data/v62.0/sobjects/Case/"+id, strings.NewReader(`{"Status":"Closed"}`), nil)
	r := h.get("/services/data/v62.0/sobjects/Case/" + id + "?fields=IsClosed,ClosedDate")
	if !strings.Contains(r.String(), `"IsClosed":true,"ClosedDate":"2026-03-02T09:00:00.000+0000"`) {
		t.Errorf("closed case = %s", r)
	}
}

func TestRecordErrors(t *testing.T) {
	h := smallHarness(t, Options{})
	post := func(obj, body string) reply {
		return h.send(http.MethodPost, "/services/data/v62.0/sobjects/"+obj+"/", strings.NewReader(body), nil)
	}
	for _, tc := range []struct {
		name   string
		r      reply
		status int
		code   string
		want   string // the exact body, when given
	}{
		{"missing required", post("Contact", `{"FirstName":"No"}`), 400, "REQUIRED_FIELD_MISSING",
			`[{"message":"Required fields are missing: [LastName]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}]`},
		{"missing several", post("Opportunity", `{"Amount":5}`), 400, "REQUIRED_FIELD_MISSING",
			`[{"message":"Required fields are missing: [Name, StageName, CloseDate]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Name","StageName","CloseDate"]}]`},
		{"id in body", post("Account", `{"Id":"`+smallAcme+`","Name":"X"}`), 400, "INVALID_FIELD",
			`[{"message":"Json Deserialization failed on token 'Id' and has left off in the middle of parsing a row. Will go to end of row to begin parsing the next row","errorCode":"INVALID_FIELD"}]`},
		{"unknown field", post("Account", `{"Name":"X","Colour":"red"}`), 400, "INVALID_FIELD",
			`[{"message":"No such column 'Colour' on sobject of type Account","errorCode":"INVALID_FIELD"}]`},
		{"read-only field", post("Case", `{"Subject":"X","CaseNumber":"1"}`), 400, "INVALID_FIELD_FOR_INSERT_UPDATE", ""},
		{"bad stage", post("Opportunity", `{"Name":"X","StageName":"Won-ish","CloseDate":"2026-01-01"}`), 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ""},
		{"bad date", post("Opportunity", `{"Name":"X","StageName":"Prospecting","CloseDate":"31/01/2026"}`), 400, "JSON_PARSER_ERROR", ""},
		{"number as text", post("Account", `{"Name":"X","AnnualRevenue":"lots"}`), 400, "JSON_PARSER_ERROR", ""},
		{"not JSON", post("Account", `Name=X`), 400, "JSON_PARSER_ERROR", ""},
		{"array body", post("Account", `[{"Name":"X"}]`), 400, "JSON_PARSER_ERROR", ""},
		{"malformed reference", post("Contact", `{"LastName":"X","AccountId":"nope"}`), 400, "MALFORMED_ID", ""},
		{"reference to wrong object", post("Contact", `{"LastName":"X","AccountId":"`+smallRenewal+`"}`), 400, "FIELD_INTEGRITY_EXCEPTION", ""},
		{"reference to nothing", post("Contact", `{"LastName":"X","AccountId":"001Dn0000Nope99"}`), 400, "INVALID_CROSS_REFERENCE_KEY", ""},
		{"malformed id", h.get("/services/data/v62.0/sobjects/Account/abc"), 400, "MALFORMED_ID", ""},
		// 5 marks the first five characters upper-case, and they are digits.
		{"bad checksum", h.get("/services/data/v62.0/sobjects/Account/" + smallAcme[:15] + "5AA"), 400, "MALFORMED_ID", ""},
		{"checksum of no letters", h.get("/services/data/v62.0/sobjects/Account/" + smallAcme[:15] + "9AA"), 400, "MALFORMED_ID", ""},
		{"no such record", h.get("/services/data/v62.0/sobjects/Account/001Dn0000Nope99"), 404, "NOT_FOUND",
			`[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`},
		{"id of another object", h.get("/services/data/v62.0/sobjects/Account/" + smallRenewal), 404, "NOT_FOUND", ""},
		{"unknown object", h.get("/services/data/v62.0/sobjects/Widget/" + smallAcme), 404, "NOT_FOUND", ""},
		{"unknown field in fields", h.get("/services/data/v62.0/sobjects/Account/" + smallAcme + "?fields=Name,Colour"), 400, "INVALID_FIELD", ""},
		{"clear required field", h.send(http.MethodPatch, "/services/data/v62.0/sobjects/Account/"+smallAcme, strings.NewReader(`{"Name":null}`), nil),
			400, "REQUIRED_FIELD_MISSING", ""},
		{"put", h.send(http.MethodPut, "/services/data/v62.0/sobjects/Account/"+smallAcme, strings.NewReader(`{}`), nil), 405, "METHOD_NOT_ALLOWED",
			`[{"errorCode":"METHOD_NOT_ALLOWED","message":"HTTP Method 'PUT' not allowed. Allowed are GET,PATCH,DELETE,HEAD"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.r, tc.status, tc.code)
			if tc.want != "" && tc.r.String() != tc.want {
				t.Errorf("body = %s\nwant %s", tc.r, tc.want)
			}
		})
	}
	// A failed write changes nothing.
	r := h.get("/services/data/v62.0/sobjects/Account/" + smallAcme + "?fields=Name")
	if !strings.Contains(r.String(), `"Name":"Acme Corporation"`) {
		t.Errorf("account after failed update: %s", r)
	}
	var res queryResult
	h.query("SELECT Id FROM Contact").decode(t, &res)
	if res.TotalSize != 4 {
		t.Errorf("%d contacts after failed creates, want 4", res.TotalSize)
	}
}

// TestIDsInAnyForm reads a record by its 15-character id, its 18-character id
// and that id lowered and raised, as Salesforce accepts them: the 18-character
// form is case-insensitive. Answers always carry the 18-character id.
func TestIDsInAnyForm(t *testing.T) {
	h := smallHarness(t, Options{})
	want := `{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/` + smallAcme + `"},"Id":"` + smallAcme + `","Name":"Acme Corporation"}`
	for _, id := range []string{smallAcme, smallAcme[:15], strings.ToLower(smallAcme), strings.ToUpper(smallAcme)} {
		r := h.get("/services/data/v62.0/sobjects/Account/" + id + "?fields=Id,Name")
		if r.status != http.StatusOK || r.String() != want {
			t.Errorf("read by %s: %d %s\nwant %s", id, r.status, r, want)
		}
		var res queryResult
		h.query("SELECT Id FROM Account WHERE Id = '"+id+"'").decode(t, &res)
		if res.TotalSize != 1 || len(res.Records) != 1 || str(t, res.Records[0], "Id") != smallAcme {
			t.Errorf("query by %s: %+v", id, res)
		}
	}
	// The 15-character form stays case-sensitive: lowered, it is another id.
	wantError(t, h.get("/services/data/v62.0/sobjects/Account/"+strings.ToLower(smallAcme[:15])), http.StatusNotFound, "NOT_FOUND")
	var res queryResult
	h.query("SELECT Id FROM Account WHERE Id = '"+strings.ToLower(smallAcme[:15])+"'").decode(t, &res)
	if res.TotalSize != 0 {
		t.Errorf("a lowered 15-character id found %+v", res.Records)
	}
	if msg := wantError(t, h.query("SELECT Id FROM Account WHERE Id = '"+smallAcme[:15]+"5AA'"), http.StatusBadRequest, "INVALID_QUERY_FILTER_OPERATOR"); !strings.Contains(msg, "invalid ID field") {
		t.Errorf("bad checksum in a filter: %s", msg)
	}
}

func TestDescribe(t *testing.T) {
	h := smallHarness(t, Options{})
	r := h.get("/services/data/v62.0/sobjects/Contact/describe")
	for _, want := range []string{`"name":"Contact"`, `"keyPrefix":"003"`,
		`{"name":"LastName","label":"Last Name","type":"string","nillable":false,"createable":true,"updateable":true,"referenceTo":[],"relationshipName":null}`,
		`{"name":"AccountId","label":"Account ID","type":"reference","nillable":true,"createable":true,"updateable":true,"referenceTo":["Account"],"relationshipName":"Account"}`,
		`{"childSObject":"Case","field":"ContactId","relationshipName":"Cases","cascadeDelete":false}`} {
		if !strings.Contains(r.String(), want) {
			t.Errorf("describe lacks %s", want)
		}
	}
	r = h.get("/services/data/v62.0/sobjects")
	if !strings.Contains(r.String(), `"name":"Opportunity","label":"Opportunity","keyPrefix":"006"`) {
		t.Errorf("describeGlobal = %s", r)
	}
}
