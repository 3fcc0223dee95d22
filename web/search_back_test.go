package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

// A customer opened from search results leads back to them, and both pages
// keep the search in the header's box.
func TestCustomerPageLeadsBackToTheResults(t *testing.T) {
	p := start(t)
	p.login(t, "/", "alice", "demo-alice")
	_, body := p.get(t, p.url+"/search?q=globex")
	if !strings.Contains(body, `id="q" name="q" type="search" value="globex"`) {
		t.Fatalf("the results page's search box lost the query:\n%s", body)
	}
	if !strings.Contains(body, `href="/customers/C1?q=globex"`) {
		t.Fatalf("the result does not carry the query:\n%s", body)
	}
	_, body = p.get(t, p.url+"/search?q=globex", "HX-Request", "true")
	if !strings.Contains(body, `href="/customers/C1?q=globex"`) {
		t.Fatalf("the results htmx swaps in do not carry the query:\n%s", body)
	}
	resp, body := p.get(t, p.url+"/customers/C1?q=globex")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<a href="/search?q=globex" id="back-to-results">← Results for “globex”</a>`) ||
		!strings.Contains(body, `type="search" value="globex"`) {
		t.Fatalf("the customer page leads not back to the results, or its search box lost the query: %d\n%s", resp.StatusCode, body)
	}
	_, body = p.get(t, p.url+"/customers/C1")
	if strings.Contains(body, "back-to-results") {
		t.Fatal("a customer page opened otherwise claims to come from results")
	}
	_, body = p.get(t, p.url+"/customers/C1?q=a%26b%22%3C")
	if !strings.Contains(body, `href="/search?q=a%26b%22%3C"`) || !strings.Contains(body, "Results for “a&amp;b&#34;&lt;”") {
		t.Fatalf("the query is not escaped on its way back:\n%s", body)
	}
}

// The canonical-id redirect keeps the search the page was opened from.
func TestCanonicalRedirectKeepsTheSearch(t *testing.T) {
	p := startSalesforcePortal(t, 0, nil)
	acme := sfsim.DemoAccountAcme
	resp, _ := p.get(t, p.url+"/customers/"+strings.ToLower(acme)+"?q=acme")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/customers/"+acme+"?q=acme" {
		t.Fatalf("%d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := p.get(t, p.url+resp.Header.Get("Location"))
	if !strings.Contains(body, "← Results for “acme”") {
		t.Fatal("the canonical page does not lead back to the results")
	}
}
