package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/store"
)

// pendingLogin reads the pending login a /auth/login answer stored, by the
// state in its redirect and the browser's login cookie.
func (p *portal) pendingLogin(t *testing.T, resp *http.Response, now time.Time) (store.Login, error) {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") == "" {
		t.Fatalf("no redirect to the provider: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	u, _ := url.Parse(p.url + "/auth/")
	for _, c := range p.client.Jar.Cookies(u) {
		if c.Name == auth.LoginCookie {
			return p.store.TakeLogin(context.Background(), loc.Query().Get("state"), store.Hash(c.Value), now)
		}
	}
	t.Fatal("no login cookie")
	return store.Login{}, nil
}

// A return path longer than 2 KB is not stored: the pending login keeps "/".
func TestLongReturnToIsNotStored(t *testing.T) {
	p, _ := startPortal(t, portalSetup{})
	fits := "/customers/C1?pad=" + strings.Repeat("x", auth.MaxReturnTo-len("/customers/C1?pad="))
	for target, want := range map[string]string{
		fits:       fits,
		fits + "x": "/",
		"/customers/C1?pad=" + strings.Repeat("x", 500<<10): "/",
	} {
		resp, _ := p.get(t, p.url+"/auth/login?return_to="+url.QueryEscape(target))
		l, err := p.pendingLogin(t, resp, time.Now())
		if err != nil || l.ReturnTo != want {
			t.Errorf("return_to of %d bytes stored as %d bytes (%v), want %d", len(target), len(l.ReturnTo), err, len(want))
		}
	}
}

// Sign-in starts and callbacks are limited per client address (the direct
// peer, whatever a forwarding header says): beyond the burst, 429 with
// Retry-After and a page saying when to try again; other addresses are not
// affected, and the address may start again once a token has come back.
func TestSignInsAreRateLimitedPerAddress(t *testing.T) {
	clock := newTestClock()
	p, _ := startPortal(t, portalSetup{manager: func(c *auth.ManagerConfig) {
		c.Now, c.SignInRate, c.SignInBurst = clock.Now, 10, 3
	}})
	start := func(q *portal, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, p.url+path, nil)
		req.Header.Set("X-Forwarded-For", "203.0.113.9") // never taken for the client address
		return q.do(t, req)
	}
	for i := range 3 {
		if resp, _ := start(p, "/auth/login"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %d within the burst: %d", i+1, resp.StatusCode)
		}
	}
	for _, path := range []string{"/auth/login?return_to=/customers/C1", "/auth/callback?state=x&code=y"} {
		resp, body := start(p, path)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "6" ||
			!strings.Contains(body, "Too many sign-in attempts") || !strings.Contains(body, "Try again in 6 seconds") {
			t.Fatalf("%s beyond the burst: %d Retry-After %q\n%s", path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	if resp, _ := start(p.on(browserFrom("127.0.0.2")), "/auth/login"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another address was limited too: %d", resp.StatusCode)
	}
	clock.add(6 * time.Second)
	if resp, _ := start(p, "/auth/login"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after Retry-After: %d", resp.StatusCode)
	}
	if resp, _ := start(p, "/auth/login"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("one token came back, two were used: %d", resp.StatusCode)
	}
}

// One client address has a bounded number of sign-ins in progress, however
// many browsers it uses: more are refused until the oldest expires.
func TestSignInsInProgressAreBoundedPerAddress(t *testing.T) {
	clock := newTestClock()
	p, _ := startPortal(t, portalSetup{manager: func(c *auth.ManagerConfig) {
		c.Now, c.SignInBurst, c.PendingPerClient = clock.Now, 100, 3
	}})
	fresh := func(ip string) *http.Response {
		resp, _ := p.on(browserFrom(ip)).get(t, p.url+"/auth/login")
		return resp
	}
	for i := range 3 {
		if resp := fresh("127.0.0.1"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %d: %d", i+1, resp.StatusCode)
		}
		clock.add(time.Minute)
	}
	resp, body := p.on(browserFrom("127.0.0.1")).get(t, p.url+"/auth/login")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "420" || !strings.Contains(body, "Try again in 7 minutes") {
		t.Fatalf("a fourth sign-in in progress: %d Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp := fresh("127.0.0.2"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another address was refused: %d", resp.StatusCode)
	}
	clock.add(7 * time.Minute) // the first has expired
	if resp := fresh("127.0.0.1"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the oldest expired: %d", resp.StatusCode)
	}
}

// A browser that starts signing in from several tabs can finish in any of
// them; it keeps only its newest few sign-ins in progress.
func TestABrowserKeepsItsNewestSignIns(t *testing.T) {
	p, _ := startPortal(t, portalSetup{manager: func(c *auth.ManagerConfig) { c.PendingPerBrowser = 2 }})
	var callbacks []string
	for _, tab := range []string{"/customers/C1", "/search?q=a", "/customers/C1/timeline"} {
		callbacks = append(callbacks, p.providerCallback(t, "/auth/login?return_to="+url.QueryEscape(tab), "alice", "demo-alice"))
	}
	if resp, body := p.get(t, callbacks[0]); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Sign-in expired") {
		t.Errorf("the oldest tab's sign-in was kept: %d", resp.StatusCode)
	}
	for i, want := range []string{"/search?q=a", "/customers/C1/timeline"} {
		if resp, _ := p.get(t, callbacks[i+1]); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("tab %d: %d to %q, want %s", i+2, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}
