package desk_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/demo/desk"
)

const token = "desk-token"

var (
	now  = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	orgs = []desk.Org{
		{Name: "Acme Corporation", Domain: "acme.example", ExternalID: "001A"},
		{Name: "Globex Logistics", Domain: "globex.example"},
		{Name: "O'Reilly Media", Domain: "oreilly.example"},
		{Name: "Initech", Domain: "initech.example"},
		{Name: "Umbrella", Domain: "umbrella.example"},
		{Name: "Stark Industries", Domain: "stark.example"},
		{Name: "Wayne Enterprises", Domain: "wayne.example"},
		{Name: "Hooli", Domain: "hooli.example"},
	}
)

func start(t *testing.T) (*desk.Server, *httptest.Server) {
	t.Helper()
	d := desk.New(desk.Options{Token: token, Orgs: orgs, Now: now})
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return d, srv
}

// get calls the desk's API and decodes the answer into out; it returns the status.
func get(t *testing.T, rawURL, tok string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q, want JSON", rawURL, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	return resp.StatusCode
}

func TestAuthentication(t *testing.T) {
	_, srv := start(t)
	for _, tok := range []string{"", "wrong", token + "x"} {
		var body map[string]string
		if code := get(t, srv.URL+"/api/v2/organizations", tok, &body); code != http.StatusUnauthorized || body["error"] == "" ||
			!strings.Contains(body["description"], "Authorization: Bearer") {
			t.Errorf("token %q: %d %v, want 401 with a JSON error saying how to send the token", tok, code, body)
		}
	}
	var me map[string]any
	if code := get(t, srv.URL+"/api/v2/users/me", token, &me); code != http.StatusOK || me["user"] == nil {
		t.Errorf("users/me = %d %v", code, me)
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	a := desk.New(desk.Options{Token: token, Orgs: orgs, Now: now})
	b := desk.New(desk.Options{Token: token, Orgs: orgs, Now: now})
	if !reflect.DeepEqual(a.Organizations(), b.Organizations()) {
		t.Error("organizations differ between two desks of the same options")
	}
	for _, o := range a.Organizations() {
		if !reflect.DeepEqual(a.Tickets(o.ID), b.Tickets(o.ID)) || !reflect.DeepEqual(a.Users(o.ID), b.Users(o.ID)) {
			t.Errorf("%s: tickets or users differ between two desks of the same options", o.Name)
		}
	}
}

func TestSeedShape(t *testing.T) {
	d := desk.New(desk.Options{Token: token, Orgs: orgs, Now: now})
	statuses := []string{desk.StatusNew, desk.StatusOpen, desk.StatusPending, desk.StatusSolved, desk.StatusClosed}
	priorities := []string{desk.PriorityLow, desk.PriorityNormal, desk.PriorityHigh, desk.PriorityUrgent}
	total, atDomain, elsewhere := 0, 0, 0
	for i, o := range d.Organizations() {
		if o.Name != orgs[i].Name || !slices.Equal(o.DomainNames, []string{orgs[i].Domain}) {
			t.Errorf("organization %d = %+v, want %+v", i, o, orgs[i])
		}
		ts := d.Tickets(o.ID)
		if len(ts) > desk.MaxTicketsPerOrg {
			t.Errorf("%s has %d tickets, want at most %d", o.Name, len(ts), desk.MaxTicketsPerOrg)
		}
		total += len(ts)
		for _, tk := range ts {
			if !slices.Contains(statuses, tk.Status) || !slices.Contains(priorities, tk.Priority) {
				t.Errorf("ticket %d: status %q, priority %q", tk.ID, tk.Status, tk.Priority)
			}
			if tk.UpdatedAt.Before(tk.CreatedAt) || tk.UpdatedAt.After(now) || tk.Subject == "" || tk.Requester.Name == "" {
				t.Errorf("ticket %d: %+v", tk.ID, tk)
			}
		}
		for _, u := range d.Users(o.ID) {
			if strings.HasSuffix(u.Email, "@"+orgs[i].Domain) {
				atDomain++
			} else {
				elsewhere++
			}
		}
	}
	if total == 0 || atDomain == 0 || elsewhere == 0 {
		t.Errorf("%d tickets, %d users at their organization's domain, %d elsewhere; want some of each", total, atDomain, elsewhere)
	}
}

type ticketPage struct {
	Tickets  []desk.Ticket `json:"tickets"`
	Count    int           `json:"count"`
	NextPage *string       `json:"next_page"`
}

func TestTicketPages(t *testing.T) {
	d, srv := start(t)
	var busiest desk.Organization
	for _, o := range d.Organizations() {
		if len(d.Tickets(o.ID)) > len(d.Tickets(busiest.ID)) {
			busiest = o
		}
	}
	want := d.Tickets(busiest.ID)
	if len(want) <= 4 {
		t.Fatalf("the busiest organization has %d tickets; the test needs more than a page of 4", len(want))
	}
	var got []desk.Ticket
	next := fmt.Sprintf("%s/api/v2/organizations/%d/tickets?per_page=4", srv.URL, busiest.ID)
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("next_page never ends")
		}
		var p ticketPage
		if code := get(t, next, token, &p); code != http.StatusOK || p.Count != len(want) {
			t.Fatalf("GET %s = %d, count %d", next, code, p.Count)
		}
		got = append(got, p.Tickets...)
		next = ""
		if p.NextPage != nil {
			next = *p.NextPage
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paged tickets differ from the seeded ones")
	}
	var errBody map[string]string
	if code := get(t, srv.URL+"/api/v2/organizations/1/tickets", token, &errBody); code != http.StatusNotFound {
		t.Errorf("tickets of an unknown organization: %d %v", code, errBody)
	}
}

