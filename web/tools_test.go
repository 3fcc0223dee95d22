package web_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/legacy/assertion"
	"github.com/atrium-dev/atrium/legacy/canvas"
	"github.com/atrium-dev/atrium/policy"
	"github.com/atrium-dev/atrium/web"
)

var (
	secret      = strings.Repeat("s", 40)
	signedField = regexp.MustCompile(`name="signed_request" value="([^"]+)"`)
)

// recorder is a legacy tool that remembers the last request it got.
type recorder struct {
	mu   sync.Mutex
	last *http.Request
	hits int
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.last, r.hits = req.Clone(req.Context()), r.hits+1
	r.mu.Unlock()
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte("<!doctype html><title>tool</title><p>tool page</p>"))
}

func (r *recorder) seen() (*http.Request, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last, r.hits
}

func TestLegacyToolsOnTheCustomerPage(t *testing.T) {
	tool := &recorder{}
	up := httptest.NewServer(tool)
	defer up.Close()
	tools := []legacy.Tool{
		{ID: "lookup", Title: "Lookup", Mode: legacy.ModeIframe, Origin: up.URL, URL: up.URL + "/frame?c={{.Customer}}&u={{.User.Email}}"},
		{ID: "credit", Title: "Credit", Mode: legacy.ModeSigned, Origin: up.URL, URL: up.URL + "/canvas", Secret: []byte(secret)},
		{ID: "ledger", Title: "Ledger", Mode: legacy.ModeProxy, Upstream: up.URL, URL: "app/?c={{.Customer}}", Secret: []byte(secret)},
	}
	p := startFull(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: fakeCRM{}}, 0, tools)
	resp, body := p.login(t, "/customers/C1", "dave", "demo-dave")

	// The frame may only load the configured origins.
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src 'self' "+up.URL+";") ||
		!strings.Contains(csp, "form-action 'self' "+p.issuer+" "+up.URL) {
		t.Errorf("CSP = %q", csp)
	}
	if !strings.Contains(body, `src="`+up.URL+`/frame?c=C1&amp;u=dave%40example.com"`) || !strings.Contains(body, `referrerpolicy="no-referrer"`) {
		t.Errorf("the framed tool's URL or attributes are wrong:\n%s", body)
	}
	// The signed request verifies with the tool's secret and names the user
	// and the customer.
	m := signedField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no signed request on the page:\n%s", body)
	}
	req, err := canvas.Verify([]byte(secret), html.UnescapeString(m[1]), time.Now(), canvas.NewMemoryNonces())
	if err != nil || req.Context.User.Email != "dave@example.com" || req.Context.Environment.Parameters.CustomerID != "C1" {
		t.Fatalf("signed request: %+v, %v", req, err)
	}

	// Through the proxy: forged identity never reaches the tool, nor does
	// Atrium's session cookie; the tool gets the signed-in user and an
	// assertion it can verify.
	fwd, _ := http.NewRequest(http.MethodGet, p.url+"/tools/ledger/app/?c=C1", nil)
	fwd.Header.Set("X-Forwarded-User", "admin")
	fwd.Header.Set("X-Forwarded-Email", "boss@example.com")
	fwd.Header.Set("X-Atrium-Assertion", "forged")
	u, _ := url.Parse(p.url)
	p.client.Jar.SetCookies(u, []*http.Cookie{{Name: "legacy_visits", Value: "3", Path: "/tools/ledger/"}})
	resp, body = p.do(t, fwd)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "tool page") || resp.Header.Get("X-Frame-Options") == "DENY" {
		t.Fatalf("proxied page: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	// The tool's answer carries the proxy's policy alone: none of the
	// framing or script rules of Atrium's own pages.
	if xfo := resp.Header.Values("X-Frame-Options"); len(xfo) != 0 {
		t.Errorf("proxied page X-Frame-Options %q", xfo)
	}
	if csp := resp.Header.Values("Content-Security-Policy"); len(csp) != 1 || !strings.HasPrefix(csp[0], "sandbox ") {
		t.Errorf("proxied page CSP %q, want only the tool's sandbox policy", csp)
	}
	got, _ := tool.seen()
	if got.Header.Get("X-Forwarded-Email") != "dave@example.com" || got.Header.Get("X-Forwarded-User") == "admin" {
		t.Errorf("identity headers reaching the tool: %v", got.Header)
	}
	if c, err := got.Cookie(auth.SessionCookie); err == nil {
		t.Errorf("Atrium's session cookie reached the tool: %v", c)
	}
	if c, err := got.Cookie("legacy_visits"); err != nil || c.Value != "3" {
		t.Errorf("the tool's own cookie did not reach it: %v", err)
	}
	claims, err := assertion.Verify([]byte(secret), "ledger", got.Header.Get(assertion.Header), time.Now())
	if err != nil || claims.Email != "dave@example.com" {
		t.Errorf("assertion: %+v, %v", claims, err)
	}

	// After logout the proxy refuses, and no page issues a signed request.
	tok := csrfField.FindStringSubmatch(mustGet(t, p, "/customers/C1"))[1]
	lo, _ := http.NewRequest(http.MethodPost, p.url+"/auth/logout", strings.NewReader(url.Values{"_csrf": {tok}}.Encode()))
	lo.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, _ := p.do(t, lo); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Clear-Site-Data") == "" {
		t.Fatalf("logout: %d %v", resp.StatusCode, resp.Header)
	}
	_, before := tool.seen()
	xhr, _ := http.NewRequest(http.MethodGet, p.url+"/tools/ledger/app/", nil)
	xhr.Header.Set("Sec-Fetch-Mode", "cors")
	if resp, _ := p.do(t, xhr); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("proxied request after logout: %d", resp.StatusCode)
	}
	if _, after := tool.seen(); after != before {
		t.Error("a request after logout reached the tool")
	}
	if resp, body := p.get(t, p.url+"/customers/C1"); resp.StatusCode != http.StatusSeeOther || signedField.MatchString(body) {
		t.Errorf("after logout the page still issues a signed request: %d", resp.StatusCode)
	}
}

