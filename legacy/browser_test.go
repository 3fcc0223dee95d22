package legacy_test

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/demo/legacytool"
	"github.com/atrium-dev/atrium/internal/testenv"
	"github.com/atrium-dev/atrium/legacy"
)

// customerPage frames a tool the way the customer page does.
var customerPage = template.Must(template.New("").Parse(`<!DOCTYPE html>
<html lang="en"><head><title>Customer</title></head><body>
<iframe title="{{.Title}}" src="{{.Src}}" sandbox="{{.Sandbox}}" referrerpolicy="{{.Referrer}}" loading="lazy"
 height="{{.Height}}" width="800"></iframe>
</body></html>`))

// startPortal serves a sign-in, a customer page framing ?tool=, and the
// proxy, on one origin, as Atrium does; the upstream is the demo's tool.
func startPortal(t *testing.T, tools ...legacy.Tool) *httptest.Server {
	t.Helper()
	tool, err := legacytool.New(legacytool.Options{CanvasSecret: secret, AssertionSecret: secret, ToolID: "legacy"})
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(tool)
	t.Cleanup(upstream.Close)
	byID := map[string]legacy.Tool{}
	for i := range tools {
		tools[i].Upstream = upstream.URL
		byID[tools[i].ID] = tools[i]
	}
	identify := func(r *http.Request) (legacy.User, bool) {
		c, err := r.Cookie("atrium_session")
		return grace, err == nil && c.Value == "ok"
	}
	proxy, err := legacy.NewProxy(tools, identify, legacy.ProxyOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "atrium_session", Value: "ok", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/customer?tool="+r.URL.Query().Get("tool"), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /customer", func(w http.ResponseWriter, r *http.Request) {
		tool := byID[r.URL.Query().Get("tool")]
		src, err := tool.FrameURL(legacy.View{User: grace, Customer: "cust-7"})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = customerPage.Execute(w, map[string]any{"Title": tool.Title, "Src": src, "Sandbox": tool.FrameSandbox(),
			"Referrer": legacy.ReferrerPolicy, "Height": tool.FrameHeight()})
	})
	mux.Handle(legacy.ProxyPrefix, proxy)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(proxy.CloseIdleConnections)
	return srv
}

// frameText waits, in the page, until the frame's document satisfies the
// JavaScript condition on d, and returns its text.
func frameText(b *testenv.Browser, cond string) string {
	var text string
	b.Eval(fmt.Sprintf(`new Promise((resolve, reject) => {
  const start = Date.now();
  (function poll() {
    const d = document.querySelector('iframe').contentDocument;
    if (d && d.body && (%s)) return resolve(d.body.innerText);
    if (Date.now() - start > 10000) return reject(new Error('frame never satisfied: %s'));
    setTimeout(poll, 50);
  })();
})`, cond, strings.ReplaceAll(cond, "'", "")), &text)
	return text
}

// With the default sandbox, a proxied tool works as a server-rendered tool
// does (links, redirects, forms, its own cookie, each request as the
// signed-in user) and runs no script on Atrium's origin.
func TestBrowserProxyDefaultSandbox(t *testing.T) {
	srv := startPortal(t, legacy.Tool{ID: "legacy", Title: "Legacy tool", Mode: legacy.ModeProxy, Secret: secret,
		URL: "app/?customer={{.Customer}}"})
	b := testenv.NewBrowser(t)
	b.Navigate(srv.URL + "/login?tool=legacy")

	text := frameText(b, `d.querySelector('h1') && d.querySelector('h1').textContent === 'Customer workbench'`)
	for _, want := range []string{"grace@example.com", "cust-7", "Visits\t1"} {
		if !strings.Contains(text, want) {
			t.Errorf("frame lacks %q:\n%s", want, text)
		}
	}
	b.Eval(`document.querySelector('iframe').contentWindow.location.reload(), true`, nil)
	frameText(b, `d.body.innerText.includes('Visits\t2')`)

	b.Eval(`document.querySelector('iframe').contentDocument.querySelector('a[href^="go"]').click(), true`, nil)
	text = frameText(b, `d.querySelector('h1') && d.querySelector('h1').textContent === 'Customer record'`)
	var path string
	b.Eval(`document.querySelector('iframe').contentWindow.location.pathname`, &path)
	if path != "/tools/legacy/app/customer" || !strings.Contains(text, "grace@example.com") {
		t.Errorf("after the redirect: %s\n%s", path, text)
	}

	// Its form posts through the proxy; no script runs in the frame.
	b.Eval(`document.querySelector('iframe').contentWindow.location.href = '/tools/legacy/app/?customer=cust-7', true`, nil)
	frameText(b, `d.getElementById('echo-msg') !== null`)
	b.Eval(`(() => { const d = document.querySelector('iframe').contentDocument;
  d.getElementById('echo-msg').value = 'plain'; d.getElementById('echo').requestSubmit(); return true; })()`, nil)
	frameText(b, `d.getElementById('echo-out') && d.getElementById('echo-out').textContent === 'echo: plain'`)
	var scripted bool
	b.Eval(`(() => { try { return document.querySelector('iframe').contentWindow.eval('true'); } catch (e) { return false; } })()`, &scripted)
	if scripted {
		t.Error("a script ran in the proxied tool's frame under the default sandbox")
	}
}

// A tool trusted with scripts on Atrium's origin (written out in its
// sandbox) gets them, and its WebSocket through the proxy.
func TestBrowserProxyUnconfinedWebSocket(t *testing.T) {
	srv := startPortal(t, legacy.Tool{ID: "legacy", Title: "Legacy tool", Mode: legacy.ModeProxy, Secret: secret,
		URL: "app/", Sandbox: "allow-scripts allow-forms allow-same-origin"})
	b := testenv.NewBrowser(t)
	b.Navigate(srv.URL + "/login?tool=legacy")
	frameText(b, `d.querySelector('h1') && d.querySelector('h1').textContent === 'Customer workbench'`)
	// The frame's own window (scripts allowed, same origin) opens the tool's
	// WebSocket through the proxy.
	var reply string
	b.Eval(`new Promise((resolve, reject) => {
  const w = document.querySelector('iframe').contentWindow;
  const dir = w.location.pathname.replace(/[^/]*$/, '');
  const ws = new w.WebSocket('ws://' + w.location.host + dir + 'ws');
  ws.onopen = () => ws.send('hello');
  ws.onmessage = (e) => { resolve(e.data); ws.close(); };
  ws.onerror = () => reject(new Error('the WebSocket through the proxy failed'));
  setTimeout(() => reject(new Error('no WebSocket reply within 10s')), 10000);
})`, &reply)
	if reply != "echo: hello" {
		t.Errorf("WebSocket reply %q, want %q", reply, "echo: hello")
	}
}
