package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/customer"
)

// linkedVersionedCRM is versionedCRM whose account carries the domain the
// ledger's customer is linked by, and whose cases answer (none), so that
// every panel, the summary and the timeline are kept.
type linkedVersionedCRM struct{ versionedCRM }

func (c linkedVersionedCRM) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if req.Facet == "cases" {
		return &adapters.Facet{Source: "crm", Name: "cases", FetchedAt: time.Now()}, nil
	}
	f, err := c.versionedCRM.Fetch(ctx, req)
	if f != nil && req.Facet == "account" {
		f.Keys = []adapters.Key{{Kind: adapters.KeyDomain, Value: "https://www.globex.example"}}
	}
	return f, err
}

// panelSection returns the section of the panel id in a customer page.
func panelSection(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<section[^>]* id="panel-` + regexp.QuoteMeta(id) + `".*?</section>`).FindString(body)
	if m == "" {
		t.Fatalf("no panel %s on the page:\n%s", id, body)
	}
	return m
}

// pageNonces checks that every nonce on a page is the one its
// Content-Security-Policy allows.
func pageNonces(t *testing.T, resp *http.Response, body, who string) {
	t.Helper()
	csp := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(resp.Header.Get("Content-Security-Policy"))
	if csp == nil {
		t.Fatalf("%s's page has no nonce in its policy", who)
	}
	for _, m := range regexp.MustCompile(`nonce="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if m[1] != csp[1] {
			t.Errorf("%s's page carries nonce %q, its policy allows %q", who, m[1], csp[1])
		}
	}
}

// Panels are written from what was rendered of them for earlier pages, so
// a warm page must still be each viewer's own: an admin's link controls
// (with the admin's CSRF token) reach no one else, each page's nonce is its
// own, and a refreshed panel or a changed link is never served as it was.
func TestWarmPanelsAreEachViewersOwn(t *testing.T) {
	var fetched atomic.Int64
	crm := guard.Wrap(linkedVersionedCRM{versionedCRM{contacts: &fetched}}, "crm", guard.DefaultPolicy())
	billing := guard.Wrap(ledger{}, "billing", guard.DefaultPolicy())
	t.Cleanup(func() { crm.Close(); billing.Close() })
	dave := startComposed(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: crm}, 0,
		customer.WithLinkedSources(customer.Source{Name: "billing", Title: "Billing", Timeout: 5 * time.Second, Adapter: billing}))
	alice := dave.on(newBrowser())
	// The same admin in another browser: another session, another token.
	dave2 := dave.on(newBrowser())

	resp, body := dave.login(t, "/customers/C1", "dave", "demo-dave") // in admins
	daveTok := csrfField.FindStringSubmatch(body)[1]
	_, body = alice.login(t, "/customers/C1", "alice", "demo-alice") // sales only
	aliceTok := csrfField.FindStringSubmatch(body)[1]
	_, body = dave2.login(t, "/customers/C1", "dave", "demo-dave")
	dave2Tok := csrfField.FindStringSubmatch(body)[1]
	if dave2Tok == daveTok {
		t.Fatal("two sessions share a CSRF token")
	}
	if !strings.Contains(body, "INV-cus_7") {
		t.Fatalf("the billing panel is not linked:\n%s", body)
	}

	// Both pages again and again, each now warm from the other's too.
	for round := range 3 {
		resp, body = dave.get(t, dave.url+"/customers/C1")
		pageNonces(t, resp, body, "dave")
		inv := panelSection(t, body, "billing-invoices")
		if !strings.Contains(inv, `class="button small secondary split-ask"`) || !strings.Contains(inv, `value="`+daveTok+`"`) {
			t.Fatalf("round %d: the admin's billing panel has no link controls with his token:\n%s", round, inv)
		}
		if strings.Contains(body, aliceTok) || strings.Contains(body, dave2Tok) {
			t.Fatalf("round %d: the admin's page carries another session's CSRF token", round)
		}
		_, body = dave2.get(t, dave2.url+"/customers/C1")
		if inv := panelSection(t, body, "billing-invoices"); !strings.Contains(inv, `value="`+dave2Tok+`"`) || strings.Contains(body, daveTok) {
			t.Fatalf("round %d: the admin's other session is not served its own token:\n%s", round, inv)
		}
		resp, body = alice.get(t, alice.url+"/customers/C1")
		pageNonces(t, resp, body, "alice")
		inv = panelSection(t, body, "billing-invoices")
		if !strings.Contains(inv, "INV-cus_7") || !strings.Contains(inv, "linked by domain = globex.example") {
			t.Fatalf("round %d: the billing panel lost its data or provenance:\n%s", round, inv)
		}
		if strings.Contains(body, `class="button small secondary split-ask"`) || strings.Contains(body, "Billing record id") || strings.Contains(body, daveTok) {
			t.Fatalf("round %d: a non-admin is served the admin's link controls:\n%s", round, inv)
		}
		if !strings.Contains(body, "Contact v1") || fetched.Load() != 1 {
			t.Fatalf("round %d: the contacts were fetched %d times, want once", round, fetched.Load())
		}
	}

	// A refreshed panel: every viewer's next page shows the new answer.
	req, _ := http.NewRequest(http.MethodPost, dave.url+"/customers/C1/panels/crm/contacts/refresh",
		strings.NewReader(url.Values{"_csrf": {daveTok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	if resp, _ := dave.do(t, req); resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d", resp.StatusCode)
	}
	for _, p := range []*portal{alice, dave} {
		_, body = p.get(t, p.url+"/customers/C1")
		contacts := panelSection(t, body, "crm-contacts")
		if !strings.Contains(contacts, "Contact v2") || strings.Contains(contacts, "Contact v1") {
			t.Fatalf("after the refresh the contacts panel is:\n%s", contacts)
		}
	}

	// A link decision: the billing panel follows it for everyone.
	decide := func(record, decision string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, dave.url+"/customers/C1/links",
			strings.NewReader(url.Values{"_csrf": {daveTok}, "source": {"billing"}, "record": {record}, "decision": {decision}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, _ := dave.do(t, req); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s %s: %d", decision, record, resp.StatusCode)
		}
	}
	decide("cus_7", "confirmed")
	_, body = alice.get(t, alice.url+"/customers/C1")
	if inv := panelSection(t, body, "billing-invoices"); !strings.Contains(inv, "confirmed by dave@example.com") {
		t.Fatalf("after the confirmation the billing panel is:\n%s", inv)
	}
	_, body = dave.get(t, dave.url+"/customers/C1")
	if inv := panelSection(t, body, "billing-invoices"); strings.Contains(inv, `value="confirmed"`) || !strings.Contains(inv, `class="button small secondary split-ask"`) {
		t.Fatalf("after the confirmation the admin is still offered to confirm:\n%s", inv)
	}
	decide("cus_8", "manual")
	_, body = alice.get(t, alice.url+"/customers/C1")
	if inv := panelSection(t, body, "billing-invoices"); !strings.Contains(inv, "INV-cus_8") || strings.Contains(inv, "INV-cus_7") ||
		!strings.Contains(inv, "linked by hand by dave@example.com") {
		t.Fatalf("after the manual link the billing panel is:\n%s", inv)
	}
}
