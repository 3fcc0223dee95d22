package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var pageTitle = regexp.MustCompile(`<title>([^<]*)</title>`)

// A panel's address answers people with a page and htmx with the panel: a
// reload, a new tab or a shared link of a filtered timeline shows it styled,
// titled and still filtered.
func TestPanelAddressesAnswerAPageOrAFragment(t *testing.T) {
	p := start(t)
	p.login(t, "/", "alice", "demo-alice")
	for _, u := range []string{"/customers/C1/timeline?kind=call", "/customers/C1/panels/crm/contacts"} {
		resp, body := p.get(t, p.url+u)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", u, resp.StatusCode, body)
		}
		title := pageTitle.FindStringSubmatch(body)
		if title == nil || strings.TrimSpace(strings.TrimSuffix(title[1], "· Atrium")) == "" {
			t.Errorf("%s: a page opened by its address has no title:\n%s", u, body)
		}
		if !strings.Contains(body, `rel="stylesheet"`) || !strings.Contains(body, `href="/customers/C1"`) {
			t.Errorf("%s: no stylesheet or no way back to the customer:\n%s", u, body)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "HX-Request") {
			t.Errorf("%s: Vary %q does not name HX-Request", u, resp.Header.Get("Vary"))
		}
		resp, frag := p.get(t, p.url+u, "HX-Request", "true")
		if resp.StatusCode != http.StatusOK || strings.Contains(frag, "<html") || strings.Contains(frag, "<title>") ||
			!strings.HasPrefix(strings.TrimSpace(frag), "<section") {
			t.Errorf("%s: htmx should get the panel alone: %d\n%s", u, resp.StatusCode, frag)
		}
		_, restored := p.get(t, p.url+u, "HX-Request", "true", "HX-History-Restore-Request", "true")
		if !strings.Contains(restored, "<title>") {
			t.Errorf("%s: restoring history needs the whole page:\n%s", u, restored)
		}
	}

	// The filter survives a reload: the page shows it chosen, and shows only
	// what it lets through.
	_, body := p.get(t, p.url+"/customers/C1/timeline?kind=call")
	if !strings.Contains(body, "Call with Homer") || strings.Contains(body, "Homer Simpson joined") {
		t.Errorf("the kind filter was lost on reload:\n%s", body)
	}
	if !regexp.MustCompile(`class="active"[^>]*aria-current="true"[^>]*>Calls<`).MatchString(body) &&
		!regexp.MustCompile(`aria-current="true"[^>]*>Calls<`).MatchString(body) {
		t.Errorf("the chosen filter is not marked:\n%s", body)
	}
	// Filters and pages push their address, so that a reload keeps them.
	if !regexp.MustCompile(`hx-get="/customers/C1/timeline\?kind=call"[^>]*hx-push-url="true"`).MatchString(body) {
		t.Errorf("filters do not push their URL:\n%s", body)
	}
}
