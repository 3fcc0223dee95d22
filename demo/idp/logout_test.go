package idp

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestEndSession(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	a, code := e.signIn(t, "dave", "demo-dave")
	token, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := token.Extra("id_token").(string)
	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := e.provider.Claims(&d); err != nil || d.EndSession == "" {
		t.Fatalf("no end_session_endpoint in discovery (%v)", err)
	}
	endSession := func(params url.Values) *http.Response {
		t.Helper()
		resp, _ := fetch(t, noRedirects(), d.EndSession+"?"+params.Encode())
		return resp
	}

	resp := endSession(url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {"https://evil.example/after"}})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("unregistered post_logout_redirect_uri: status %d, Location %q; want 400 and no redirect",
			resp.StatusCode, resp.Header.Get("Location"))
	}

	resp = endSession(url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {e.rpURL + "/signed-out"}, "state": {"bye"}})
	if want := e.rpURL + "/signed-out?state=bye"; resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
		t.Fatalf("registered post_logout_redirect_uri: status %d, Location %q; want 302 to %q",
			resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if _, err := e.oauth.TokenSource(t.Context(), &oauth2.Token{RefreshToken: token.RefreshToken}).Token(); err == nil {
		t.Error("the refresh token still works after signing out")
	}

	resp = endSession(url.Values{"id_token_hint": {rawID}})
	if want := e.issuer + loggedOutPath; resp.Header.Get("Location") != want {
		t.Fatalf("without post_logout_redirect_uri: Location %q, want %q", resp.Header.Get("Location"), want)
	}
	resp, body := fetch(t, noRedirects(), resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You have signed out") {
		t.Errorf("signed-out page: %d\n%s", resp.StatusCode, body)
	}
}

func TestCORSOnlyForRegisteredOrigins(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	for origin, allowed := range map[string]bool{"https://evil.example": false, e.rpURL: true} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, e.oauth.Endpoint.TokenURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		resp, err := noRedirects().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Access-Control-Allow-Origin")
		if allowed && got != origin {
			t.Errorf("preflight from registered %s: Access-Control-Allow-Origin = %q, want it echoed", origin, got)
		}
		if !allowed && got != "" {
			t.Errorf("preflight from unknown %s: Access-Control-Allow-Origin = %q, want none", origin, got)
		}
	}
}

// TestSigningKeyIsStable checks the JWKS holds one RSA 2048 key, the same on
// every fetch, and that it is the key ID tokens are signed with.
func TestSigningKeyIsStable(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	var d struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := e.provider.Claims(&d); err != nil {
		t.Fatal(err)
	}
	type jwk struct{ Kid, Kty, Alg, Use, N string }
	fetchKeys := func() []jwk {
		t.Helper()
		_, body := fetch(t, noRedirects(), d.JWKS)
		var set struct{ Keys []jwk }
		if err := json.Unmarshal([]byte(body), &set); err != nil {
			t.Fatalf("JWKS: %v\n%s", err, body)
		}
		return set.Keys
	}
	first, second := fetchKeys(), fetchKeys()
	if len(first) != 1 || len(second) != 1 || first[0] != second[0] {
		t.Fatalf("JWKS changed or has other than one key: %v then %v", first, second)
	}
	k := first[0]
	n, err := base64.RawURLEncoding.DecodeString(k.N)
	if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || err != nil || new(big.Int).SetBytes(n).BitLen() != 2048 {
		t.Errorf("key = %+v (modulus %d bytes), want an RS256 signing key of 2048 bits", k, len(n))
	}

	a, code := e.signIn(t, "bob", "demo-bob")
	token, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := token.Extra("id_token").(string)
	header, err := base64.RawURLEncoding.DecodeString(strings.Split(rawID, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(header, &h); err != nil || h.Kid != k.Kid {
		t.Errorf("ID token kid = %q (%v), want %q", h.Kid, err, k.Kid)
	}
}
