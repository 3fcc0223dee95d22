package legacytool_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/atrium-dev/atrium/demo/legacytool"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/legacy/assertion"
	"github.com/atrium-dev/atrium/legacy/canvas"
)

var (
	canvasSecret    = []byte("canvas-secret-0123456789abcdef-0123456789")
	assertionSecret = []byte("assertion-secret-0123456789abcdef-012345")
	now             = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	grace           = legacy.User{Subject: "auth0|42", Email: "grace@example.com", Name: "Grace Hopper",
		Groups: []string{"support", "admins"}}
	noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
)

func startTool(t *testing.T) *httptest.Server {
	t.Helper()
	tool, err := legacytool.New(legacytool.Options{CanvasSecret: canvasSecret, AssertionSecret: assertionSecret,
		ToolID: "legacy", AllowFrameAncestors: "http://atrium.example", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(tool)
	t.Cleanup(srv.Close)
	return srv
}

type page struct {
	status int
	header http.Header
	body   string
}

func fetch(t *testing.T, req *http.Request) page {
	t.Helper()
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(body)}
}

func get(t *testing.T, rawURL string, header http.Header) page {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	return fetch(t, req)
}

func postCanvas(t *testing.T, base, signed string) page {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/canvas",
		strings.NewReader(url.Values{canvas.FormField: {signed}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return fetch(t, req)
}

// checkPage fails unless p is an accessible page of the tool with status.
func checkPage(t *testing.T, p page, status int, texts ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d: %s", p.status, status, p.body)
	}
	for _, want := range append([]string{`<html lang="en">`, "<title>", "<h1>"}, texts...) {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %q:\n%s", want, p.body)
		}
	}
}

func TestFramePageShowsItsURL(t *testing.T) {
	srv := startTool(t)
	p := get(t, srv.URL+"/frame?customer=C%3Cb%3E7&user=grace%40example.com", nil)
	checkPage(t, p, http.StatusOK, "C&lt;b&gt;7", "grace@example.com")
	if csp := p.header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors http://atrium.example") {
		t.Errorf("CSP %q: Atrium may not frame the page", csp)
	}
	if xfo := p.header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options %q on a page made for framing", xfo)
	}
}

func signedTool(origin string) legacy.Tool {
	return legacy.Tool{ID: "legacy-signed", Title: "Legacy", Mode: legacy.ModeSigned, Origin: origin,
		URL: origin + "/canvas", Secret: canvasSecret}
}

var customer = legacy.View{User: grace, Customer: "cust-7", Links: map[string]string{"erp": "42"}}

func TestCanvasPageVerifies(t *testing.T) {
	srv := startTool(t)
	tool := signedTool(srv.URL)
	target, signed, err := tool.SignedRequest(customer, now, "nonce-1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if target != srv.URL+"/canvas" {
		t.Fatalf("target %q", target)
	}
	p := postCanvas(t, srv.URL, signed)
	checkPage(t, p, http.StatusOK, "grace@example.com", "cust-7", "Record in erp", "42")
	if csp := p.header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors http://atrium.example") {
		t.Errorf("CSP %q", csp)
	}

	_, expired, _ := tool.SignedRequest(customer, now.Add(-2*time.Minute), "nonce-2", time.Minute)
	wrongKey := tool
	wrongKey.Secret = []byte("not the tool's secret, but 32 bytes long")
	_, forged, _ := wrongKey.SignedRequest(customer, now, "nonce-3", time.Minute)
	sig, payload, _ := strings.Cut(signed, ".")
	for name, tc := range map[string]struct{ signed, text string }{
		"replayed": {signed, "already used"},
		"tampered": {sig + "." + strings.Replace(payload, payload[10:11], "A", 1) + "B", "signature"},
		"expired":  {expired, "expired"},
		"forged":   {forged, "signature"},
		"missing":  {"", "malformed"},
	} {
		t.Run(name, func(t *testing.T) {
			p := postCanvas(t, srv.URL, tc.signed)
			checkPage(t, p, http.StatusForbidden, "Access denied", tc.text)
			if strings.Contains(p.body, "grace@example.com") {
				t.Error("a refused request showed the user")
			}
		})
	}
	if p := get(t, srv.URL+"/canvas", nil); p.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /canvas: %d", p.status)
	}
}

func assertionFor(t *testing.T, key []byte, toolID string, at time.Time) http.Header {
	t.Helper()
	tok, err := assertion.Sign(key, toolID, assertion.Identity{Subject: grace.Subject, Email: grace.Email,
		Name: grace.Name, Groups: grace.Groups}, at, time.Minute, "jti")
	if err != nil {
		t.Fatal(err)
	}
	return http.Header{assertion.Header: {tok}}
}

