package e2e

import (
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/demo/idp"
	"github.com/atrium-dev/atrium/internal/testenv"
	"github.com/atrium-dev/atrium/legacy/canvas"
)

// canvasApp is a tool written for Salesforce Canvas with Salesforce's own
// browser SDK (npm @salesforce/canvas-js-sdk, loaded from node_modules as the
// tool would ship it): it verifies the signed request, then calls ctx, resize,
// subscribe and ajax exactly as the SDK's documentation shows, and writes
// what it got into its page.
const canvasApp = `
Sfdc.canvas(function () {
  var sr = JSON.parse(document.getElementById("signed-request").textContent);
  var out = function (id, text) { document.getElementById(id).textContent = text; };
  Sfdc.canvas.client.subscribe(sr.client, {name: "atrium.panelRefreshed", onData: function (e) {
    out("event", "event " + e.panel + " of " + e.customerId);
    Sfdc.canvas.client.resize(sr.client, {height: "5px"});
  }});
  Sfdc.canvas.client.ctx(function (msg) {
    var same = JSON.stringify(msg.payload) === JSON.stringify(sr.context);
    out("ctx", "ctx " + msg.status + " " + msg.payload.user.email + " " +
      msg.payload.environment.parameters.customerId + (same ? " as signed" : " differs"));
    Sfdc.canvas.client.resize(sr.client, {height: "700px"});
  }, sr.client);
  Sfdc.canvas.client.ajax("/services/data/v58.0/sobjects", {client: sr.client, success: function (d) {
    out("ajax", "ajax " + d.status + " " + d.payload[0].errorCode);
  }});
});
`

// forgedResize is what another window posts to the portal to resize the
// tool's frame; forged.html posts it, then shows every message it receives.
const forgedResize = `{"seq":1,"src":"client","body":{"type":"resize","config":{"client":{}},"size":{"height":"900px"}},"targetModule":"Canvas"}`

const forgedPage = `<!doctype html><title>Other</title><p id="got">got:</p><script>
window.addEventListener("message", function (e) { document.getElementById("got").textContent += " " + e.data; });
parent.postMessage(` + "'" + forgedResize + "'" + `, "*");
</script>`