func mustGet(t *testing.T, p *portal, path string) string {
	t.Helper()
	_, body := p.get(t, p.url+path)
	return body
}

// Through the assembled server: a proxied tool takes changes only from
// Atrium's origin, only the methods it is configured for, and learns the
// host and scheme users open from the configuration, not from the client.
func TestProxiedToolRulesThroughTheServer(t *testing.T) {
	tool := &recorder{}
	up := httptest.NewServer(tool)
	defer up.Close()
	tools := []legacy.Tool{
		{ID: "ledger", Title: "Ledger", Mode: legacy.ModeProxy, Upstream: up.URL, URL: "app/", Secret: []byte(secret)},
		{ID: "files", Title: "Files", Mode: legacy.ModeProxy, Upstream: up.URL, URL: "app/", Secret: []byte(secret),
			Methods: []string{"MKCOL"}},
	}
	p := startFull(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: fakeCRM{}}, 0, tools)
	p.login(t, "/customers/C1", "dave", "demo-dave")
	public, _ := url.Parse(p.url)

	for _, tc := range []struct {
		name, method, path string
		header             []string
		status             int
	}{
		{"a form of the tool's own page", "POST", "/tools/ledger/app/", []string{"Sec-Fetch-Site", "same-origin", "Origin", p.url}, 200},
		{"an older browser on Atrium's origin", "POST", "/tools/ledger/app/", []string{"Origin", p.url}, 200},
		{"another origin of the site", "POST", "/tools/ledger/app/", []string{"Sec-Fetch-Site", "same-site", "Origin", "http://wiki." + public.Hostname()}, 403},
		{"another site", "DELETE", "/tools/ledger/app/", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"an older browser on another origin", "PUT", "/tools/ledger/app/", []string{"Origin", "http://evil.example"}, 403},
		{"a sandboxed frame without allow-same-origin", "PATCH", "/tools/ledger/app/", []string{"Origin", "null"}, 403},
		{"a link from another site", "GET", "/tools/ledger/app/", []string{"Sec-Fetch-Site", "cross-site"}, 200},
		{"a method no tool is configured for", "COPY", "/tools/files/app/", nil, 405},
		{"a method the tool is not configured for", "MKCOL", "/tools/ledger/app/", []string{"Sec-Fetch-Site", "same-origin"}, 405},
		{"a WebDAV method Echo routes", "PROPFIND", "/tools/ledger/app/", []string{"Sec-Fetch-Site", "same-origin"}, 405},
		{"TRACE", "TRACE", "/tools/ledger/app/", nil, 405},
		{"a configured method", "MKCOL", "/tools/files/app/new", []string{"Sec-Fetch-Site", "same-origin"}, 200},
		{"a configured method from another site", "MKCOL", "/tools/files/app/new", []string{"Sec-Fetch-Site", "cross-site"}, 403},
	} {
		_, before := tool.seen()
		req, _ := http.NewRequest(tc.method, p.url+tc.path, strings.NewReader("x=1"))
		for i := 0; i+1 < len(tc.header); i += 2 {
			req.Header.Set(tc.header[i], tc.header[i+1])
		}
		resp, body := p.do(t, req)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %s %s: %d %q, want %d", tc.name, tc.method, tc.path, resp.StatusCode, body, tc.status)
			continue
		}
		got, after := tool.seen()
		if reached := after > before; reached != (tc.status == 200) {
			t.Errorf("%s: reached the tool %v", tc.name, reached)
		} else if reached && got.Method != tc.method {
			t.Errorf("%s: the tool got %s", tc.name, got.Method)
		}
	}

	fwd, _ := http.NewRequest(http.MethodGet, p.url+"/tools/ledger/app/", nil)
	fwd.Header.Set("X-Forwarded-Host", "evil.example")
	fwd.Header.Set("X-Forwarded-Proto", "https")
	fwd.Header.Set("Forwarded", "host=evil.example;proto=https")
	if resp, _ := p.do(t, fwd); resp.StatusCode != http.StatusOK {
		t.Fatalf("proxied page: %d", resp.StatusCode)
	}
	got, _ := tool.seen()
	if h := got.Header; h.Get("X-Forwarded-Host") != public.Host || h.Get("X-Forwarded-Proto") != "http" ||
		len(h.Values("X-Forwarded-Host")) != 1 || h.Get("Forwarded") != "" {
		t.Errorf("the tool was told host %q, proto %q, Forwarded %q; want %q and http from the public URL",
			h.Values("X-Forwarded-Host"), h.Values("X-Forwarded-Proto"), h.Values("Forwarded"), public.Host)
	}
}

