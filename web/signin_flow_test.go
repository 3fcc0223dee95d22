package web_test

import (
	"context"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// browserFrom is a browser whose connections come from the loopback address
// ip (127.0.0.0/8 is all loopback), for limits by client address.
func browserFrom(ip string) *http.Client {
	c := newBrowser()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.Transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	return c
}

// on returns the portal as browser b sees it.
func (p *portal) on(b *http.Client) *portal {
	q := *p
	q.client = b
	return &q
}

// providerCallback starts signing in at loginPath, signs in at the identity
// provider as user and returns the callback address the provider sends the
// browser to, without following it.
func (p *portal) providerCallback(t *testing.T, loginPath, user, password string) string {
	t.Helper()
	resp, body := p.get(t, p.url+loginPath)
	for resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		resp, body = p.get(t, abs(resp.Request.URL.String(), resp.Header.Get("Location")))
	}
	m, id := formAction.FindStringSubmatch(body), authReqID.FindStringSubmatch(body)
	if m == nil || id == nil {
		t.Fatalf("no login form at %s (%d):\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	form := url.Values{"authRequestID": {id[1]}, "username": {user}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, abs(resp.Request.URL.String(), html.UnescapeString(m[1])), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.issuer)
	resp, _ = p.do(t, req)
	for resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		loc := abs(resp.Request.URL.String(), resp.Header.Get("Location"))
		if strings.HasPrefix(loc, p.url+"/auth/callback?") {
			return loc
		}
		resp, _ = p.get(t, loc)
	}
	t.Fatalf("the provider did not send the browser back: %d at %s", resp.StatusCode, resp.Request.URL)
	return ""
}

// signedIn reports whether the browser has a session.
func (p *portal) signedIn(t *testing.T) bool {
	t.Helper()
	resp, _ := p.get(t, p.url+"/search?q=globex")
	return resp.StatusCode == http.StatusOK
}

// withParam returns u with its query parameter name set to value.
func withParam(u, name, value string) string {
	p, _ := url.Parse(u)
	q := p.Query()
	q.Set(name, value)
	p.RawQuery = q.Encode()
	return p.String()
}