func TestAppPageTrustsOnlyTheAssertion(t *testing.T) {
	srv := startTool(t)
	p := get(t, srv.URL+"/app/?customer=cust-7", assertionFor(t, assertionSecret, "legacy", now))
	checkPage(t, p, http.StatusOK, "grace@example.com", "Grace Hopper", "support, admins", "cust-7",
		"<th scope=\"row\">Visits</th><td>1</td>", `href="go?customer=cust-7"`, `<label for="echo-msg">`)
	// The proxy's default sandbox runs no script, so the pages carry none.
	for _, bad := range []string{"<script", " onclick=", " onsubmit=", " onload=", "javascript:"} {
		if strings.Contains(p.body, bad) {
			t.Errorf("the app page carries %q, which the proxy's sandbox blocks", bad)
		}
	}
	echoed := get(t, srv.URL+"/app/echo?customer=cust-7&msg=%3Cb%3Ehello", assertionFor(t, assertionSecret, "legacy", now))
	checkPage(t, echoed, http.StatusOK, `<p id="echo-out" role="status">echo: &lt;b&gt;hello</p>`, `value="&lt;b&gt;hello"`)
	if got := p.header.Values("Set-Cookie"); len(got) != 1 || !strings.HasPrefix(got[0], "legacy_visits=1; Path=/;") {
		t.Errorf("Set-Cookie %q", got)
	}
	if p.header.Get("X-Frame-Options") != "DENY" || !strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("the proxied page allows framing: %v", p.header)
	}

	again := assertionFor(t, assertionSecret, "legacy", now)
	again.Set("Cookie", "legacy_visits=1")
	checkPage(t, get(t, srv.URL+"/app/", again), http.StatusOK, "<th scope=\"row\">Visits</th><td>2</td>")

	const openFromAtrium = "Open the tool from a customer page in Atrium"
	for name, tc := range map[string]struct {
		h    http.Header
		text string // what the refusal tells the user to do
	}{
		"none":         {http.Header{"X-Forwarded-User": {"auth0|42"}, "X-Forwarded-Email": {"grace@example.com"}}, openFromAtrium},
		"wrong secret": {assertionFor(t, []byte("not the tool's secret, but 32 bytes long"), "legacy", now), openFromAtrium},
		"other tool":   {assertionFor(t, assertionSecret, "other", now), openFromAtrium},
		"expired":      {assertionFor(t, assertionSecret, "legacy", now.Add(-5*time.Minute)), "Reload the customer page"},
	} {
		for _, path := range []string{"/app/", "/app/go", "/app/customer"} {
			p := get(t, srv.URL+path, tc.h)
			checkPage(t, p, http.StatusForbidden, "Access denied", tc.text)
			if strings.Contains(p.body, "grace@example.com") || p.header.Get("Location") != "" {
				t.Errorf("%s, %s: served without a valid assertion", name, path)
			}
		}
	}
}

func TestAppRedirectsAndRecord(t *testing.T) {
	srv := startTool(t)
	h := assertionFor(t, assertionSecret, "legacy", now)
	p := get(t, srv.URL+"/app/go?customer=C%26D", h)
	if p.status != http.StatusFound || p.header.Get("Location") != "/app/customer?customer=C%26D" {
		t.Errorf("go: %d to %q", p.status, p.header.Get("Location"))
	}
	checkPage(t, get(t, srv.URL+"/app/customer?customer=C%26D", h), http.StatusOK, "Customer record", "C&amp;D")
}

func dialEcho(t *testing.T, wsURL, origin string, header http.Header) (*websocket.Conn, error) {
	t.Helper()
	cfg, err := websocket.NewConfig(wsURL, origin)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Header = header
	return websocket.DialConfig(cfg)
}

func echoes(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	defer ws.Close()
	if err := websocket.Message.Send(ws, "hello"); err != nil {
		t.Fatal(err)
	}
	var reply string
	if err := websocket.Message.Receive(ws, &reply); err != nil || reply != "echo: hello" {
		t.Fatalf("reply %q, %v", reply, err)
	}
}

func TestAppWebSocketEcho(t *testing.T) {
	srv := startTool(t)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/app/ws"
	if _, err := dialEcho(t, wsURL, srv.URL, nil); err == nil {
		t.Error("a WebSocket without an assertion was accepted")
	}
	ws, err := dialEcho(t, wsURL, srv.URL, assertionFor(t, assertionSecret, "legacy", now))
	if err != nil {
		t.Fatal(err)
	}
	echoes(t, ws)
}

func TestNewRefusesWeakOptions(t *testing.T) {
	for name, o := range map[string]legacytool.Options{
		"short canvas secret":    {CanvasSecret: []byte("x"), AssertionSecret: assertionSecret, ToolID: "t"},
		"short assertion secret": {CanvasSecret: canvasSecret, AssertionSecret: []byte("x"), ToolID: "t"},
		"no tool id":             {CanvasSecret: canvasSecret, AssertionSecret: assertionSecret},
		"header injection":       {CanvasSecret: canvasSecret, AssertionSecret: assertionSecret, ToolID: "t", AllowFrameAncestors: "a; script-src *"},
	} {
		if _, err := legacytool.New(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
