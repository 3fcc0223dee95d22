package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// TestStartPageInBrowser runs `atrium demo` as an admin: the empty start page
// says what to do; a search from it opens a customer whose page leads back to
// the results; "Not this customer" asks in place and cancels; Pin keeps the
// customer on the start page, which lists it before the customers opened
// lately, at a phone's, a laptop's and a desktop's width.
func TestStartPageInBrowser(t *testing.T) {
	portal := fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t))
	runAtrium(t, portal, "demo", "--addr", portal[len("http://"):], "--log-level", "warn")
	b := testenv.NewBrowser(t)
	b.Navigate(portal + "/")
	b.WaitVisible("#username")
	b.SendKeys("#username", "dave")
	b.SendKeys("#password", "demo-dave")
	b.Click("#submit")

	b.WaitVisible("#pinned .empty")
	if txt := b.Text("#recent .empty"); !strings.Contains(txt, "Search for a customer with /") {
		t.Errorf("the empty recent list says %q", txt)
	}
	noConsoleErrors(t, b, "empty start page")
	b.Screenshot("start-empty")
	b.CheckAccessibility(t, "start-empty")
	b.ClearConsoleErrors()

	// Results appear on the start page as the user types.
	b.SendKeys("#q", demoSearch)
	b.WaitVisible("#result-table a.result")
	var clicked bool
	b.Eval(fmt.Sprintf(`(() => { const a = [...document.querySelectorAll("#result-table a.result")].find(a => a.textContent.trim() === %q);
		if (!a) return false; a.click(); return true; })()`, demoCustomer), &clicked)
	if !clicked {
		t.Fatalf("no result named %q", demoCustomer)
	}
	b.WaitVisible("#customer-name")
	waitPanels(t, b)
	if txt := b.Text("#back-to-results"); txt != "← Results for “"+demoSearch+"”" {
		t.Errorf("the back link says %q", txt)
	}
	if v := b.Value("#q"); v != demoSearch {
		t.Errorf("the customer page's search box holds %q, want %q", v, demoSearch)
	}

	// "Not this customer" asks first, in place; Cancel brings the button back.
	b.Click(".split-ask")
	b.WaitVisible(".link-confirm button.danger")
	if txt := b.Text(".link-confirm"); !strings.Contains(txt, "from "+demoCustomer+"?") {
		t.Errorf("the question reads %q", txt)
	}
	noConsoleErrors(t, b, "split question")
	b.ViewportScreenshot("split-question")
	b.CheckAccessibility(t, "split-question")
	b.ClearConsoleErrors()
	b.Click(`.link-confirm a[hx-get*="cancel=1"]`)
	b.WaitNotPresent(".link-confirm")
	b.WaitVisible(".split-ask")

	// Pin, in place.
	b.Click("#pin")
	poll(t, b, "the pin button to say Unpin", `document.querySelector("#pin")?.textContent.includes("Unpin")`)
	noConsoleErrors(t, b, "customer page after pinning")
	var top bool
	b.Eval(`(window.scrollTo(0, 0), true)`, &top)
	b.ViewportScreenshot("customer-pinned")

	// Back to the results, the search kept.
	b.Click("#back-to-results")
	b.WaitVisible("#result-table a.result")
	if v := b.Value("#q"); v != demoSearch {
		t.Errorf("the results page's search box holds %q, want %q", v, demoSearch)
	}

	// Another customer, opened but not pinned.
	b.Navigate(portal + "/customers/" + sfsim.DemoAccountApostrophe)
	b.WaitVisible("#customer-name")
	other := b.Text("#customer-name")
	b.Navigate(portal + "/")
	poll(t, b, "the start page to list the customer opened last",
		fmt.Sprintf(`document.querySelector("#recent .visits")?.textContent.includes(%q)`, other))
	if txt := b.Text("#pinned .visits"); !strings.Contains(txt, demoCustomer) {
		t.Errorf("pinned: %q", txt)
	}
	if txt := b.Text("#recent .visits"); strings.Contains(txt, demoCustomer) {
		t.Errorf("the pinned customer is listed again among the recent ones: %q", txt)
	}
	for _, w := range layoutWidths {
		t.Run(fmt.Sprintf("%dpx", w), func(t *testing.T) {
			b := b.ForTest(t)
			setViewport(t, b, w)
			b.Navigate(portal + "/")
			b.WaitVisible("#pinned .visits a")
			where := fmt.Sprintf("start page at %d px", w)
			checkLayout(t, b, w, where)
			noConsoleErrors(t, b, where)
			name := fmt.Sprintf("start-%d", w)
			b.Screenshot(name)
			b.CheckAccessibility(t, name)
			b.ClearConsoleErrors()
		})
	}
}
