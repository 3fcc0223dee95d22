package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/web"
)

// Atrium answers only for its public host and the configured extra hosts;
// any other Host gets 421 with a short page, except health and readiness,
// which load balancers probe by address.
func TestOnlyConfiguredHostsAreAnswered(t *testing.T) {
	p, _ := startPortal(t, portalSetup{deps: func(d *web.Deps) {
		d.AllowedHosts = []string{"Atrium.Internal:8443", "atrium.example.com"}
	}})
	public, _ := url.Parse(p.url)
	get := func(host, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, p.url+path, nil)
		req.Host = host
		return p.do(t, req)
	}

	for _, host := range []string{"evil.example", "atrium.internal", "atrium.internal:9443", "127.0.0.2:" + public.Port()} {
		for _, path := range []string{"/", "/auth/login", "/auth/callback?state=x&code=y", "/tools/x/", "/customers/C1", "/favicon.ico"} {
			resp, body := get(host, path)
			if resp.StatusCode != http.StatusMisdirectedRequest || !strings.Contains(body, "Wrong address") {
				t.Errorf("Host %q %s: %d, want 421 and a page saying so", host, path, resp.StatusCode)
			}
			if c := resp.Header.Values("Set-Cookie"); len(c) != 0 {
				t.Errorf("Host %q %s set cookies: %q", host, path, c)
			}
		}
	}
	for _, host := range []string{public.Host, strings.ToUpper(public.Host), "atrium.internal:8443", "ATRIUM.example.com", "atrium.example.com:443", "atrium.example.com:80"} {
		if resp, _ := get(host, "/"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("Host %q: %d, want the redirect to sign in", host, resp.StatusCode)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if resp, _ := get("10.1.2.3:8080", path); resp.StatusCode != http.StatusOK {
			t.Errorf("%s by address: %d, want 200", path, resp.StatusCode)
		}
	}
}
