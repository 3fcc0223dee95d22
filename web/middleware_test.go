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
		"X-Auth-Request-Email", "X-Remote-User", "Remote-User", "X-Atrium-User", "x-atrium-groups", "X-Webauth-User"}
	for _, h := range forged {
		req.Header.Set(h, "admin")
	}
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	req.Header.Set("Accept", "text/html")
	var seen http.Header
	h := stripIdentityHeaders(func(c echo.Context) error {
		seen = c.Request().Header.Clone()
		return nil
	})
	if err := h(e.NewContext(req, httptest.NewRecorder())); err != nil {
		t.Fatal(err)
	}
	for _, name := range forged {
		if v := seen.Get(name); v != "" {
			t.Errorf("%s reached the handler: %q", name, v)
		}
	}
	if seen.Get("Accept") == "" || seen.Get("X-Forwarded-For") == "" {
		t.Error("ordinary headers were stripped too")
	}
}
