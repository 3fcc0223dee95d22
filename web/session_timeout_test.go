package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/bus"
)

// timedPortal is a portal whose sessions run on a clock the test moves,
// with an idle timeout of 30 minutes and a lifetime of ttl, and whose
// announcements of ended sessions the test hears on the bus.
func timedPortal(t *testing.T, ttl time.Duration) (*portal, *testClock, <-chan bus.Message) {
	t.Helper()
	clock := newTestClock()
	local := bus.NewLocal()
	other := local.Join()
	ended, cancel := other.Subscribe(bus.SessionEnded)
	t.Cleanup(func() { cancel(); other.Close(); local.Close() })
	p, _ := startPortal(t, portalSetup{manager: func(mc *auth.ManagerConfig) {
		mc.Now, mc.Bus = clock.Now, local
		mc.TTL, mc.IdleTimeout, mc.Activity = ttl, 30*time.Minute, mc.Store.(auth.SessionActivity)
	}})
	return p, clock, ended
}

// htmxSearch asks for search results as htmx does from the page at page.
func (p *portal) htmxSearch(t *testing.T, page string) *http.Response {
	t.Helper()
	resp, _ := p.get(t, p.url+"/search?q=globex", "HX-Request", "true", "HX-Current-URL", p.url+page)
	return resp
}

// endedThenBack checks that an htmx request from page now finds the session
// ended (401 with HX-Redirect to sign in, back to page), that the end was
// announced on the bus, and that signing in again lands on page.
func endedThenBack(t *testing.T, p *portal, ended <-chan bus.Message, page string) {
	t.Helper()
	resp := p.htmxSearch(t, page)
	want := "/auth/login?return_to=%2Fcustomers%2FC1%3Ftab%3Dbilling"
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != want {
		t.Fatalf("htmx request: %d, HX-Redirect %q; want 401 and %q", resp.StatusCode, resp.Header.Get("HX-Redirect"), want)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the end of the session was not announced on the bus")
	}
	resp, _ = p.login(t, resp.Header.Get("HX-Redirect"), "dave", "demo-dave")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.RequestURI() != page {
		t.Fatalf("after signing in again: %d at %s, want %s", resp.StatusCode, resp.Request.URL.RequestURI(), page)
	}
}

// A session in use lives on; one unused for the idle timeout ends.
func TestIdleSessionEnds(t *testing.T) {
	p, clock, ended := timedPortal(t, 12*time.Hour)
	const page = "/customers/C1?tab=billing"
	p.login(t, page, "dave", "demo-dave")
	for range 3 { // 87 minutes in use: past the idle timeout thrice
		clock.add(29 * time.Minute)
		if resp := p.htmxSearch(t, page); resp.StatusCode != http.StatusOK {
			t.Fatalf("a session in use every 29 minutes ended (%d)", resp.StatusCode)
		}
	}
	clock.add(31 * time.Minute)
	endedThenBack(t, p, ended, page)
}

// A session ends at its lifetime however busy it is.
func TestSessionEndsAtItsLifetime(t *testing.T) {
	p, clock, ended := timedPortal(t, time.Hour)
	const page = "/customers/C1?tab=billing"
	p.login(t, page, "dave", "demo-dave")
	for range 3 {
		clock.add(19 * time.Minute)
		if resp := p.htmxSearch(t, page); resp.StatusCode != http.StatusOK {
			t.Fatalf("a session in use ended before its lifetime (%d)", resp.StatusCode)
		}
	}
	clock.add(4 * time.Minute) // 61 minutes after signing in, 4 after its last use
	endedThenBack(t, p, ended, page)
}
