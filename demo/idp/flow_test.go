package idp

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// idClaims are the claims Atrium reads from an ID token.
type idClaims struct {
	Email             string   `json:"email"`
	EmailVerified     bool     `json:"email_verified"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	Groups            []string `json:"groups"`
}

func TestDiscoveryAdvertisesWhatRelyingPartiesNeed(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	var d struct {
		EndSession     string   `json:"end_session_endpoint"`
		Scopes         []string `json:"scopes_supported"`
		Claims         []string `json:"claims_supported"`
		CodeChallenges []string `json:"code_challenge_methods_supported"`
		ResponseTypes  []string `json:"response_types_supported"`
	}
	if err := e.provider.Claims(&d); err != nil {
		t.Fatal(err)
	}
	if d.EndSession != e.issuer+"/end_session" {
		t.Errorf("end_session_endpoint = %q, want %q", d.EndSession, e.issuer+"/end_session")
	}
	for _, s := range []string{"openid", "profile", "email", "groups", "offline_access"} {
		if !slices.Contains(d.Scopes, s) {
			t.Errorf("scopes_supported %v lacks %q", d.Scopes, s)
		}
	}
	if !slices.Contains(d.Claims, "groups") {
		t.Errorf("claims_supported %v lacks groups", d.Claims)
	}
	if !slices.Equal(d.CodeChallenges, []string{"S256"}) {
		t.Errorf("code_challenge_methods_supported = %v, want [S256]", d.CodeChallenges)
	}
}

// TestCodeFlow drives the whole flow a relying party goes through: a wrong
// password, sign-in, code exchange, ID token, userinfo and refresh.
func TestCodeFlow(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	ctx := t.Context()
	browser := newBrowser(t)
	a := e.begin(t, browser)

	resp, body := submit(t, browser, a.loginPage, "dave", "not-daves-password")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != loginPath {
		t.Fatalf("wrong password: ended at %s with %d, want the sign-in page again with 200", resp.Request.URL, resp.StatusCode)
	}
	for _, want := range []string{`role="alert"`, "Wrong username or password", `value="dave"`} {
		if !strings.Contains(body, want) {
			t.Errorf("wrong password: page lacks %q", want)
		}
	}
	if len(e.callbacks) != 0 {
		t.Fatal("wrong password: the relying party got a callback")
	}

	resp, body = submit(t, browser, body, "dave", "demo-dave")
	if !strings.HasPrefix(resp.Request.URL.String(), e.rpURL+"/callback?") {
		t.Fatalf("sign-in ended at %s (%d), want the callback:\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	q := e.callback(t)
	if q.Get("state") != a.state {
		t.Fatalf("state = %q, want %q", q.Get("state"), a.state)
	}

	token, err := e.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := token.Extra("id_token").(string)
	idToken, err := e.verifier.Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	if idToken.Nonce != a.nonce {
		t.Errorf("nonce = %q, want %q", idToken.Nonce, a.nonce)
	}
	if idToken.Subject != "user-dave" {
		t.Errorf("sub = %q, want user-dave", idToken.Subject)
	}
	var claims idClaims
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	want := idClaims{Email: "dave@example.com", EmailVerified: true, Name: "Dave Davis", PreferredUsername: "dave", Groups: []string{"admins", "sales"}}
	if !equalClaims(claims, want) {
		t.Errorf("ID token claims = %+v, want %+v", claims, want)
	}

	info, err := e.provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var infoClaims idClaims
	if err := info.Claims(&infoClaims); err != nil {
		t.Fatal(err)
	}
	if info.Subject != "user-dave" || !equalClaims(infoClaims, want) {
		t.Errorf("userinfo = %s %+v, want user-dave %+v", info.Subject, infoClaims, want)
	}

	if token.RefreshToken == "" {
		t.Fatal("no refresh token despite offline_access")
	}
	refreshed, err := e.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: token.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if refreshed.AccessToken == token.AccessToken || refreshed.RefreshToken == token.RefreshToken {
		t.Error("refresh returned the same tokens")
	}
	rawRefreshedID, _ := refreshed.Extra("id_token").(string)
	refreshedID, err := e.verifier.Verify(ctx, rawRefreshedID)
	if err != nil {
		t.Fatalf("verify refreshed ID token: %v", err)
	}
	var refreshedClaims idClaims
	if err := refreshedID.Claims(&refreshedClaims); err != nil || !equalClaims(refreshedClaims, want) {
		t.Errorf("refreshed ID token claims = %+v (%v), want %+v", refreshedClaims, err, want)
	}
	if _, err := e.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: token.RefreshToken}).Token(); err == nil {
		t.Error("a rotated-out refresh token was accepted again")
	}

	logs := e.logs.String()
	for _, secret := range []string{"demo-dave", "not-daves-password", q.Get("code"), token.AccessToken, token.RefreshToken, rawID, refreshed.RefreshToken} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain a secret %.12q…", secret)
		}
	}
	if !strings.Contains(logs, "signed in") {
		t.Errorf("logs do not record the sign-in:\n%s", logs)
	}
}

func TestGroupsOnlyWithGroupsScope(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	e.oauth.Scopes = []string{oidc.ScopeOpenID, "email"}
	a, code := e.signIn(t, "alice", "demo-alice")
	token, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := token.Extra("id_token").(string)
	idToken, err := e.verifier.Verify(t.Context(), rawID)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if _, ok := claims["groups"]; ok {
		t.Errorf("groups claim present without the groups scope: %v", claims)
	}
	if claims["email"] != "alice@example.com" {
		t.Errorf("email = %v, want alice@example.com", claims["email"])
	}
	if token.RefreshToken != "" {
		t.Error("refresh token issued without offline_access")
	}
}

func TestCodeExchangeNeedsTheVerifier(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	a, code := e.signIn(t, "bob", "demo-bob")
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Error("exchange with the wrong verifier succeeded")
	}
	if _, err := e.oauth.Exchange(t.Context(), code); err == nil {
		t.Error("exchange without a verifier succeeded")
	}
	// The same code with the right verifier still works, so the refusals
	// above were about the verifier.
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier)); err != nil {
		t.Errorf("exchange with the right verifier: %v", err)
	}
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier)); err == nil {
		t.Error("a code was exchanged twice")
	}
}

func TestAuthorizeRequiresS256(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	verifier := oauth2.GenerateVerifier()
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"no PKCE": nil,
		"plain": {
			oauth2.SetAuthURLParam("code_challenge", verifier),
			oauth2.SetAuthURLParam("code_challenge_method", "plain"),
		},
	} {
		t.Run(name, func(t *testing.T) {
			resp, _ := fetch(t, newBrowser(t), e.oauth.AuthCodeURL("state-1", opts...))
			if !strings.HasPrefix(resp.Request.URL.String(), e.rpURL+"/callback?") {
				t.Fatalf("ended at %s, want an error at the callback", resp.Request.URL)
			}
			q := e.callback(t)
			if q.Get("error") != "invalid_request" || q.Get("code") != "" || q.Get("state") != "state-1" {
				t.Errorf("callback = %v, want error=invalid_request with the state and no code", q)
			}
		})
	}
}

// TestIssuerWithPath checks the provider under a path, whether or not the
// mount strips that path.
func TestIssuerWithPath(t *testing.T) {
	for name, mount := range map[string]mountAt{"root": mountRoot, "strip prefix": mountStripPrefix} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t, "/idp", mount)
			a, code := e.signIn(t, "carol", "demo-carol")
			token, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			rawID, _ := token.Extra("id_token").(string)
			idToken, err := e.verifier.Verify(t.Context(), rawID)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if idToken.Issuer != e.issuer {
				t.Errorf("iss = %q, want %q", idToken.Issuer, e.issuer)
			}
		})
	}
}

func TestPublicClientSignsInWithPKCEAlone(t *testing.T) {
	e := newTestEnv(t, "", mountRoot)
	e.oauth.ClientID, e.oauth.ClientSecret = testPublicClientID, ""
	e.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	a, code := e.signIn(t, "alice", "demo-alice")
	token, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := token.Extra("id_token").(string)
	if _, err := e.provider.Verifier(&oidc.Config{ClientID: testPublicClientID}).Verify(t.Context(), rawID); err != nil {
		t.Errorf("verify: %v", err)
	}
	e.oauth.ClientSecret = "guessed"
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier)); err == nil {
		t.Error("a public client's code was exchanged twice")
	}
}

func equalClaims(a, b idClaims) bool {
	return a.Email == b.Email && a.EmailVerified == b.EmailVerified && a.Name == b.Name &&
		a.PreferredUsername == b.PreferredUsername && slices.Equal(a.Groups, b.Groups)
}
