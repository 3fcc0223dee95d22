package legacy_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/atrium-dev/atrium/auth"
)

// rawRequest sends a request line as written, with no client in between to
// clean the path.
func rawRequest(t *testing.T, srv *httptest.Server, target string) int {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nConnection: close\r\n\r\n",
		target, srv.Listener.Addr(), auth.SessionCookie, sessionValue)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestProxyRefusesEscapingPaths(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	for _, target := range []string{
		"/tools/legacy/../admin", "/tools/legacy/app/../../other/", "/tools/legacy/./app", "/tools/legacy/..",
		"/tools/legacy/%2e%2e/admin", "/tools/legacy/%2E%2e/admin", "/tools/legacy/app/.%2e/x", "/tools/legacy/%2e/x",
		"/tools/legacy/app%2fx", "/tools/legacy/app%2F..%2Fx", "/tools/legacy/app%5cx", "/tools/legacy/app%5C..%5Cx",
		`/tools/legacy/app\..\x`, "/tools/legacy/%252e%252e/x", "/tools/legacy/app%252fx", "/tools/legacy/app%00x",
		"/tools/legacy//evil.example/x", "/tools/../tools/legacy/app/",
	} {
		if got := rawRequest(t, srv, target); got != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, got)
		}
	}
	if seen := up.seen(); len(seen) != 0 {
		t.Errorf("refused paths reached the tool: %s", seen[0].URL)
	}
	if got := rawRequest(t, srv, "/tools/legacy/app/x.y/..z?q=../x"); got != http.StatusOK {
		t.Errorf("a path with dots inside names: status %d", got)
	}
}

func TestProxyWithoutSession(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	nav := do(t, "GET", srv.URL+"/tools/legacy/app/?customer=1", http.Header{
		"Accept": {"text/html,application/xhtml+xml"}, "Sec-Fetch-Mode": {"navigate"}})
	if want := "/auth/login?return_to=" + url.QueryEscape("/tools/legacy/app/?customer=1"); nav.StatusCode != http.StatusSeeOther ||
		nav.Header.Get("Location") != want {
		t.Errorf("navigation: %d to %q, want 303 to %q", nav.StatusCode, nav.Header.Get("Location"), want)
	}
	old := do(t, "GET", srv.URL+"/tools/legacy/app/", http.Header{"Accept": {"text/html"}})
	if old.StatusCode != http.StatusSeeOther {
		t.Errorf("navigation without Sec-Fetch headers: %d", old.StatusCode)
	}
	for name, h := range map[string]http.Header{
		"fetch":            {"Accept": {"text/html"}, "Sec-Fetch-Mode": {"cors"}},
		"JSON":             {"Accept": {"application/json"}},
		"XMLHttpRequest":   {"Accept": {"text/html"}, "X-Requested-With": {"XMLHttpRequest"}},
		"no Accept":        {},
		"forged assertion": {"Accept": {"application/json"}, "X-Atrium-Assertion": {"evil"}, "X-Forwarded-User": {"evil"}},
	} {
		if resp := do(t, "GET", srv.URL+"/tools/legacy/app/", h); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, resp.StatusCode)
		}
	}
	if resp := do(t, "POST", srv.URL+"/tools/legacy/app/", http.Header{"Accept": {"text/html"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("form post: status %d, want 401", resp.StatusCode)
	}
	if seen := up.seen(); len(seen) != 0 {
		t.Errorf("a request without a session reached the tool: %s", seen[0].URL)
	}
}

func TestProxyGroupsAndRoutes(t *testing.T) {
	up := startUpstream(t)
	restricted := proxiedTool(up)
	restricted.Groups = []string{"finance"}
	open := proxiedTool(up)
	open.ID = "open"
	srv := startProxy(t, restricted, open, iframeTool("https://erp.example/"))
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/tools/legacy/app/", http.StatusForbidden},
		{"/tools/open/app/", http.StatusOK},
		{"/tools/open", http.StatusPermanentRedirect},
		{"/tools/erp/", http.StatusNotFound}, // an iframe tool is not proxied
		{"/tools/nope/", http.StatusNotFound},
	} {
		if resp := do(t, "GET", srv.URL+tc.path, signedIn()); resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}
	if n := len(up.seen()); n != 1 {
		t.Errorf("%d requests reached the tool, want 1", n)
	}
}
