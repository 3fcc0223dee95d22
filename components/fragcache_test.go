package components

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// A kept panel is written as it was rendered, with the link controls of the
// page it is written into; a panel that carries the page's CSP nonce is not
// kept, since the next page has another.
func TestStreamedPanelsKeepWhatIsTheSameForEveryone(t *testing.T) {
	cache := NewFragmentCache(0)
	key := FragmentKey{Customer: "C1", Source: "billing", Facet: "invoices", Version: "v1"}
	page := func(nonce string, p Panel) string {
		var b bytes.Buffer
		if err := StreamedPanel(p).Render(templ.WithNonce(context.Background(), nonce), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	f, hit := cache.Fragment(key)
	if hit {
		t.Fatal("an empty cache answered")
	}
	first := Panel{ID: "billing-invoices", Slot: "billing-invoices", Title: "Invoices", Empty: "No invoices.", Fragment: f,
		Links: &LinkControls{Action: "/customers/C1/links", CSRFToken: "token-one", Source: "billing", Record: "cus_7", Split: "/customers/C1/links/split?source=billing&record=cus_7"}}
	one := page("nonce-one", first)
	f, hit = cache.Fragment(key)
	if !hit {
		t.Fatal("the rendered panel was not kept")
	}
	plain := page("nonce-two", Panel{Fragment: f})
	if strings.Contains(plain, "token-one") || strings.Contains(plain, "link-controls") || !strings.Contains(plain, "No invoices.") {
		t.Errorf("the kept panel carries the first page's link controls, or lost its body:\n%s", plain)
	}
	two := page("nonce-two", Panel{Fragment: f, Links: &LinkControls{Action: "/customers/C1/links", CSRFToken: "token-two", Source: "billing", Record: "cus_7", Split: "/customers/C1/links/split?source=billing&record=cus_7"}})
	if two != strings.ReplaceAll(one, "token-one", "token-two") {
		t.Errorf("the kept panel with the second page's controls:\n%s\nwant, as rendered:\n%s", two, one)
	}

	framed := FragmentKey{Customer: "C1", Source: "tools", Facet: "ledger", Version: "v1"}
	f, _ = cache.Fragment(framed)
	out := page("nonce-three", Panel{ID: "tool-ledger", Title: "Ledger", Fragment: f,
		Frame: &Frame{Name: "frame-ledger", Title: "Ledger", Signed: &SignedForm{Action: "https://tool.example/", Value: "signed", Host: "/static/c.js"}}})
	if !strings.Contains(out, `nonce="nonce-three"`) {
		t.Fatalf("the framed panel has no nonce:\n%s", out)
	}
	if _, hit := cache.Fragment(framed); hit {
		t.Error("a panel carrying the page's nonce was kept")
	}
}
