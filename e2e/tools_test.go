package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/atrium-dev/atrium/internal/testenv"
)

// frameText waits until the body of the document inside the frame named name
// contains every want, and returns it. The frame's content may come from
// another origin: the DevTools protocol reads it where page scripts may not.
func frameText(t *testing.T, b *testenv.Browser, name string, want ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 20*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last string
	// Frames load lazily, as a reader scrolls to them.
	var scrolled bool
	b.Eval(`(document.querySelector('iframe[name="`+name+`"]').scrollIntoView(), true)`, &scrolled)
	for {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(`iframe[name="`+name+`"]`)))
		if err == nil && len(nodes) > 0 {
			sctx, scancel := context.WithTimeout(ctx, time.Second)
			txt, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS("body"), chromedp.FromNode(nodes[0])))
			scancel()
			if err == nil {
				last = txt
				ok := true
				for _, w := range want {
					ok = ok && strings.Contains(txt, w)
				}
				if ok {
					return txt
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("frame %s never showed %q; last text:\n%s", name, want, last)
		case <-tick.C:
		}
	}
}

// legacyTools checks the three embedded tools on the open customer page: each
// shows, as the tool received (and verified) it, the signed-in user and the
// customer.
func legacyTools(t *testing.T, b *testenv.Browser, customerID, email string) {
	for _, id := range []string{"orders-lookup", "credit-check", "ledger"} {
		b.WaitVisible("#panel-tool-" + id + " iframe")
	}
	var sandbox, referrer string
	b.Eval(`document.querySelector('iframe[name="frame-orders-lookup"]').getAttribute("sandbox")`, &sandbox)
	b.Eval(`document.querySelector('iframe[name="frame-orders-lookup"]').getAttribute("referrerpolicy")`, &referrer)
	if sandbox == "" || strings.Contains(sandbox, "allow-top-navigation") || referrer != "no-referrer" {
		t.Errorf("framed tool: sandbox %q, referrerpolicy %q", sandbox, referrer)
	}
	frameText(t, b, "frame-orders-lookup", customerID, email)
	frameText(t, b, "frame-credit-check", customerID, email)
	ledger := frameText(t, b, "frame-ledger", customerID, email)
	if !strings.Contains(strings.ToLower(ledger), "visit") {
		t.Errorf("the proxied tool shows no visit count of its own cookie:\n%s", ledger)
	}
	b.Screenshot("demo-legacy-tools")
	var scrolled bool
	b.Eval(`(document.querySelector('#panel-tool-orders-lookup').scrollIntoView({block: "start"}), true)`, &scrolled)
	b.ViewportScreenshot("demo-legacy-tools-frames")
}
