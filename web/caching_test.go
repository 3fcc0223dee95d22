package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var stylesheet = regexp.MustCompile(`href="(/static/[^"]+\.css)"`)

// Every answer that needs a session is kept out of caches, so that after
// signing out the Back button cannot show a customer page again; static
// assets keep their long caching. Signing out tells the browser to drop its
// cache, storage and cookies.
func TestSignedInAnswersAreNotCached(t *testing.T) {
	p, _ := startPortal(t, portalSetup{})
	for _, path := range []string{"/customers/C1", "/auth/login?return_to=/"} {
		if resp, _ := p.get(t, p.url+path); resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("signed out, %s: %d Cache-Control %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	_, page := p.login(t, "/", "alice", "demo-alice")

	for _, r := range []struct {
		path string
		hdr  []string
	}{
		{"/", nil},
		{"/search?q=globex", nil},
		{"/search?q=globex", []string{"HX-Request", "true"}},
		{"/customers/C1", nil},
		{"/customers/C1/panels/crm/contacts", []string{"HX-Request", "true"}},
		{"/customers/C1/timeline", nil},
		{"/customers/NOPE", nil},
		{"/no-such-page", nil},
	} {
		resp, _ := p.get(t, p.url+r.path, r.hdr...)
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %v: %d Cache-Control %q, want no-store", r.path, r.hdr, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}

	css := stylesheet.FindStringSubmatch(page)
	if css == nil {
		t.Fatalf("no stylesheet on the page:\n%s", page)
	}
	if resp, _ := p.get(t, p.url+css[1]); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("static asset: %d Cache-Control %q, want its long caching", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}

	tok := csrfField.FindStringSubmatch(page)
	if tok == nil {
		t.Fatal("no CSRF token on the page")
	}
	req, _ := http.NewRequest(http.MethodPost, p.url+"/auth/logout", strings.NewReader(url.Values{"_csrf": {tok[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ := p.do(t, req)
	csd := resp.Header.Get("Clear-Site-Data")
	for _, want := range []string{`"cache"`, `"cookies"`, `"storage"`} {
		if !strings.Contains(csd, want) {
			t.Errorf("logout Clear-Site-Data %q lacks %s", csd, want)
		}
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("logout: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
}
