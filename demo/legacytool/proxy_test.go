package legacytool_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/legacy"
)

// behindProxy serves the tool's /app/ through Atrium's proxy, where the
// cookie "atrium_session=ok" signs Grace in.
func behindProxy(t *testing.T) *httptest.Server {
	t.Helper()
	tool := startTool(t)
	identify := func(r *http.Request) (legacy.User, bool) {
		c, err := r.Cookie("atrium_session")
		return grace, err == nil && c.Value == "ok"
	}
	p, err := legacy.NewProxy([]legacy.Tool{{ID: "legacy", Title: "Legacy tool", Mode: legacy.ModeProxy,
		Upstream: tool.URL, Secret: assertionSecret, URL: "app/?customer={{.Customer}}"}},
		identify, legacy.ProxyOptions{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(p.CloseIdleConnections)
	return srv
}

func session(more ...string) http.Header {
	return http.Header{"Cookie": {strings.Join(append([]string{"atrium_session=ok"}, more...), "; ")}}
}

// The tool refuses framing and knows nothing of /tools/legacy/; through the
// proxy it is framable by Atrium alone and stays under its prefix.
func TestAppThroughTheProxy(t *testing.T) {
	srv := behindProxy(t)
	p := get(t, srv.URL+"/tools/legacy/app/?customer=cust-7", session())
	checkPage(t, p, http.StatusOK, "grace@example.com", "Grace Hopper", "cust-7", "<th scope=\"row\">Visits</th><td>1</td>")
	if xfo := p.header.Values("X-Frame-Options"); len(xfo) != 0 {
		t.Errorf("X-Frame-Options %q", xfo)
	}
	for _, csp := range p.header.Values("Content-Security-Policy") {
		if strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("the tool's frame-ancestors kept: %q", csp)
		}
	}
	if cookie := p.header.Get("Set-Cookie"); !strings.HasPrefix(cookie, "legacy_visits=1; Path=/tools/legacy/;") {
		t.Errorf("Set-Cookie %q", cookie)
	}

	again := get(t, srv.URL+"/tools/legacy/app/", session("legacy_visits=1"))
	checkPage(t, again, http.StatusOK, "<th scope=\"row\">Visits</th><td>2</td>")

	redirect := get(t, srv.URL+"/tools/legacy/app/go?customer=cust-7", session())
	if redirect.status != http.StatusFound || redirect.header.Get("Location") != "/tools/legacy/app/customer?customer=cust-7" {
		t.Errorf("go: %d to %q", redirect.status, redirect.header.Get("Location"))
	}
	checkPage(t, get(t, srv.URL+redirect.header.Get("Location"), session()), http.StatusOK, "Customer record", "cust-7")

	ws, err := dialEcho(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/tools/legacy/app/ws", srv.URL, session())
	if err != nil {
		t.Fatal(err)
	}
	echoes(t, ws)
}

// Forged identity headers do not get past the proxy, and the tool does not
// take them alone either.
func TestAppForgedIdentity(t *testing.T) {
	srv := behindProxy(t)
	forged := session()
	forged.Set("X-Atrium-Assertion", "forged")
	forged.Set("X-Forwarded-Email", "mallory@example.com")
	p := get(t, srv.URL+"/tools/legacy/app/", forged)
	checkPage(t, p, http.StatusOK, "grace@example.com")
	if strings.Contains(p.body, "mallory") {
		t.Error("a forged identity reached the page")
	}
	direct := get(t, startTool(t).URL+"/app/", http.Header{"X-Forwarded-Email": {"mallory@example.com"}})
	if direct.status != http.StatusForbidden {
		t.Errorf("the tool took plain headers as identity: %d", direct.status)
	}
}
