package rest

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func mustBase(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTemplateEscapesByPosition(t *testing.T) {
	base := mustBase(t, "https://desk.example.com/api")
	const value = "a b/c?d&e=f"
	tests := []struct {
		template string
		want     string
	}{
		{"/search/{q}", "https://desk.example.com/api/search/a%20b%2Fc%3Fd&e=f"},
		{"/search?requester={q}", "https://desk.example.com/api/search?requester=a+b%2Fc%3Fd%26e%3Df"},
		{"/s/{q}/x?q={q}&n=1", "https://desk.example.com/api/s/a%20b%2Fc%3Fd&e=f/x?q=a+b%2Fc%3Fd%26e%3Df&n=1"},
		{"https://desk.example.com/v2/{q}", "https://desk.example.com/v2/a%20b%2Fc%3Fd&e=f"},
	}
	for _, tt := range tests {
		tpl, msg := parseTemplate(base, tt.template, "q")
		if msg != "" {
			t.Fatalf("parseTemplate(%q): %s", tt.template, msg)
		}
		u, err := tpl.expand(value)
		if err != nil {
			t.Fatalf("expand(%q) in %q: %v", value, tt.template, err)
		}
		if got := u.String(); got != tt.want {
			t.Errorf("expand(%q) in %q = %s, want %s", value, tt.template, got, tt.want)
		}
		if strings.Contains(tt.template, "?requester=") && u.Query().Get("requester") != value {
			t.Errorf("query value = %q, want %q", u.Query().Get("requester"), value)
		}
	}
}

func TestTemplateKeepsTheHost(t *testing.T) {
	base := mustBase(t, "https://desk.example.com")
	hostile := []string{
		"//evil.example/",
		"//evil.example",
		"..%2f..",
		"../../x",
		"@evil.example",
		"x@evil.example:443",
		"https://evil.example/",
		"%2f%2fevil.example",
		"\\\\evil.example",
		"evil.example#",
		"\r\nHost: evil.example",
	}
	for _, template := range []string{"/{q}", "/orgs/{q}", "/orgs/{q}/tickets", "/search?query={q}", "/search?{q}"} {
		tpl, msg := parseTemplate(base, template, "q")
		if msg != "" {
			t.Fatalf("parseTemplate(%q): %s", template, msg)
		}
		for _, v := range hostile {
			u, err := tpl.expand(v)
			if err != nil {
				if !errors.Is(err, errOffBase) {
					t.Errorf("expand(%q) in %q: error %v, want one matching errOffBase", v, template, err)
				}
				continue
			}
			if u.Scheme != "https" || u.Host != "desk.example.com" || u.User != nil {
				t.Errorf("expand(%q) in %q = %s: left the base host", v, template, u)
			}
			// What the server sees: the value is one path segment or query value.
			again, err := url.Parse(u.String())
			if err != nil || again.Host != "desk.example.com" {
				t.Errorf("expand(%q) in %q = %s, which reparses to host %q (%v)", v, template, u, again.Host, err)
			}
			if strings.HasPrefix(template, "/orgs/") && !strings.HasPrefix(again.EscapedPath(), "/orgs/") {
				t.Errorf("expand(%q) in %q = %s: the path no longer starts /orgs/", v, template, u)
			}
		}
	}
}

func TestTemplateRejectsDotSegments(t *testing.T) {
	base := mustBase(t, "https://desk.example.com")
	tpl, _ := parseTemplate(base, "/orgs/{q}/tickets", "q")
	for _, v := range []string{"..", "."} {
		if u, err := tpl.expand(v); !errors.Is(err, errOffBase) {
			t.Errorf("expand(%q) = %v, %v; want the dot segment refused", v, u, err)
		}
	}
	if u, err := tpl.expand("..."); err != nil || u.Path != "/orgs/.../tickets" {
		t.Errorf(`expand("...") = %v, %v; want an ordinary segment`, u, err)
	}
}
