package legacy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/atrium-dev/atrium/legacy"
)

// benchPage is about the size of a legacy tool's small screen.
var benchPage = []byte("<!doctype html><title>Ledger</title><main><h1>Ledger</h1><p>" +
	"Open invoices for the selected customer appear here, a few hundred bytes of HTML.</p>" +
	"<table><tr><th>Invoice</th><th>Due</th><th>Amount</th></tr>" +
	"<tr><td>INV-1001</td><td>2026-02-01</td><td>1,250.00</td></tr></table></main>")

// BenchmarkProxy serves a small page through the proxy's handler, as a
// browser asks for it: with Atrium's session cookie and a tool cookie, a
// dozen ordinary headers. The tool is an httptest server; the handler is
// called directly, so the figures are the proxy's and net/http's client
// side, plus the tool.
func BenchmarkProxy(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(benchPage)
	}))
	defer up.Close()
	p, err := legacy.NewProxy([]legacy.Tool{{ID: "ledger", Title: "Ledger", Mode: legacy.ModeProxy, Upstream: up.URL + "/",
		Secret: secret}}, func(*http.Request) (legacy.User, bool) { return grace, true },
		legacy.ProxyOptions{Logger: quiet, PublicURL: "https://atrium.example.com"})
	if err != nil {
		b.Fatal(err)
	}
	defer p.CloseIdleConnections()
	header := http.Header{
		"Accept":                    {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Accept-Encoding":           {"gzip, deflate, br"},
		"Accept-Language":           {"en-GB,en;q=0.9"},
		"Cookie":                    {"atrium_session=MTcxNjIzOTAyMnxEdi1CQkFFQ180SUFBUkFCRUFBQVdQLUNBQUVHYzNSeWFXNW5EQVFBQW1sa0JuTjBjbWx1Wnd3c0FDcEpOMHhxVjNadGMxWmhPVlZ5UTJoUFNIQjVhamhsUW5aWWFtSmhjVjlsT0Y5bVN6aFdhbWc0fGQ1; legacy_visits=3"},
		"User-Agent":                {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"},
		"Sec-Fetch-Dest":            {"iframe"},
		"Sec-Fetch-Mode":            {"navigate"},
		"Sec-Fetch-Site":            {"same-origin"},
		"Referer":                   {"https://atrium.example.com/customers/C1"},
		"Upgrade-Insecure-Requests": {"1"},
	}
	req := httptest.NewRequest("GET", "/tools/ledger/app/?customer=C1", nil)
	req.Header = header
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		p.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		_, _ = io.Copy(io.Discard, w.Body)
	}
}
