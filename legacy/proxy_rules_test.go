package legacy_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/websocket"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/legacy"
)

// rawAnswer sends method and target as written, with the header lines
// given, and returns the status and body of the answer.
func rawAnswer(t *testing.T, addr, method, target string, header ...string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nConnection: close\r\n", method, target, addr, auth.SessionCookie, sessionValue)
	for _, h := range header {
		fmt.Fprintf(conn, "%s\r\n", h)
	}
	fmt.Fprint(conn, "\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Paths that some server behind a proxy reads as another path than the
// proxy does are refused, with the reason, before they reach the tool.
func TestProxyRefusesPathTricks(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	addr := srv.Listener.Addr().String()
	for _, tc := range []struct{ path, why string }{
		// ; path parameters, plain or encoded
		{"/tools/legacy/app/..;/admin", "a ;"},
		{"/tools/legacy/app;jsessionid=x", "a ;"},
		{"/tools/legacy/app/;/x", "a ;"},
		{"/tools/legacy/app%3b/x", "a ;"},
		{"/tools/legacy/app/..%3B/admin", "a ;"},
		// segments made only of dots, or of dots and spaces
		{"/tools/legacy/.../x", "dots"},
		{"/tools/legacy/..../x", "dots"},
		{"/tools/legacy/app/%2e%2e%2e/x", "dots"},
		{"/tools/legacy/app/..%20/x", "dots"},
		{"/tools/legacy/app/.%20./x", "dots"},
		{"/tools/legacy/app/%20/x", "spaces"},
		// bytes that are not UTF-8: overlong forms of . / \, and others
		{"/tools/legacy/%c0%ae%c0%ae/x", "UTF-8"},
		{"/tools/legacy/%e0%80%ae%e0%80%ae/x", "UTF-8"},
		{"/tools/legacy/app%c0%afx", "UTF-8"},
		{"/tools/legacy/app%c1%9cx", "UTF-8"},
		{"/tools/legacy/app%f0%80%80%afx", "UTF-8"},
		{"/tools/legacy/app%ed%a0%80x", "UTF-8"},
		{"/tools/legacy/app%ffx", "UTF-8"},
		{"/tools/legacy/\xc0\xae\xc0\xae/x", "UTF-8"},
		// separators inside a segment
		{"/tools/legacy/app%2f..%2fx", "slash"},
		{"/tools/legacy/app%5c..%5cx", "slash"},
		{`/tools/legacy/app\x`, "slash"},
		// characters that normalize to . / \ ; %
		{"/tools/legacy/%ef%bc%8e%ef%bc%8e/x", "normalizes"}, // ．．
		{"/tools/legacy/app%ef%bc%8fx", "normalizes"},        // ／
		{"/tools/legacy/app%e2%88%95x", "normalizes"},        // ∕
		{"/tools/legacy/app%ef%bc%bcx", "normalizes"},        // ＼
		{"/tools/legacy/%e2%80%a5/x", "normalizes"},          // ‥
		{"/tools/legacy/app%ef%bc%9bx", "normalizes"},        // ；
		{"/tools/legacy/app%ef%bc%85%32%65", "normalizes"},   // ％2e
		// control characters and double encoding
		{"/tools/legacy/app%0ax", "control"},
		{"/tools/legacy/app%0d%0aSet-Cookie:x", "control"},
		{"/tools/legacy/app%7fx", "control"},
		{"/tools/legacy/app%252e%252e/x", "%25"},
	} {
		status, body := rawAnswer(t, addr, "GET", tc.path)
		if status != http.StatusBadRequest || !strings.Contains(body, tc.why) || !strings.Contains(body, "Open the tool from its panel") {
			t.Errorf("%q: %d %q, want 400 naming %q", tc.path, status, body, tc.why)
		}
	}
	if seen := up.seen(); len(seen) != 0 {
		t.Errorf("a refused path reached the tool: %s", seen[0].URL)
	}
	for _, path := range []string{"/tools/legacy/app/caf%C3%A9/r%C3%A9sum%C3%A9.pdf", "/tools/legacy/app/%E2%9C%93",
		"/tools/legacy/app/a..b/c./...x", "/tools/legacy/app/v1.2/", "/tools/legacy/app/x?next=../..;/%c0%ae"} {
		if status, body := rawAnswer(t, addr, "GET", path); status != http.StatusOK {
			t.Errorf("%q: %d %q, want 200", path, status, body)
		}
	}
}

// Methods beyond GET, HEAD, OPTIONS, POST, PUT, PATCH and DELETE reach a
// tool only when its configuration lists them.
func TestProxyMethodAllowlist(t *testing.T) {
	up := startUpstream(t)
	plain := proxiedTool(up)
	dav := proxiedTool(up)
	dav.ID, dav.Methods = "dav", []string{"PROPFIND", "MKCOL"}
	srv := startProxy(t, plain, dav)
	addr := srv.Listener.Addr().String()
	for _, tc := range []struct {
		method, tool string
		status       int
	}{
		{"GET", "legacy", 200}, {"HEAD", "legacy", 200}, {"OPTIONS", "legacy", 200}, {"POST", "legacy", 200},
		{"PUT", "legacy", 200}, {"PATCH", "legacy", 200}, {"DELETE", "legacy", 200},
		{"TRACE", "legacy", 405}, {"CONNECT", "legacy", 405}, {"PROPFIND", "legacy", 405}, {"MKCOL", "legacy", 405},
		{"MOVE", "legacy", 405}, {"BREW", "legacy", 405},
		{"PROPFIND", "dav", 200}, {"MKCOL", "dav", 200}, {"propfind", "dav", 405}, {"TRACE", "dav", 405}, {"COPY", "dav", 405},
	} {
		before := len(up.seen())
		status, body := rawAnswer(t, addr, tc.method, "/tools/"+tc.tool+"/app/", "Content-Length: 0")
		if status != tc.status {
			t.Errorf("%s to %s: %d %q, want %d", tc.method, tc.tool, status, body, tc.status)
			continue
		}
		reached := len(up.seen()) > before
		if reached != (status == 200) {
			t.Errorf("%s to %s: reached the tool %v", tc.method, tc.tool, reached)
		}
		if status == 405 && !strings.Contains(body, "does not take "+tc.method) {
			t.Errorf("%s to %s: page %q does not say why", tc.method, tc.tool, body)
		}
	}
	resp := do(t, "TRACE", srv.URL+"/tools/dav/app/", signedIn())
	if allow := resp.Header.Get("Allow"); allow != "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE, PROPFIND, MKCOL" {
		t.Errorf("Allow %q", allow)
	}
}

const publicURL = "https://atrium.example.com"

// Requests that change things, and WebSocket handshakes, pass only from
// Atrium's own origin, or from no browser at all; reading passes from
// anywhere.
func TestProxyUnsafeRequestsOnlyFromAtriumsOrigin(t *testing.T) {
	up := startUpstream(t)
	dav := proxiedTool(up)
	dav.Methods = []string{"PROPFIND"}
	srv := startProxyWith(t, legacy.ProxyOptions{PublicURL: publicURL + "/"}, dav)
	addr := srv.Listener.Addr().String()
	ok, refused := http.StatusOK, http.StatusForbidden
	for _, tc := range []struct {
		name, method string
		header       []string
		status       int
	}{
		{"a form of the tool's own page", "POST", []string{"Sec-Fetch-Site: same-origin", "Origin: " + publicURL}, ok},
		{"same-origin, Origin not sent", "POST", []string{"Sec-Fetch-Site: same-origin"}, ok},
		{"another origin of the site", "POST", []string{"Sec-Fetch-Site: same-site", "Origin: https://wiki.example.com"}, refused},
		{"another site", "POST", []string{"Sec-Fetch-Site: cross-site", "Origin: https://evil.example"}, refused},
		{"no initiator", "POST", []string{"Sec-Fetch-Site: none"}, refused},
		{"a frame without allow-same-origin", "POST", []string{"Sec-Fetch-Site: cross-site", "Origin: null"}, refused},
		{"Sec-Fetch-Site decides over Origin", "POST", []string{"Sec-Fetch-Site: same-site", "Origin: " + publicURL}, refused},
		{"older browser, Atrium's origin", "POST", []string{"Origin: " + publicURL}, ok},
		{"older browser, origin in capitals", "POST", []string{"Origin: https://ATRIUM.example.com"}, ok},
		{"older browser, plain http", "POST", []string{"Origin: http://atrium.example.com"}, refused},
		{"older browser, another port", "POST", []string{"Origin: https://atrium.example.com:8443"}, refused},
		{"older browser, another origin", "POST", []string{"Origin: https://wiki.example.com"}, refused},
		{"older browser, opaque origin", "POST", []string{"Origin: null"}, refused},
		{"older browser, the request's own host", "POST", []string{"Origin: http://" + addr}, refused},
		{"no browser", "POST", nil, ok},
		{"PUT from another site", "PUT", []string{"Sec-Fetch-Site: cross-site"}, refused},
		{"PATCH from another site", "PATCH", []string{"Origin: https://evil.example"}, refused},
		{"DELETE from another site", "DELETE", []string{"Sec-Fetch-Site: same-site"}, refused},
		{"DELETE of the tool's page", "DELETE", []string{"Sec-Fetch-Site: same-origin"}, ok},
		{"a configured method from another site", "PROPFIND", []string{"Sec-Fetch-Site: cross-site"}, refused},
		{"a configured method of the tool's page", "PROPFIND", []string{"Sec-Fetch-Site: same-origin"}, ok},
		{"a link from another site", "GET", []string{"Sec-Fetch-Site: cross-site", "Origin: https://evil.example"}, ok},
		{"a preflight from another site", "OPTIONS", []string{"Sec-Fetch-Site: cross-site", "Origin: https://evil.example"}, ok},
		{"a WebSocket from another origin of the site", "GET", []string{"Connection: Upgrade", "Upgrade: websocket", "Sec-Fetch-Site: same-site"}, refused},
		{"a WebSocket from a frame without allow-same-origin", "GET", []string{"Connection: Upgrade", "Upgrade: websocket", "Origin: null"}, refused},
	} {
		before := len(up.seen())
		status, body := rawAnswer(t, addr, tc.method, "/tools/legacy/app/", append([]string{"Content-Length: 0"}, tc.header...)...)
		if status != tc.status {
			t.Errorf("%s (%s): %d %q, want %d", tc.name, tc.method, status, body, tc.status)
			continue
		}
		if reached := len(up.seen()) > before; reached != (status == ok) {
			t.Errorf("%s: reached the tool %v", tc.name, reached)
		}
		if status == refused && !strings.Contains(body, "comes from a page outside Atrium") {
			t.Errorf("%s: page %q does not say why", tc.name, body)
		}
	}
}

// Without a public URL, an Origin is compared with the request's host.
func TestProxyUnsafeRequestsWithoutPublicURL(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	addr := srv.Listener.Addr().String()
	for origin, want := range map[string]int{"http://" + addr: 200, "http://evil.example": 403, "null": 403} {
		if status, body := rawAnswer(t, addr, "POST", "/tools/legacy/app/", "Content-Length: 0", "Origin: "+origin); status != want {
			t.Errorf("Origin %s: %d %q, want %d", origin, status, body, want)
		}
	}
	cfg, _ := websocket.NewConfig("ws://"+addr+"/tools/legacy/ws", "null")
	cfg.Header = signedIn()
	if _, err := websocket.DialConfig(cfg); err == nil {
		t.Error("a WebSocket from an opaque origin went through")
	}
}

// X-Forwarded-Host and -Proto come from the configured public URL, never
// from the client; X-Forwarded-For is the peer's address alone.
func TestProxyForwardedHostFromConfiguration(t *testing.T) {
	up := startUpstream(t)
	for _, tc := range []struct{ public, host, proto string }{
		{publicURL + "/", "atrium.example.com", "https"},
		{"http://portal.internal:8080/atrium", "portal.internal:8080", "http"},
		{"", "", ""},
	} {
		srv := startProxyWith(t, legacy.ProxyOptions{PublicURL: tc.public}, proxiedTool(up))
		status, _ := rawAnswer(t, srv.Listener.Addr().String(), "GET", "/tools/legacy/app/",
			"X-Forwarded-Host: evil.example", "X-Forwarded-Proto: http", "X-Forwarded-For: 10.6.6.6", "Forwarded: host=evil.example")
		if status != http.StatusOK {
			t.Fatalf("%q: status %d", tc.public, status)
		}
		h := up.last(t).Header
		if got := h.Values("X-Forwarded-Host"); strings.Join(got, ",") != tc.host {
			t.Errorf("%q: X-Forwarded-Host %q, want %q", tc.public, got, tc.host)
		}
		if got := h.Values("X-Forwarded-Proto"); strings.Join(got, ",") != tc.proto {
			t.Errorf("%q: X-Forwarded-Proto %q, want %q", tc.public, got, tc.proto)
		}
		if got := h.Values("X-Forwarded-For"); len(got) != 1 || got[0] != "127.0.0.1" {
			t.Errorf("%q: X-Forwarded-For %q, want the peer's address", tc.public, got)
		}
		if got := h.Values("Forwarded"); len(got) != 0 {
			t.Errorf("%q: Forwarded %q reached the tool", tc.public, got)
		}
	}
	for _, bad := range []string{"atrium.example.com", "ftp://atrium.example.com", "https://"} {
		if _, err := legacy.NewProxy(nil, identify, legacy.ProxyOptions{PublicURL: bad}); err == nil {
			t.Errorf("PublicURL %q accepted", bad)
		}
	}
}
