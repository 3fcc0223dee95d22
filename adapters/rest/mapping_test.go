package rest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// ticketsSettings maps /accounts/{id} and its tickets with every mapping key.
func ticketsSettings(base, extra string) string {
	return fmt.Sprintf(`settings:
  base_url: %s
  currency: EUR
%s  search:
    path: /search/{q}?name={q}
    items: .hits
    id: .id
    name: .name
    city: .address.city
    url: '"/ui/accounts/\(.id)"'
    keys:
      email: .contacts[].email
      domain: .domains
      external_id: .crm_id
  facets:
    - name: account
      header: true
      path: /accounts/{id}
      items: .account
      fields:
        name: .name
        employees: .staff
        website: .web
        last_modified: .modified
      keys:
        domain: .domains
      url: '"/ui/accounts/\(.id)"'
    - name: tickets
      title: Open tickets
      path: /accounts/{id}/tickets
      items: .tickets
      order: sort_by(.n)
      total: .count
      columns:
        - {title: Subject, value: .subject}
        - {title: Size, value: .n, kind: number}
        - {title: Amount, value: .amount, kind: money}
        - {title: Opened, value: .opened, kind: datetime}
      url: .link
      emphasis: .urgent
      summary:
        - {label: Total amount, value: 'map(.amount | numbers) | add', kind: money}
      events:
        at: .opened
        kind: ticket
        title: '"#\(.n) \(.subject)"'
        status: .state
`, base, extra)
}

const accountAnswer = `{"account": {"id": 42, "name": "Acme", "staff": "many", "web": "javascript:alert(1)", "modified": "2026-01-02T03:04:05Z", "domains": ["ACME.example", "acme.example"]}}`

const ticketsAnswer = `{"count": 40, "tickets": [
  {"n": 2, "subject": "Second", "amount": 12.5, "opened": "2026-02-01T10:00:00Z", "urgent": true, "state": "open", "link": "https://desk.example.com/t/2"},
  {"n": 1, "subject": {"nested": true}, "amount": "twelve", "opened": "last week", "urgent": "yes", "state": "new", "link": "/t/1"}
]}`

func mappingServer(t *testing.T, tickets string) *recordServer {
	return startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/accounts/42":
			fmt.Fprint(w, accountAnswer)
		case r.URL.Path == "/accounts/42/tickets":
			fmt.Fprint(w, tickets)
		case strings.HasPrefix(r.URL.Path, "/search/"):
			fmt.Fprint(w, `{"hits": [
  {"id": 42, "name": "Acme", "address": {"city": "Springfield"}, "contacts": [{"email": "Ann@Acme.example"}], "domains": ["acme.example"], "crm_id": "001A"},
  {"id": 42, "name": "Acme again"},
  {"name": "no id"},
  {"id": "43", "name": 17}
]}`)
		default:
			http.NotFound(w, r)
		}
	})
}

func TestMappingHeader(t *testing.T) {
	rs := mappingServer(t, ticketsAnswer)
	logs := &logBuffer{}
	a := newAdapter(t, ticketsSettings(rs.URL, ""), nil, logs)
	f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: "42", Facet: "account"})
	if err != nil {
		t.Fatal(err)
	}
	if name := f.Fields[adapters.FieldName]; !name.Valid || name.Text != "Acme" {
		t.Errorf("name = %+v", name)
	}
	if emp := f.Fields[adapters.FieldEmployees]; emp.Valid || emp.Kind != adapters.KindNumber {
		t.Errorf("employees from a string = %+v, want an invalid number", emp)
	}
	if web := f.Fields[adapters.FieldWebsite]; web.Valid {
		t.Errorf("website from a javascript: URL = %+v, want invalid", web)
	}
	if mod := f.Fields[adapters.FieldLastModified]; !mod.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("last_modified = %+v", mod)
	}
	if len(f.Keys) != 1 || f.Keys[0] != (adapters.Key{Kind: adapters.KeyDomain, Value: "acme.example"}) {
		t.Errorf("keys = %+v, want the one domain, lower-cased", f.Keys)
	}
	if f.URL != rs.URL+"/ui/accounts/42" {
		t.Errorf("URL = %q, want it resolved against base_url", f.URL)
	}
	if !strings.Contains(logs.String(), "facets[0].fields.employees") {
		t.Errorf("no debug line names the mapping of the wrong type:\n%s", logs)
	}
}

func TestMappingTable(t *testing.T) {
	rs := mappingServer(t, ticketsAnswer)
	a := newAdapter(t, ticketsSettings(rs.URL, ""), nil, nil)
	f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: "42", Facet: "tickets"})
	if err != nil {
		t.Fatal(err)
	}
	tb := f.Tables[0]
	if len(tb.Rows) != 2 || tb.Total != 40 {
		t.Fatalf("%d rows, total %d; want 2 of 40", len(tb.Rows), tb.Total)
	}
	// order: sort_by(.n) puts record 1 first.
	bad, good := tb.Rows[0], tb.Rows[1]
	for _, i := range []int{0, 2, 3} { // an object as text, a string as money, a phrase as a date
		if c := bad.Cells[i]; c.Valid || c.Kind != tb.Columns[i].Kind {
			t.Errorf("cell %s of the wrong type = %+v, want an invalid %v", tb.Columns[i].Key, c, tb.Columns[i].Kind)
		}
	}
	if c := bad.Cells[1]; !c.Valid || c.Number != 1 {
		t.Errorf("cell size = %+v, want 1", c)
	}
	if bad.Emphasis || bad.URL != rs.URL+"/t/1" {
		t.Errorf("row 1: emphasis %v from a string, URL %q", bad.Emphasis, bad.URL)
	}
	if c := good.Cells[2]; !c.Valid || c.Number != 12.5 || c.Currency != "EUR" {
		t.Errorf("amount = %+v, want 12.5 EUR", c)
	}
	if !good.Emphasis || good.URL != "https://desk.example.com/t/2" {
		t.Errorf("row 2: emphasis %v, URL %q", good.Emphasis, good.URL)
	}
	if s := tb.Summary; len(s) != 1 || s[0].Value.Number != 12.5 || s[0].Value.Kind != adapters.KindMoney {
		t.Errorf("summary = %+v, want the total of the numbers", s)
	}
	if len(f.Events) != 1 || f.Events[0].Title != "#2 Second" || f.Events[0].Status != "open" || f.Events[0].Kind != "ticket" {
		t.Errorf("events = %+v, want one for the record with a date", f.Events)
	}
}

