package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/internal/idheader"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/web"
)

// forgedHeaders returns one forged header for every identity header name
// and one for every prefix (with a suffix), the names in mixed case, each
// with its own value; and the tool's own strip_headers.
func forgedHeaders(toolStrips ...string) http.Header {
	h := http.Header{}
	n := 0
	add := func(name string) {
		n++
		// Set as written: a client may send any case.
		h[mixedCase(name)] = []string{fmt.Sprintf("forged-%d", n)}
	}
	for _, name := range idheader.Names {
		add(name)
	}
	for _, p := range idheader.Prefixes {
		add(p + "User")
	}
	for _, name := range toolStrips {
		add(name)
	}
	return h
}

// mixedCase alternates the case of the letters of s: x-FoRwArDeD-...
func mixedCase(s string) string {
	b := []rune(s)
	for i, r := range b {
		if i%2 == 0 {
			b[i] = unicode.ToLower(r)
		} else {
			b[i] = unicode.ToUpper(r)
		}
	}
	return string(b)
}

// forgedIn lists the headers of h that carry one of the forged values.
func forgedIn(h http.Header) []string {
	var got []string
	for name, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, "forged-") {
				got = append(got, name+": "+v)
			}
		}
	}
	return got
}

// headerEcho is a proxied tool that remembers the headers of every request.
type headerEcho struct {
	mu   sync.Mutex
	seen []http.Header
}

func (h *headerEcho) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Clone())
	h.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("tool saw the request"))
}

func (h *headerEcho) requests() []http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]http.Header(nil), h.seen...)
}

// No identity header a client forges reaches Atrium's own handlers, nor a
// proxied tool (on both of the proxy's lanes), nor does a header the tool
// asks to strip.
func TestForgedIdentityHeadersReachNoHandler(t *testing.T) {
	tool := &headerEcho{}
	up := httptest.NewServer(tool)
	defer up.Close()
	const toolStrips = "X-Legacy-User"
	var ownSaw http.Header
	p, _ := startPortal(t, portalSetup{
		deps: func(d *web.Deps) {
			d.Tools = []legacy.Tool{{ID: "echo", Title: "Echo", Mode: legacy.ModeProxy, Upstream: up.URL, URL: "app/",
				Secret: []byte(secret), StripHeaders: []string{toolStrips}}}
		},
		// A route of Atrium's own, behind the whole chain, that shows what
		// a handler gets.
		routes: func(e *echo.Echo) {
			e.GET("/test/headers", func(c echo.Context) error {
				ownSaw = c.Request().Header.Clone()
				return c.NoContent(http.StatusNoContent)
			})
		},
	})
	if n := len(forgedHeaders(toolStrips)); n != len(idheader.Names)+len(idheader.Prefixes)+1 {
		t.Fatalf("%d forged headers: two names collided", n)
	}
	send := func(method, path string, forged http.Header) *http.Response {
		t.Helper()
		var body *strings.Reader
		if method == http.MethodPost {
			body = strings.NewReader("a=b")
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, p.url+path, body)
		if method != http.MethodPost {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		for name, v := range forged {
			req.Header[name] = v
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, _ := p.do(t, req)
		return resp
	}

	t.Run("own handlers", func(t *testing.T) {
		if resp := send(http.MethodGet, "/test/headers", forgedHeaders()); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if ownSaw == nil {
			t.Fatal("the route did not run")
		}
		if got := forgedIn(ownSaw); len(got) != 0 {
			b, _ := json.MarshalIndent(got, "", " ")
			t.Errorf("forged headers reached Atrium's handler:\n%s", b)
		}
		if ownSaw.Get("Content-Type") == "" {
			t.Error("an ordinary header did not reach the handler")
		}
	})

	t.Run("proxied tool", func(t *testing.T) {
		p.login(t, "/", "alice", "demo-alice")
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			before := len(tool.requests())
			resp := send(method, "/tools/echo/app/", forgedHeaders(toolStrips))
			reqs := tool.requests()
			if resp.StatusCode != http.StatusOK || len(reqs) != before+1 {
				t.Fatalf("%s: status %d, %d requests reached the tool", method, resp.StatusCode, len(reqs)-before)
			}
			seen := reqs[len(reqs)-1]
			if got := forgedIn(seen); len(got) != 0 {
				t.Errorf("%s: forged headers reached the tool: %q", method, got)
			}
			if seen.Get("X-Forwarded-Email") != "alice@example.com" {
				t.Errorf("%s: the tool was not told who the user is: %v", method, seen)
			}
		}
	})
}
