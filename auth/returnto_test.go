package auth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSafeReturnTo(t *testing.T) {
	for in, want := range map[string]string{
		"/customers/001?tab=cases":               "/customers/001?tab=cases",
		"/":                                      "/",
		"":                                       "/",
		"https://evil.example/":                  "/",
		"//evil.example/x":                       "/",
		"/\\evil.example":                        "/",
		"\\\\evil.example":                       "/",
		"javascript:alert(1)":                    "/",
		"customers":                              "/",
		"/auth/login?return_to=/x":               "/",
		"/%0d%0aSet-Cookie:x":                    "/%0d%0aSet-Cookie:x",
		"/a\r\nLocation: x":                      "/",
		"/" + strings.Repeat("a", MaxReturnTo-1): "/" + strings.Repeat("a", MaxReturnTo-1),
		"/" + strings.Repeat("a", MaxReturnTo):   "/",
		// Within the limit as sent, beyond it once escaped.
		"/" + strings.Repeat("é", MaxReturnTo/3): "/",
	} {
		if got := SafeReturnTo(in); got != want {
			t.Errorf("SafeReturnTo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckCSRF(t *testing.T) {
	s := Session{CSRFToken: "tok"}
	cases := []struct {
		name   string
		header map[string]string
		form   string
		ok     bool
	}{
		{"header token", map[string]string{"X-CSRF-Token": "tok"}, "", true},
		{"form token", nil, "_csrf=tok", true},
		{"missing", nil, "", false},
		{"wrong", nil, "_csrf=tok2", false},
		{"cross-site even with token", map[string]string{"X-CSRF-Token": "tok", "Sec-Fetch-Site": "cross-site"}, "", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/auth/logout", strings.NewReader(c.form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		if err := CheckCSRF(r, s); (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	if err := CheckCSRF(httptest.NewRequest("POST", "/", nil), Session{}); err == nil {
		t.Error("an empty session token matched an empty request token")
	}
}