type searchAnswer struct {
	Results []struct {
		ID         int64  `json:"id"`
		Name       string `json:"name"`
		ResultType string `json:"result_type"`
	} `json:"results"`
	Users []desk.User `json:"users"`
	Count int         `json:"count"`
}

func TestSearch(t *testing.T) {
	d, srv := start(t)
	acme := d.Organizations()[0]
	email := d.Users(acme.ID)[0].Email
	search := func(q string) searchAnswer {
		var ans searchAnswer
		if code := get(t, srv.URL+"/api/v2/search?include=users&query="+url.QueryEscape(q), token, &ans); code != http.StatusOK {
			t.Fatalf("search %q: %d", q, code)
		}
		return ans
	}
	for _, q := range []string{"acme", "ACME.example", email} {
		ans := search(q)
		if len(ans.Results) == 0 || ans.Results[0].ID != acme.ID || ans.Results[0].ResultType != "organization" {
			t.Errorf("search %q = %+v, want Acme", q, ans.Results)
		}
		if !slices.ContainsFunc(ans.Users, func(u desk.User) bool { return u.Email == email }) {
			t.Errorf("search %q sideloads %v, want Acme's users", q, ans.Users)
		}
	}
	if ans := search("'"); len(ans.Results) != 1 || ans.Results[0].Name != "O'Reilly Media" {
		t.Errorf("search for a quote = %+v, want only O'Reilly", ans.Results)
	}
	for _, q := range []string{"%", "*", "_"} {
		if ans := search(q); len(ans.Results) != 0 {
			t.Errorf("search %q = %+v, want nothing: no wildcards", q, ans.Results)
		}
	}
	var errBody map[string]string
	if code := get(t, srv.URL+"/api/v2/search?query=", token, &errBody); code != http.StatusBadRequest {
		t.Errorf("empty search: %d", code)
	}
}

func TestOrganizations(t *testing.T) {
	d, srv := start(t)
	globex := d.Organizations()[1]
	var list struct {
		Organizations []desk.Organization `json:"organizations"`
	}
	if get(t, srv.URL+"/api/v2/organizations?domain=GLOBEX.example", token, &list); len(list.Organizations) != 1 || list.Organizations[0].ID != globex.ID {
		t.Errorf("organizations by domain = %+v, want Globex", list.Organizations)
	}
	var one struct {
		Organization desk.Organization `json:"organization"`
		Users        []desk.User       `json:"users"`
	}
	if code := get(t, fmt.Sprintf("%s/api/v2/organizations/%d?include=users", srv.URL, globex.ID), token, &one); code != http.StatusOK ||
		one.Organization.Name != globex.Name || len(one.Users) != len(d.Users(globex.ID)) {
		t.Errorf("organization = %d %+v", code, one)
	}
	for _, id := range []string{"1", "abc", "360000999"} {
		var errBody map[string]string
		if code := get(t, srv.URL+"/api/v2/organizations/"+id, token, &errBody); code != http.StatusNotFound || errBody["error"] != "RecordNotFound" {
			t.Errorf("organization %s: %d %v, want 404 RecordNotFound", id, code, errBody)
		}
	}
}

func TestUnknownEndpoint(t *testing.T) {
	_, srv := start(t)
	var body map[string]string
	if code := get(t, srv.URL+"/api/v2/tickets/1", token, &body); code != http.StatusNotFound ||
		body["error"] != "InvalidEndpoint" || !strings.Contains(body["description"], "GET /api/v2/tickets/1") {
		t.Errorf("unknown endpoint: %d %v, want 404 InvalidEndpoint naming the request", code, body)
	}
}
