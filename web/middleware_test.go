package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestIdentityHeadersAreStripped(t *testing.T) {
	e := echo.New()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	forged := []string{"X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups", "X-Forwarded-Preferred-Username",
		"X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Auth-Request-Email", "X-Remote-User", "Remote-User",
		"X-Atrium-User", "x-atrium-groups", "X-Webauth-User"}
	for _, h := range forged {
		req.Header[h] = []string{"admin"} // as sent, in the case given
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	var seen http.Header
	h := stripIdentityHeaders(func(c echo.Context) error {
		seen = c.Request().Header.Clone()
		return nil
	})
	if err := h(e.NewContext(req, httptest.NewRecorder())); err != nil {
		t.Fatal(err)
	}
	for name, v := range seen {
		for _, f := range forged {
			if http.CanonicalHeaderKey(f) == http.CanonicalHeaderKey(name) {
				t.Errorf("%s reached the handler: %q", name, v)
			}
		}
	}
	if seen.Get("Accept") == "" || seen.Get("X-Requested-With") == "" {
		t.Error("ordinary headers were stripped too")
	}
}

// Stripping runs on every request: it must not allocate.
func TestStripIdentityHeadersAllocatesNothing(t *testing.T) {
	e := echo.New()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Cookie", "a=b")
	req.Header.Set("User-Agent", "test")
	c := e.NewContext(req, httptest.NewRecorder())
	h := stripIdentityHeaders(func(echo.Context) error { return nil })
	if n := testing.AllocsPerRun(100, func() {
		req.Header["X-Forwarded-User"] = nil // restored without allocating: the map has room
		_ = h(c)
	}); n != 0 {
		t.Errorf("%v allocations per request", n)
	}
}
