package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/store"
)

// payingLedger is a billing system with two panels; its first (invoices)
// answers only after its second (payments), so that the first panel to
// arrive is not the first on the page.
type payingLedger struct {
	ledger
	paid chan struct{}
}

func (l payingLedger) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "customer", Title: "Billing", Header: true}, {Name: "invoices", Title: "Invoices"}, {Name: "payments", Title: "Payments"}}
}

func (l payingLedger) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	switch req.Facet {
	case "invoices":
		select {
		case <-l.paid:
		case <-time.After(2 * time.Second): // a later page: payments come from the cache of nothing, so never wait long
		}
	case "payments":
		defer func() {
			select {
			case <-l.paid:
			default:
				close(l.paid)
			}
		}()
	}
	f, err := l.ledger.Fetch(ctx, req)
	if f != nil && req.Facet == "customer" {
		f.Fields = map[string]adapters.Value{adapters.FieldName: adapters.Text("Globex Billing")}
	}
	return f, err
}

// panelOf cuts the section of panel id out of a customer page.
func panelOf(body, id string) string {
	i := strings.Index(body, `id="panel-`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

func TestSplitIsConfirmedShownAndUndone(t *testing.T) {
	led := payingLedger{paid: make(chan struct{})}
	p := startComposed(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: crmWithDomain{}}, 0,
		customer.WithLinkedSources(customer.Source{Name: "billing", Title: "Billing", Timeout: 5 * time.Second, Adapter: led}))
	_, body := p.login(t, "/customers/C1", "dave", "demo-dave")
	tok := csrfField.FindStringSubmatch(body)[1]

	// The controls are on the system's first panel only, though it arrived last.
	if inv, pay := panelOf(body, "billing-invoices"), panelOf(body, "billing-payments"); !strings.Contains(inv, "link-controls") || strings.Contains(pay, "link-controls") {
		t.Fatalf("link controls not on the first billing panel alone:\ninvoices: %s\npayments: %s", inv, pay)
	}
	// "Not this customer" asks first; it changes nothing.
	ask := regexp.MustCompile(`href="(/customers/C1/links/split\?[^"]+)"`).FindStringSubmatch(body)
	if ask == nil || strings.Contains(body, `value="split"`) {
		t.Fatalf("the split is not asked before it is done:\n%s", body)
	}
	askURL := p.url + strings.ReplaceAll(ask[1], "&amp;", "&")
	resp, page := p.get(t, askURL)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Split Billing record cus_7 (Globex Billing) from Globex &lt;Corporation&gt;?") ||
		!strings.Contains(page, `name="_csrf"`) || !strings.Contains(page, `value="split"`) || !strings.Contains(page, `href="/customers/C1">Cancel`) ||
		!strings.Contains(page, "<html") {
		t.Fatalf("the question page: %d\n%s", resp.StatusCode, page)
	}
	if ds, _ := p.store.LinkDecisions(context.Background(), "crm", "C1"); len(ds) != 0 {
		t.Fatalf("asking decided something: %+v", ds)
	}
	_, frag := p.get(t, askURL, "HX-Request", "true")
	if strings.Contains(frag, "<html") || !strings.Contains(frag, `class="link-confirm"`) || !strings.Contains(frag, "cancel=1") {
		t.Fatalf("htmx gets no question in place:\n%s", frag)
	}
	_, back := p.get(t, askURL+"&cancel=1", "HX-Request", "true")
	if !strings.Contains(back, "Not this customer</a>") || strings.Contains(back, "<html") {
		t.Fatalf("cancel does not bring the button back:\n%s", back)
	}

	post := func(form url.Values, hdr ...string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, p.url+"/customers/C1/links", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		return p.do(t, req)
	}
	if resp, _ := post(url.Values{"_csrf": {tok}, "source": {"billing"}, "record": {"cus_7"}, "decision": {"split"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("split: %d", resp.StatusCode)
	}
	_, body = p.get(t, p.url+"/customers/C1")
	inv := panelOf(body, "billing-invoices")
	if strings.Contains(body, "INV-cus_7") || !strings.Contains(inv, "Not linked in Billing: split off by hand.") ||
		!strings.Contains(inv, "cus_7 was split off by hand by dave@example.com on ") ||
		strings.Contains(body, "No Billing record shares this customer") || !strings.Contains(inv, "Undo split of cus_7") {
		t.Fatalf("after a split the panel does not say who split what, or offers no undo:\n%s", inv)
	}
	if !strings.Contains(inv, `hx-post="/customers/C1/links"`) || !strings.Contains(inv, `hx-target="#link-billing-problem"`) {
		t.Fatal("the add form does not answer its problems in place")
	}
	if strings.Contains(panelOf(body, "billing-payments"), "Undo split") {
		t.Fatal("the undo is repeated on every panel of the system")
	}

	// Undo: the rules link the record again, and the history keeps both.
	if resp, _ := post(url.Values{"_csrf": {tok}, "source": {"billing"}, "record": {"cus_7"}, "decision": {"cleared"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("undo: %d", resp.StatusCode)
	}
	_, body = p.get(t, p.url+"/customers/C1")
	if !strings.Contains(body, "INV-cus_7") || !strings.Contains(body, "linked by domain = globex.example") || strings.Contains(body, "split off by hand") {
		t.Fatalf("after the undo the record is not linked by the rules again:\n%s", body)
	}
	hist, err := p.store.LinkHistory(context.Background(), "crm", "C1")
	if err != nil || len(hist) != 2 || hist[0].Decision != store.DecisionSplit || hist[1].Decision != store.DecisionCleared || hist[1].Actor != "dave@example.com" {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if resp, _ := post(url.Values{"_csrf": {tok}, "source": {"billing"}, "record": {"cus_7"}, "decision": {"cleared"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("undoing what nobody decided: %d", resp.StatusCode)
	}
}

func TestABadRecordIDSaysWhatWasWrongAndLeadsBack(t *testing.T) {
	p := startComposed(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: crmWithDomain{}}, 0,
		customer.WithLinkedSources(customer.Source{Name: "billing", Title: "Billing", Timeout: 5 * time.Second, Adapter: ledger{}}))
	_, body := p.login(t, "/customers/C1", "dave", "demo-dave")
	tok := csrfField.FindStringSubmatch(body)[1]
	post := func(record string, hdr ...string) (*http.Response, string) {
		form := url.Values{"_csrf": {tok}, "source": {"billing"}, "record": {record}, "decision": {"manual"}}
		req, _ := http.NewRequest(http.MethodPost, p.url+"/customers/C1/links", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		return p.do(t, req)
	}
	resp, page := post("missing")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Billing has no record &#34;missing&#34;") ||
		!strings.Contains(page, `href="/customers/C1">Back to the customer`) || !strings.Contains(page, "Link not changed") {
		t.Fatalf("a record that does not exist: %d\n%s", resp.StatusCode, page)
	}
	resp, page = post("bad id!")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Back to the customer") {
		t.Fatalf("a malformed record id: %d\n%s", resp.StatusCode, page)
	}
	resp, frag := post("missing", "HX-Request", "true")
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(frag, "<html") || !strings.Contains(frag, `role="alert"`) ||
		!strings.Contains(frag, "Billing has no record") {
		t.Fatalf("htmx: %d\n%s", resp.StatusCode, frag)
	}
	resp, _ = post("cus_8", "HX-Request", "true")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("HX-Redirect") != "/customers/C1" {
		t.Fatalf("htmx link: %d, HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
}
