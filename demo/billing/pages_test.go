package billing_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/demo/billing"
)

// getPage reads a page without the API key, as a browser following a link.
func getPage(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type = %q, want an HTML page", url, ct)
	}
	return resp.StatusCode, string(b)
}

// customerWith returns the first test customer that has invoices and a
// subscription.
func customerWith(t *testing.T, cs []billing.Customer) billing.Customer {
	t.Helper()
	for _, c := range cs {
		if len(c.Invoices) > 0 && len(c.Subscriptions) > 0 {
			return c
		}
	}
	t.Fatal("no test customer has invoices and a subscription")
	return billing.Customer{}
}

func TestRecordPages(t *testing.T) {
	f := newFixture(t)
	c := customerWith(t, f.customers)
	inv, sub := c.Invoices[0], c.Subscriptions[0]
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/test/customers/" + c.ID, []string{"<h1>" + template(c.Name) + "</h1>", "<dd>" + c.ID + "</dd>",
			`<a href="/test/invoices/` + inv.ID + `">`, `<a href="/test/subscriptions/` + sub.ID + `">`}},
		{"/customers/" + c.ID, []string{`<a href="/invoices/` + inv.ID + `">`}},
		{"/test/invoices/" + inv.ID, []string{"<dd>" + inv.ID + "</dd>", `<a href="/test/customers/` + c.ID + `">`, "<dd>" + string(inv.Status) + "</dd>"}},
		{"/invoices/" + inv.ID, []string{"<dd>" + inv.ID + "</dd>"}},
		{"/test/subscriptions/" + sub.ID, []string{"<dd>" + sub.ID + "</dd>", `<a href="/test/customers/` + c.ID + `">`}},
	} {
		status, body := getPage(t, f.url+tc.path)
		if status != http.StatusOK {
			t.Errorf("%s: %d\n%s", tc.path, status, body)
			continue
		}
		for _, w := range append(tc.want, "Demo billing (simulated Stripe)") {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q:\n%s", tc.path, w, body)
			}
		}
		if strings.Contains(body, "<script") {
			t.Errorf("%s carries a script", tc.path)
		}
	}
}

// template escapes as html/template does for the names of the test data.
func template(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", `"`, "&#34;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func TestRecordPageEscapes(t *testing.T) {
	f := newFixture(t)
	status, body := getPage(t, f.url+"/customers/cus_QuoteEsc0001")
	if status != http.StatusOK || !strings.Contains(body, "<h1>It&#39;s &#34;Quoted&#34; Ltd</h1>") {
		t.Errorf("%d\n%s", status, body)
	}
}

func TestRecordPageNotFound(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/customers/cus_Nope", "/test/invoices/in_Nope", "/subscriptions/%3Cb%3Ex"} {
		status, body := getPage(t, f.url+path)
		if status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, status)
		}
		if strings.Contains(body, "<b>") {
			t.Errorf("%s: the page carries the path unescaped", path)
		}
	}
	// The API still asks for the key.
	resp, err := http.Get(f.url + "/v1/customers")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /v1/customers without a key: %d", resp.StatusCode)
	}
}

func TestHostedInvoiceURLAtTheServer(t *testing.T) {
	cs := testCustomers()
	srv, err := billing.New(billing.Options{APIKey: testKey, Customers: cs, Now: func() time.Time { return testNow },
		URL: "http://billing.test/"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	sdk := sdkClient(ts.URL, testKey, ts.Client())
	checked := 0
	for _, c := range cs {
		for _, inv := range c.Invoices {
			if inv.Status == billing.InvoiceDraft {
				continue
			}
			got, err := sdk.V1Invoices.Retrieve(t.Context(), inv.ID, &stripe.InvoiceRetrieveParams{})
			if err != nil {
				t.Fatal(err)
			}
			if want := "http://billing.test/invoices/" + inv.ID; got.HostedInvoiceURL != want {
				t.Errorf("hosted_invoice_url = %q, want %q", got.HostedInvoiceURL, want)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no issued invoice in the test data")
	}
}
