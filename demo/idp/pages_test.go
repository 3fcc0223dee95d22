package idp

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestLoginPage(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	a := e.begin(t, newBrowser(t))
	resp, body := fetch(t, newBrowser(t), a.loginURL.String())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{
		"<h1>Sign in to Atrium (demo)</h1>",
		`<label for="username">Username</label>`, `id="username"`,
		`<label for="password">Password</label>`, `id="password"`, `type="password"`,
		`id="submit"`, "Demo accounts", "development sign-in provider",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, u := range DemoUsers() {
		if !strings.Contains(body, "<code>"+u.Username+"</code>") || !strings.Contains(body, "<code>"+u.Password+"</code>") {
			t.Errorf("demo accounts table lacks %s and their password", u.Username)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q, want framing refused", csp)
	}
}

func TestLoginPageEscapesInput(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	browser := newBrowser(t)
	a := e.begin(t, browser)
	_, body := submit(t, browser, a.loginPage, `"><script>alert(1)</script>`, "x")
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("typed username not escaped:\n%s", body)
	}
}

func TestLoginRefusesUnknownRequests(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	resp, body := fetch(t, newBrowser(t), e.issuer+loginPath+"?authRequestID=made-up")
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "<form") || !strings.Contains(body, "expired") {
		t.Errorf("unknown request: status %d\n%s", resp.StatusCode, body)
	}
	resp, err := newBrowser(t).PostForm(e.issuer+loginPath, url.Values{
		"authRequestID": {"made-up"}, "username": {"alice"}, "password": {"demo-alice"},
	})
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || len(e.callbacks) != 0 {
		t.Errorf("sign-in for an unknown request: status %d, callbacks %d", resp.StatusCode, len(e.callbacks))
	}
}

func TestLoginRefusesCrossOriginPosts(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	browser := newBrowser(t)
	a := e.begin(t, browser)
	form := url.Values{
		"authRequestID": {a.loginURL.Query().Get("authRequestID")},
		"username":      {"alice"}, "password": {"demo-alice"},
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.issuer+loginPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusForbidden || len(e.callbacks) != 0 {
		t.Errorf("cross-origin sign-in: status %d, callbacks %d; want 403 and none", resp.StatusCode, len(e.callbacks))
	}
	if !strings.Contains(body, "Return to the application") {
		t.Errorf("cross-origin sign-in: %q does not say what to do", body)
	}
}

// TestSecondSignInKeepsTheFirstUser: once a request is signed in, posting
// its form again with another account must not change whose code it is.
func TestSecondSignInKeepsTheFirstUser(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	browser := newBrowser(t)
	a := e.begin(t, browser)
	submit(t, browser, a.loginPage, "dave", "demo-dave")
	first := e.callback(t).Get("code")
	submit(t, browser, a.loginPage, "alice", "demo-alice")
	second := e.callback(t).Get("code")

	if _, err := e.oauth.Exchange(t.Context(), first, oauth2.VerifierOption(a.verifier)); err == nil {
		t.Error("a superseded code was accepted")
	}
	token, err := e.oauth.Exchange(t.Context(), second, oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := token.Extra("id_token").(string)
	idToken, err := e.verifier.Verify(t.Context(), rawID)
	if err != nil {
		t.Fatal(err)
	}
	if idToken.Subject != "user-dave" {
		t.Errorf("sub = %q, want user-dave", idToken.Subject)
	}
}
