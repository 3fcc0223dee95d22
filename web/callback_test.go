package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A callback with the right state and browser but a code the provider
// refuses (made up, or issued to another sign-in) is a failed sign-in the
// user can start again: 400 with a page saying so, logged as a warning.
func TestCallbackWithARefusedCodeAsksToStartAgain(t *testing.T) {
	p, logs := startPortal(t, portalSetup{})
	other := p.on(newBrowser())
	foreign := other.providerCallback(t, "/auth/login", "bob", "demo-bob")
	foreignCode := mustQuery(t, foreign, "code")

	for name, code := range map[string]string{"made up": "bogus-code", "another sign-in's": foreignCode} {
		t.Run(name, func(t *testing.T) {
			cb := p.providerCallback(t, "/auth/login?return_to=/customers/C1", "alice", "demo-alice")
			resp, body := p.get(t, withParam(cb, "code", code))
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Sign-in failed") ||
				!strings.Contains(body, `href="/auth/login"`) || !strings.Contains(body, "Start again") {
				t.Fatalf("status %d:\n%s", resp.StatusCode, body)
			}
			if p.signedIn(t) {
				t.Error("signed in with a refused code")
			}
		})
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN msg=\"sign-in failed\"") {
		t.Errorf("no warning logged:\n%s", out)
	}
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("a refused code was logged as an error:\n%s", out)
	}
}

// A callback with the right state from another browser (its own login
// cookie, not the one that started the sign-in) is refused, and leaves the
// sign-in for the browser that started it.
func TestCallbackFromAnotherBrowserLeavesTheSignIn(t *testing.T) {
	p, _ := startPortal(t, portalSetup{})
	cb := p.providerCallback(t, "/auth/login?return_to=/customers/C1", "alice", "demo-alice")

	intruder := p.on(newBrowser())
	intruder.get(t, p.url+"/auth/login") // a login cookie of its own
	if resp, body := intruder.get(t, cb); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Sign-in expired") {
		t.Fatalf("callback from another browser: %d\n%s", resp.StatusCode, body)
	}
	if intruder.signedIn(t) {
		t.Fatal("another browser was signed in with the user's callback")
	}
	resp, _ := p.get(t, cb)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/customers/C1" || !p.signedIn(t) {
		t.Fatalf("the user's own callback after the other browser's: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func mustQuery(t *testing.T, u, name string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil || p.Query().Get(name) == "" {
		t.Fatalf("%s has no %s", u, name)
	}
	return p.Query().Get(name)
}