func TestMappingSelectsNothing(t *testing.T) {
	rs := mappingServer(t, `{"data": {"tickets": []}}`)
	logs := &logBuffer{}
	a := newAdapter(t, ticketsSettings(rs.URL, ""), nil, logs)
	for range 2 {
		f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: "42", Facet: "tickets"})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Tables) != 1 || len(f.Tables[0].Rows) != 0 {
			t.Fatalf("tables = %+v, want one empty table", f.Tables)
		}
	}
	if n := strings.Count(logs.String(), "selected nothing"); n != 1 {
		t.Errorf("the hint is logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "facets[1].items") {
		t.Errorf("the hint does not name the key:\n%s", logs)
	}
}

func TestMappingHeaderWithoutRecordIsNotFound(t *testing.T) {
	rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"account": null}`)
	})
	a := newAdapter(t, ticketsSettings(rs.URL, ""), nil, nil)
	_, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: "42", Facet: "account"})
	if !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("fetch of an answer without the record: %v; want ErrNotFound", err)
	}
}

func TestSearchMapping(t *testing.T) {
	rs := mappingServer(t, ticketsAnswer)
	a := newAdapter(t, ticketsSettings(rs.URL, ""), nil, nil)
	const text = "a b/c?d&e=f"
	ms, err := a.Search(t.Context(), adapters.Query{Text: " " + text + " ", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Fatalf("matches %+v; want 42 and 43 (no duplicate, none without an id)", ms)
	}
	m := ms[0]
	want := []adapters.Key{{Kind: adapters.KeyExternalID, Value: "001A"}, {Kind: adapters.KeyEmail, Value: "ann@acme.example"}, {Kind: adapters.KeyDomain, Value: "acme.example"}}
	if m.ID != "42" || m.Name != "Acme" || m.City != "Springfield" || m.Source != testSource || fmt.Sprint(m.Keys) != fmt.Sprint(want) {
		t.Errorf("match = %+v", m)
	}
	if m.URL != rs.URL+"/ui/accounts/42" {
		t.Errorf("URL = %q", m.URL)
	}
	if ms[1].ID != "43" || ms[1].Name != "17" {
		t.Errorf("match from a numeric name = %+v", ms[1])
	}

	// The server saw the text whole, as one path segment and one query value.
	_, paths := rs.requests()
	u, err := url.Parse(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if u.EscapedPath() != "/search/a%20b%2Fc%3Fd&e=f" || u.Query().Get("name") != text || len(u.Query()) != 1 {
		t.Errorf("request %s: want the text escaped as one segment and one value", paths[0])
	}

	if ms, err := a.Search(t.Context(), adapters.Query{Text: text, Limit: 1}); err != nil || len(ms) != 1 {
		t.Errorf("search with limit 1 = %v, %v", ms, err)
	}
}

func TestSearchRefusesDotSegment(t *testing.T) {
	rs := mappingServer(t, ticketsAnswer)
	a := newAdapter(t, ticketsSettings(rs.URL, ""), nil, nil)
	if _, err := a.Search(t.Context(), adapters.Query{Text: ".."}); !errors.Is(err, adapters.ErrBadRequest) {
		t.Errorf("search for .. in a path segment: %v; want ErrBadRequest", err)
	}
	if _, paths := rs.requests(); len(paths) != 0 {
		t.Errorf("requests %v, want none", paths)
	}
}

func TestCheck(t *testing.T) {
	var down atomic.Bool
	rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	without := newAdapter(t, ticketsSettings(rs.URL, ""), nil, nil)
	if h := without.Check(t.Context()); !h.OK || h.CheckedAt.IsZero() {
		t.Errorf("Check without a health endpoint = %+v, want OK", h)
	}
	if _, paths := rs.requests(); len(paths) != 0 {
		t.Errorf("Check without a health endpoint made requests %v", paths)
	}

	with := newAdapter(t, ticketsSettings(rs.URL, "  health: /ping\n"), nil, nil)
	if h := with.Check(t.Context()); !h.OK {
		t.Errorf("Check of a system that is up = %+v", h)
	}
	if _, paths := rs.requests(); len(paths) != 1 || paths[0] != "/ping" {
		t.Errorf("requests %v, want /ping", paths)
	}
	down.Store(true)
	if h := with.Check(t.Context()); h.OK || !strings.Contains(h.Message, "503") {
		t.Errorf("Check of a system that answers 503 = %+v", h)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if h := without.Check(ctx); h.OK {
		t.Errorf("Check with a cancelled context = %+v, want not OK", h)
	}
}
