package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/handlers"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/web"
)

// manyCRM is a system of many customers, C1 to C99, each named after its id.
type manyCRM struct{ fakeCRM }

func (manyCRM) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if !strings.HasPrefix(req.ID, "C") {
		return nil, adapters.ErrNotFound
	}
	f := &adapters.Facet{Source: "crm", Name: req.Facet, FetchedAt: time.Now()}
	if req.Facet == "account" {
		f.Fields = map[string]adapters.Value{adapters.FieldName: adapters.Text("Customer " + req.ID)}
	}
	return f, nil
}

// waitFor gets u until its body holds want, for up to 10 s.
func (p *portal) waitFor(t *testing.T, u, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := p.get(t, u)
		if strings.Contains(body, want) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q:\n%s", u, want, body)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}

func TestStartPageListsPinnedThenRecentCustomers(t *testing.T) {
	p := startWith(t, manyCRM{}, 0)
	_, body := p.login(t, "/", "alice", "demo-alice")
	if !strings.Contains(body, "Nothing pinned yet.") || !strings.Contains(body, "No customers opened yet. Search for a customer with") ||
		!strings.Contains(body, `id="results"`) {
		t.Fatalf("an empty start page does not say what to do, or has no place for results:\n%s", body)
	}
	tok := csrfField.FindStringSubmatch(body)[1]
	for _, id := range []string{"C1", "C2", "C3"} {
		if resp, _ := p.get(t, p.url+"/customers/"+id); resp.StatusCode != http.StatusOK {
			t.Fatalf("customer %s: %d", id, resp.StatusCode)
		}
	}
	body = p.waitFor(t, p.url+"/", `href="/customers/C1"`)
	body = p.waitFor(t, p.url+"/", `href="/customers/C3"`)
	recent := body[strings.Index(body, `id="recent"`):]
	if i3, i1 := strings.Index(recent, "Customer C3"), strings.Index(recent, "Customer C1"); i3 < 0 || i1 < i3 {
		t.Fatalf("recent customers are not last opened first:\n%s", recent)
	}

	// Pin C1 without script: back to its page, which now offers to unpin.
	_, page := p.get(t, p.url+"/customers/C1")
	if !strings.Contains(page, `action="/customers/C1/pin"`) || !strings.Contains(page, `name="pinned" value="true"`) {
		t.Fatalf("no pin button on the customer page:\n%s", page)
	}
	pin := func(id, pinned string, hdr ...string) (*http.Response, string) {
		form := url.Values{"_csrf": {tok}, "name": {"Customer " + id}, "pinned": {pinned}}
		req, _ := http.NewRequest(http.MethodPost, p.url+"/customers/"+id+"/pin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		return p.do(t, req)
	}
	noCSRF, _ := http.NewRequest(http.MethodPost, p.url+"/customers/C1/pin", strings.NewReader("pinned=true"))
	noCSRF.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, _ := p.do(t, noCSRF); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a pin without the CSRF token: %d", resp.StatusCode)
	}
	if resp, _ := pin("C1", "true"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/customers/C1" {
		t.Fatalf("pin: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = p.get(t, p.url+"/customers/C1"); !strings.Contains(page, `name="pinned" value="false"`) || !strings.Contains(page, "Unpin") {
		t.Fatalf("a pinned customer's page does not offer to unpin:\n%s", page)
	}
	// With htmx, the button comes back in its new state alone.
	resp, frag := pin("C2", "true", "HX-Request", "true")
	if resp.StatusCode != http.StatusOK || strings.Contains(frag, "<html") || !strings.Contains(frag, `name="pinned" value="false"`) {
		t.Fatalf("htmx pin: %d\n%s", resp.StatusCode, frag)
	}
	_, body = p.get(t, p.url+"/")
	pinned, recent := body[strings.Index(body, `id="pinned"`):strings.Index(body, `id="recent"`)], body[strings.Index(body, `id="recent"`):]
	if !strings.Contains(pinned, `href="/customers/C1"`) || !strings.Contains(pinned, `href="/customers/C2"`) || strings.Contains(pinned, "C3") ||
		strings.Contains(recent, `href="/customers/C1"`) || !strings.Contains(recent, `href="/customers/C3"`) || strings.Contains(body, "Nothing pinned yet.") {
		t.Fatalf("the start page does not list pinned customers first, then the others:\n%s", body)
	}
	if strings.Index(body, `id="pinned"`) > strings.Index(body, `id="recent"`) {
		t.Fatal("recent customers come before pinned ones")
	}
	if resp, frag := pin("C2", "false", "HX-Request", "true"); resp.StatusCode != http.StatusOK || !strings.Contains(frag, `name="pinned" value="true"`) {
		t.Fatalf("htmx unpin: %d\n%s", resp.StatusCode, frag)
	}

	// Only the last ten opened stay; pinned ones are never dropped.
	for i := 10; i < 22; i++ {
		p.get(t, p.url+"/customers/C"+strconv.Itoa(i))
	}
	body = p.waitFor(t, p.url+"/", `href="/customers/C21"`)
	recent = body[strings.Index(body, `id="recent"`):]
	if strings.Count(recent, "<li>") != handlers.KeepRecent || strings.Contains(recent, `href="/customers/C3"`) || !strings.Contains(body, `href="/customers/C1"`) {
		t.Fatalf("the recent list keeps not the last %d, or drops a pinned one:\n%s", handlers.KeepRecent, body)
	}

	// Each user has their own.
	q := &portal{url: p.url, issuer: p.issuer, client: newBrowser(), store: p.store}
	_, other := q.login(t, "/", "bob", "demo-bob")
	if strings.Contains(other, "/customers/C") {
		t.Fatalf("another user sees alice's customers:\n%s", other)
	}
}

// brokenVisits is a store of visits that fails every call.
type brokenVisits struct{}

var errVisitsDown = errors.New("visits store down")

func (brokenVisits) RecordVisit(context.Context, store.Visit, int) error { return errVisitsDown }
func (brokenVisits) Visit(context.Context, string, string) (store.Visit, error) {
	return store.Visit{}, errVisitsDown
}
func (brokenVisits) Visits(context.Context, string) ([]store.Visit, error) { return nil, errVisitsDown }
func (brokenVisits) Pin(context.Context, store.Visit, bool, int) error     { return errVisitsDown }

// A store that cannot keep visits costs the start page its lists and the
// customer page its pin button, never the page: the failures are logged.
func TestVisitsThatFailAreLoggedNotShown(t *testing.T) {
	p, logs := startPortal(t, portalSetup{deps: func(d *web.Deps) { d.Visits = brokenVisits{} }})
	resp, body := p.login(t, "/customers/C1", "alice", "demo-alice")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Homer Simpson") || strings.Contains(body, "/pin") {
		t.Fatalf("the customer page with the store of visits down: %d\n%s", resp.StatusCode, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "record customer visit") {
		if time.Now().After(deadline) {
			t.Fatalf("the failed visit is not logged:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
	resp, body = p.get(t, p.url+"/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Your pinned and recent customers cannot be read right now.") ||
		!strings.Contains(body, `id="results"`) || strings.Contains(body, errVisitsDown.Error()) {
		t.Fatalf("the start page with the store of visits down: %d\n%s", resp.StatusCode, body)
	}
}
