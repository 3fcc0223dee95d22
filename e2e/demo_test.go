package e2e

import (
	"fmt"
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
		b.SendKeys("#username", "alice")
		b.SendKeys("#password", "demo-alice")
		b.Click("#submit")
	}
	customerFlow(t, b, portal, "demo", login, demoSearch, demoCustomer)
}

// The customer the browser tests look for: a well-known account of the demo data.
const (
	demoSearch   = "acme"
	demoCustomer = "Acme Corporation"
)

var _ = sfsim.DemoAccountAcme // the account behind demoCustomer