// startCanvasApp serves the SDK app on an origin of its own and returns its
// URL.
func startCanvasApp(t *testing.T, secret []byte) string {
	t.Helper()
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	sdk, err := os.ReadFile(filepath.Join(root, "node_modules", "@salesforce", "canvas-js-sdk", "js", "canvas-all.js"))
	if err != nil {
		t.Fatalf("Salesforce's Canvas SDK (run npm ci): %v", err)
	}
	nonces := canvas.NewMemoryNonces()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /canvas", func(w http.ResponseWriter, r *http.Request) {
		signed := r.PostFormValue(canvas.FormField)
		if _, err := canvas.Verify(secret, signed, time.Now(), nonces); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		_, encoded, _ := strings.Cut(signed, ".")
		payload, _ := base64.StdEncoding.DecodeString(encoded) // JSON as Go writes it: no "<" to end the script
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Canvas SDK app</title>
<script src="/sdk/canvas-all.js"></script>
<script type="application/json" id="signed-request">%s</script>
<script src="/app.js"></script></head>
<body><h1>Canvas SDK app</h1><p id="ctx">no ctx</p><p id="ajax">no ajax</p><p id="event">no event</p></body></html>`, payload)
	})
	script := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write(body)
		}
	}
	mux.HandleFunc("GET /sdk/canvas-all.js", script(sdk))
	mux.HandleFunc("GET /app.js", script([]byte(canvasApp)))
	mux.HandleFunc("GET /forged", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, forgedPage) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// waitTrue waits, in the portal's page, until the JavaScript expression is
// true, and fails the test after 10 s.
func waitTrue(t *testing.T, b *testenv.Browser, expr string) {
	t.Helper()
	var ok bool
	b.Eval(fmt.Sprintf(`new Promise((resolve) => {
  const start = Date.now();
  (function poll() {
    if (%s) return resolve(true);
    if (Date.now() - start > 10000) return resolve(false);
    setTimeout(poll, 50);
  })();
})`, expr), &ok)
	if !ok {
		t.Fatalf("never true in the page: %s", expr)
	}
}

// TestCanvasSDKInBrowser embeds a tool written with Salesforce's browser SDK
// in a customer page of `atrium serve` (signed mode): the SDK's ctx answers
// the signed context, resize sets the frame's height within bounds, an event
// Atrium publishes after a panel reloads reaches the tool, ajax is refused in
// words the SDK passes on, and no other window or origin can talk to the
// page in the tool's name or hear what the page tells it.
func TestCanvasSDKInBrowser(t *testing.T) {
	portal := fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t))
	secret := []byte(strings.Repeat("canvas-e2e-", 4))

	idpSrv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + idpSrv.Listener.Addr().String()
	provider, err := idp.New(idp.Options{Issuer: issuer, Users: idp.DemoUsers(), Logger: slog.New(slog.DiscardHandler),
		Clients: []idp.Client{{ID: "atrium", Secret: "e2e-secret", RedirectURIs: []string{portal + "/auth/callback"},
			PostLogoutRedirectURIs: []string{portal + "/auth/signed-out"}}}})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv.Config.Handler = provider
	idpSrv.Start()
	t.Cleanup(idpSrv.Close)

	sim := sfsim.New(sfsim.Options{Username: sfsim.DemoUsername, ClientID: "e2e-app", ClientSecret: "e2e-sf-secret",
		Data: sfsim.DemoData(time.Now())})
	sf := httptest.NewServer(sim)
	t.Cleanup(sf.Close)
	sim.SetURL(sf.URL)

	app := startCanvasApp(t, secret)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, forgedPage) }))
	t.Cleanup(other.Close)

	dir := t.TempDir()
	cfg := filepath.Join(dir, "atrium.yaml")
	doc := fmt.Sprintf(`
server:
  addr: %q
  public_url: %q
auth:
  issuer: %q
  client_id: atrium
  client_secret: e2e-secret
  scopes: [openid, profile, email, groups]
store:
  path: %q
sources:
  - name: salesforce
    type: salesforce
    title: Salesforce
    settings:
      flow: client_credentials
      login_url: %q
      client_id: e2e-app
      client_secret: e2e-sf-secret
tools:
  - id: sdk-app
    title: Canvas SDK app
    mode: signed
    origin: %q
    url: %q
    secret: %q
  - id: other
    title: Another tool
    mode: iframe
    origin: %q
    url: %q
`, portal[len("http://"):], portal, issuer, filepath.Join(dir, "atrium.db"), sf.URL,
		app, app+"/canvas?customer={{.Customer}}", secret, other.URL, other.URL+"/")
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	runAtrium(t, portal, "serve", "--config", cfg)

	b := testenv.NewBrowser(t)
	b.Navigate(portal + "/customers/" + sfsim.DemoAccountAcme)
	b.WaitVisible("#username")
	b.SendKeys("#username", "alice")
	b.SendKeys("#password", "demo-alice")
	b.Click("#submit")
	b.WaitVisible("#panel-tool-sdk-app iframe")
	const sdkFrame = `document.querySelector('iframe[name="frame-sdk-app"]')`

	// ctx answers the context the signed request carried; ajax is refused.
	frameText(t, b, "frame-sdk-app", "ctx 200 alice@example.com "+sfsim.DemoAccountAcme+" as signed", "ajax 501 NOT_SUPPORTED")
	// resize: the frame takes the height the tool asked for.
	waitTrue(t, b, sdkFrame+`.height === "700"`)
	noConsoleErrors(t, b, "customer page with a Canvas SDK app")
	var scrolled bool
	b.Eval(`(`+sdkFrame+`.scrollIntoView({block: "start"}), true)`, &scrolled)
	b.ViewportScreenshot("canvas-sdk-app")

	// A panel reloaded by htmx (the timeline, filtered) is an event the
	// tool subscribed to; its answer, a resize to 5px, stops at the minimum.
	b.Click("#panel-all-timeline .filter-bar a:not(.active)")
	frameText(t, b, "frame-sdk-app", "event all-timeline of "+sfsim.DemoAccountAcme)
	waitTrue(t, b, sdkFrame+`.height === "120"`)

	// Another window on the tool's own origin cannot resize the tool's
	// frame. The page's canvas script listened first, so when this listener
	// sees the forged message, the script has already read it.
	var height string
	b.Eval(`new Promise((resolve) => {
  const forger = document.createElement("iframe");
  window.addEventListener("message", (e) => { if (e.source === forger.contentWindow) resolve(`+sdkFrame+`.height); });
  forger.src = `+fmt.Sprintf("%q", app+"/forged")+`;
  document.body.append(forger);
})`, &height)
	if height != "120" {
		t.Errorf("a message from another window of the tool's origin resized the frame to %s", height)
	}

	// The tool's own frame, once on another origin, can neither resize it
	// nor hear the events the page publishes to the tool.
	b.Eval(`new Promise((resolve) => {
  const frame = `+sdkFrame+`;
  window.addEventListener("message", (e) => { if (e.source === frame.contentWindow && e.origin === `+fmt.Sprintf("%q", other.URL)+`) resolve(frame.height); });
  frame.src = `+fmt.Sprintf("%q", other.URL+"/")+`;
})`, &height)
	if height != "120" {
		t.Errorf("the tool's frame on another origin resized it to %s", height)
	}
	// The page's script publishes when the timeline settles; this listener,
	// added later, runs after it and sends a sentinel after the event.
	b.Eval(`new Promise((resolve) => {
  const frame = `+sdkFrame+`;
  document.addEventListener("htmx:afterSettle", function sentinel(e) {
    if (!e.target.closest || !e.target.closest("#panel-all-timeline")) return;
    document.removeEventListener("htmx:afterSettle", sentinel);
    frame.contentWindow.postMessage("sentinel", "*");
    resolve(true);
  });
  document.querySelector("#panel-all-timeline .filter-bar a:not(.active)").click();
})`, nil)
	got := frameText(t, b, "frame-sdk-app", "sentinel")
	if strings.Contains(got, "panelRefreshed") || strings.Contains(got, "atrium") {
		t.Errorf("a frame on another origin heard the page's event:\n%s", got)
	}
}
