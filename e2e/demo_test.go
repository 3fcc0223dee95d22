package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// TestDemoInBrowser runs `atrium demo` and walks the customer flow, signing in
// through the demo identity provider.
func TestDemoInBrowser(t *testing.T) {
	portal := fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t))
	runAtrium(t, portal, "demo", "--addr", portal[len("http://"):], "--log-level", "info")
	b := testenv.NewBrowser(t)
	login := func(b *testenv.Browser) {
		b.WaitVisible("#username")
		b.Screenshot("demo-idp-login")
		b.CheckAccessibility(t, "demo-idp-login")
		b.SendKeys("#username", "carol")
		b.SendKeys("#password", "demo-carol")
		b.Click("#submit")
	}
	customerFlow(t, b, portal, "demo", login, demoSearch, demoCustomer, func() {
		mergedCustomer(t, b, portal)
	})
}

// mergedCustomer searches an email only the billing system knows, and opens the
// customer it belongs to, composed from all four systems.
func mergedCustomer(t *testing.T, b *testenv.Browser, portal string) {
	b.Navigate(portal + "/search?q=" + billingOnlyEmail)
	b.WaitVisible("#result-table a.result")
	row := b.Text("#result-table tbody tr")
	if !strings.Contains(row, demoCustomer) || !strings.Contains(row, "Billing") || !strings.Contains(row, "Salesforce") {
		t.Fatalf("searching %s did not find %s in billing and Salesforce:\n%s", billingOnlyEmail, demoCustomer, row)
	}
	b.Click("#result-table a.result")
	b.WaitVisible("#customer-name")
	for _, panel := range []string{"salesforce-contacts", "billing-invoices", "desk-tickets", "erp-orders"} {
		b.WaitVisible("#panel-" + panel + " table.data tbody tr")
	}
	for _, panel := range []string{"billing-invoices", "desk-tickets", "erp-orders"} {
		if txt := b.Text("#panel-" + panel + " .source"); !strings.Contains(txt, "linked by") {
			t.Errorf("%s shows no provenance: %q", panel, txt)
		}
	}
	b.WaitVisible("#panel-all-timeline ol.timeline li")
	b.WaitVisible("#panel-all-summary .chart svg")
	if txt := b.Text("#panel-all-timeline .filter-bar"); !strings.Contains(txt, "Billing") || !strings.Contains(txt, "ERP") ||
		!strings.Contains(txt, "Support desk") {
		t.Errorf("the timeline does not merge all systems: %q", txt)
	}
	recordLinksOpenDemoPages(t, b)
	legacyTools(t, b, sfsim.DemoAccountAcme, "carol@example.com")
	noConsoleErrors(t, b, "merged customer page")
	toolFramesRendered(t, b)
	b.Screenshot("demo-merged-customer")
	// The README's picture, docs/screenshots/customer.png, is this one.
	// Headless Chromium paints a frame of another origin into a full-page
	// capture only while it is in the viewport: the two legacy frames are
	// scrolled into it first.
	var shown bool
	b.Eval(`(document.querySelector('#panel-tool-orders-lookup').scrollIntoView({block: "start"}), true)`, &shown)
	b.Screenshot("customer")
	b.CheckAccessibility(t, "demo-merged-customer")
	b.ClearConsoleErrors()
}

// recordLinksOpenDemoPages follows the customer page's record links: in the
// demo they open the simulators' read-only pages, never Salesforce or
// Stripe.
func recordLinksOpenDemoPages(t *testing.T, b *testenv.Browser) {
	t.Helper()
	var links []string
	b.Eval(`[document.querySelector("#open-external")?.href || "",
  document.querySelector("#panel-billing-invoices table.data tbody tr a")?.href || "",
  document.querySelector('a[href*="/subscriptions/sub_"]')?.href || ""]`, &links)
	for i, want := range []string{"Demo Salesforce org (simulated)", "Demo billing (simulated Stripe)", "Demo billing (simulated Stripe)"} {
		if i >= len(links) || links[i] == "" {
			t.Errorf("no record link for %q", want)
			continue
		}
		if strings.Contains(links[i], "salesforce.com") || strings.Contains(links[i], "stripe.com") {
			t.Errorf("demo record link %q leaves the demo", links[i])
			continue
		}
		resp, err := http.Get(links[i])
		if err != nil {
			t.Errorf("follow %s: %v", links[i], err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, want a page saying %q:\n%s", links[i], resp.StatusCode, want, body)
		}
	}
}

// toolFramesRendered waits, each within frameText's deadline, until every
// tool frame shows its page, so that a capture shows the tools and not empty
// frames. Frames load lazily, as a reader scrolls to them: frameText
// scrolls each into view.
func toolFramesRendered(t *testing.T, b *testenv.Browser) {
	t.Helper()
	for _, id := range []string{"orders-lookup", "credit-check", "ledger"} {
		frameText(t, b, "frame-"+id, "Legacy tool")
	}
}

// The customer the browser tests look for: a well-known account of the demo
// data (sfsim.DemoAccountAcme).
const (
	demoSearch   = "acme"
	demoCustomer = "Acme Corporation"
	// billingOnlyEmail belongs to a billing customer that carries no CRM id
	// (demo/billing.DemoPayablesCustomer); it links to Acme by domain.
	billingOnlyEmail = "payables@acme-corp.com"
)