// Through the assembled server: the policy's word on a tool holds in the
// proxy as on the page. A role the policy keeps from a tool gets no panel
// for it and 403 from its address, which the tool never sees and the audit
// trail records; a role it allows reaches the tool.
func TestToolPolicyHoldsInTheProxy(t *testing.T) {
	tool := &recorder{}
	up := httptest.NewServer(tool)
	defer up.Close()
	events := &recordedEvents{}
	p, _ := startPortal(t, portalSetup{deps: func(d *web.Deps) {
		d.Tools = []legacy.Tool{{ID: "ledger", Title: "Ledger", Mode: legacy.ModeProxy, Upstream: up.URL, URL: "app/", Secret: []byte(secret)}}
		d.Policy = &policy.Rules{Roles: map[string][]string{"sales": {"sales"}, "finance": {"finance"}, policy.RoleAdmin: {"admins"}},
			Tools: map[string][]string{"ledger": {"finance"}}}
		d.Audit = events
	}})
	for _, tc := range []struct {
		user   string
		status int
	}{{"alice", http.StatusForbidden}, {"carol", http.StatusOK}} {
		b := p.on(newBrowser())
		_, page := b.login(t, "/customers/C1", tc.user, "demo-"+tc.user)
		if shown := strings.Contains(page, "/tools/ledger/"); shown != (tc.status == http.StatusOK) {
			t.Errorf("%s: the customer page links the tool: %v", tc.user, shown)
		}
		_, before := tool.seen()
		refused := events.count(audit.KindAccessRefused)
		resp, body := b.get(t, p.url+"/tools/ledger/app/")
		if resp.StatusCode != tc.status {
			t.Fatalf("%s: /tools/ledger/app/: %d %q, want %d", tc.user, resp.StatusCode, body, tc.status)
		}
		_, after := tool.seen()
		if reached := after > before; reached != (tc.status == http.StatusOK) {
			t.Errorf("%s: reached the tool: %v", tc.user, reached)
		}
		if tc.status == http.StatusForbidden {
			if !strings.Contains(body, "Ask an Atrium admin") {
				t.Errorf("the refusal does not say what to do: %q", body)
			}
			if events.count(audit.KindAccessRefused) != refused+1 {
				t.Error("the refused tool request is not in the audit trail")
			}
		}
	}
}
