package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/customer"
)

// versionedCRM is the fake CRM whose contacts name how often they were
// fetched ("Contact v2").
type versionedCRM struct {
	fakeCRM
	contacts *atomic.Int64
}

func (c versionedCRM) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	f, err := c.fakeCRM.Fetch(ctx, req)
	if f != nil && req.Facet == "contacts" {
		n := c.contacts.Add(1)
		f.Tables = []adapters.Table{{Columns: []adapters.Column{{Title: "Name"}}, Total: 1,
			Rows: []adapters.Row{{Cells: []adapters.Value{adapters.Text("Contact v" + strconv.FormatInt(n, 10))}}}}}
	}
	return f, err
}

// A panel's Refresh, through the assembled server: CSRF-checked, it drops
// the cached facet and answers the panel fetched again; what is cached next is
// the fresh one.
func TestRefreshFetchesThePanelAgain(t *testing.T) {
	var fetched atomic.Int64
	g := guard.Wrap(versionedCRM{contacts: &fetched}, "crm", guard.DefaultPolicy())
	t.Cleanup(func() { g.Close() })
	p := startComposed(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: g}, 0)

	_, body := p.login(t, "/customers/C1", "alice", "demo-alice")
	if !strings.Contains(body, "Contact v1") {
		t.Fatalf("the page does not show the contacts:\n%s", body)
	}
	tok := csrfField.FindStringSubmatch(body)[1]
	const panel = "/customers/C1/panels/crm/contacts"
	if _, frag := p.get(t, p.url+panel, "HX-Request", "true"); !strings.Contains(frag, "Contact v1") || fetched.Load() != 1 {
		t.Fatalf("the panel was not served from the cache (%d fetches):\n%s", fetched.Load(), frag)
	}
	refresh := func(form url.Values, htmx bool) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, p.url+panel+"/refresh", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		return p.do(t, req)
	}

	if resp, _ := refresh(url.Values{}, true); resp.StatusCode != http.StatusForbidden || fetched.Load() != 1 {
		t.Fatalf("a refresh without the CSRF token: %d, %d fetches; want 403 and no fetch", resp.StatusCode, fetched.Load())
	}
	resp, frag := refresh(url.Values{"_csrf": {tok}}, true)
	if resp.StatusCode != http.StatusOK || !strings.Contains(frag, "Contact v2") || !strings.Contains(frag, `id="panel-crm-contacts"`) {
		t.Fatalf("refresh: %d\n%s", resp.StatusCode, frag)
	}
	if _, frag := p.get(t, p.url+panel, "HX-Request", "true"); !strings.Contains(frag, "Contact v2") || fetched.Load() != 2 {
		t.Errorf("after the refresh the panel shows %q after %d fetches; want the fresh facet, cached", frag, fetched.Load())
	}

	resp, _ = refresh(url.Values{"_csrf": {tok}}, false)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/customers/C1#panel-crm-contacts" || fetched.Load() != 3 {
		t.Errorf("a refresh posted without htmx: %d to %q after %d fetches; want 303 to the panel on the customer page",
			resp.StatusCode, resp.Header.Get("Location"), fetched.Load())
	}
	for _, path := range []string{"/customers/C1/panels/crm/nope/refresh", "/customers/C.1/panels/crm/contacts/refresh"} {
		req, _ := http.NewRequest(http.MethodPost, p.url+path, strings.NewReader(url.Values{"_csrf": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, _ := p.do(t, req); resp.StatusCode != http.StatusNotFound {
			t.Errorf("refresh of %s: %d, want 404", path, resp.StatusCode)
		}
	}
}
