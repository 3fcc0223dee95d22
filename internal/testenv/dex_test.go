package testenv

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

var ada = DexUser{Email: "ada@example.com", Password: "correct horse", Groups: []string{"admins", "staff"}}

func TestDexAnswersDiscovery(t *testing.T) {
	dex := StartDex(t, DexOptions{RedirectURIs: []string{"http://127.0.0.1:1/callback"}, Users: []DexUser{ada}})
	if !strings.HasPrefix(dex.Issuer, "http://127.0.0.1:") || !strings.HasSuffix(dex.Issuer, "/dex") {
		t.Errorf("Issuer = %q, want http://127.0.0.1:PORT/dex", dex.Issuer)
	}
	if dex.ClientID != "atrium" || len(dex.ClientSecret) < 16 {
		t.Errorf("client = %q / %q, want the default id and a random secret", dex.ClientID, dex.ClientSecret)
	}
	if u := dex.Users[0]; u.Username != "ada" || u.UserID != ada.Email {
		t.Errorf("user defaults = %+v, want username ada and the email as user id", u)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, dex.Issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer        string   `json:"issuer"`
		AuthEndpoint  string   `json:"authorization_endpoint"`
		PKCEMethods   []string `json:"code_challenge_methods_supported"`
		ResponseTypes []string `json:"response_types_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("decode discovery: %v", err)
	}
	if doc.Issuer != dex.Issuer {
		t.Errorf("discovery issuer = %q, want %q", doc.Issuer, dex.Issuer)
	}
	if !strings.HasPrefix(doc.AuthEndpoint, dex.Issuer+"/") {
		t.Errorf("authorization_endpoint = %q, want it under the issuer", doc.AuthEndpoint)
	}
	if !slices.Contains(doc.PKCEMethods, "S256") {
		t.Errorf("code_challenge_methods_supported = %q, want S256", doc.PKCEMethods)
	}
	if !slices.Equal(doc.ResponseTypes, []string{"code"}) {
		t.Errorf("response_types_supported = %q, want only code", doc.ResponseTypes)
	}
}

func TestStartDexNeedsRedirectURIAndUser(t *testing.T) {
	_, _, err := newDexConfig(DexOptions{Users: []DexUser{{Email: "no-password@example.com"}}})
	for _, want := range []string{"no redirect URI", "email and password are required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("newDexConfig error = %v, want it to report %q", err, want)
		}
	}
}

func TestStartDexWithoutBinaryFailsWithAdvice(t *testing.T) {
	t.Setenv("ATRIUM_DEX", filepath.Join(t.TempDir(), "missing-dex"))
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() { // StartDex ends this goroutine through rec.Fatalf
		defer close(done)
		StartDex(rec, DexOptions{RedirectURIs: []string{"http://127.0.0.1:1/cb"}, Users: []DexUser{ada}})
	}()
	<-done
	if !rec.Failed() || !containsText(rec.errors, "scripts/install-test-deps.sh") {
		t.Errorf("StartDex without a binary: failed=%v, errors %q; want a failure naming the install script",
			rec.Failed(), rec.errors)
	}
}

func TestLoginThroughDexInTheBrowser(t *testing.T) {
	rp := newRelyingParty(t)
	dex := StartDex(t, DexOptions{RedirectURIs: []string{rp.srv.URL + "/callback"}, Users: []DexUser{ada}})
	rp.connect(t, dex)
	b := NewBrowser(t)

	b.Navigate(rp.srv.URL + "/login")
	b.WaitVisible("#login")
	if loc := b.Location(); !strings.HasPrefix(loc, dex.Issuer+"/") {
		t.Fatalf("login form at %q, want it served by Dex at %s", loc, dex.Issuer)
	}
	b.SendKeys("#login", ada.Email)
	b.SendKeys("#password", ada.Password)
	b.Click("#submit-login")
	b.WaitVisible("#email")

	if got := b.Text("#email"); got != ada.Email {
		t.Errorf("relying party shows email %q, want %q", got, ada.Email)
	}
	if got := b.Text("#groups"); got != "admins staff" {
		t.Errorf("relying party shows groups %q, want %q", got, "admins staff")
	}
	if loc := b.Location(); !strings.HasPrefix(loc, rp.srv.URL+"/callback?") {
		t.Errorf("landed on %q, want the relying party's callback", loc)
	}
	if errs := b.ConsoleErrors(); len(errs) != 0 {
		t.Errorf("console errors during the login: %q", errs)
	}
}

// relyingParty is a minimal OpenID Connect client: authorization code flow
// with PKCE S256 and a nonce, verifying the ID token it gets.
type relyingParty struct {
	srv *httptest.Server

	mu       sync.Mutex
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	pending  map[string]loginAttempt // by state
}

type loginAttempt struct{ pkceVerifier, nonce string }

var callbackPage = template.Must(template.New("callback").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed in</title></head>
<body><main><h1>Signed in</h1>
<p id="email">{{.Email}}</p><p id="groups">{{range $i, $g := .Groups}}{{if $i}} {{end}}{{$g}}{{end}}</p>
</main></body></html>`))

func newRelyingParty(t *testing.T) *relyingParty {
	rp := &relyingParty{pending: map[string]loginAttempt{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", rp.login)
	mux.HandleFunc("GET /callback", rp.callback)
	// Chromium asks every origin for a favicon, and a 404 is a console error.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	rp.srv = httptest.NewServer(mux)
	t.Cleanup(rp.srv.Close)
	return rp
}

// connect points the relying party at Dex, once Dex knows its redirect URI.
func (rp *relyingParty) connect(t *testing.T, dex *Dex) {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), dex.Issuer)
	if err != nil {
		t.Fatalf("discover Dex: %v", err)
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.oauth = oauth2.Config{
		ClientID:     dex.ClientID,
		ClientSecret: dex.ClientSecret,
		RedirectURL:  rp.srv.URL + "/callback",
		Endpoint:     provider.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile", "groups"},
	}
	rp.verifier = provider.Verifier(&oidc.Config{ClientID: dex.ClientID})
}

func (rp *relyingParty) login(w http.ResponseWriter, r *http.Request) {
	state, attempt := rand.Text(), loginAttempt{pkceVerifier: oauth2.GenerateVerifier(), nonce: rand.Text()}
	rp.mu.Lock()
	rp.pending[state] = attempt
	url := rp.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(attempt.pkceVerifier), oidc.Nonce(attempt.nonce))
	rp.mu.Unlock()
	http.Redirect(w, r, url, http.StatusFound)
}

func (rp *relyingParty) callback(w http.ResponseWriter, r *http.Request) {
	claims, err := rp.finishLogin(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	callbackPage.Execute(w, claims)
}

type idClaims struct {
	Email  string   `json:"email"`
	Groups []string `json:"groups"`
}

func (rp *relyingParty) finishLogin(r *http.Request) (idClaims, error) {
	if e := r.FormValue("error"); e != "" {
		return idClaims{}, fmt.Errorf("provider error %s: %s", e, r.FormValue("error_description"))
	}
	rp.mu.Lock()
	attempt, ok := rp.pending[r.FormValue("state")]
	delete(rp.pending, r.FormValue("state"))
	oauth, verifier := rp.oauth, rp.verifier
	rp.mu.Unlock()
	if !ok {
		return idClaims{}, errors.New("unknown state")
	}
	tok, err := oauth.Exchange(r.Context(), r.FormValue("code"), oauth2.VerifierOption(attempt.pkceVerifier))
	if err != nil {
		return idClaims{}, fmt.Errorf("exchange the code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return idClaims{}, errors.New("no id_token in the token response")
	}
	idToken, err := verifier.Verify(r.Context(), raw)
	if err != nil {
		return idClaims{}, fmt.Errorf("verify the ID token: %w", err)
	}
	if idToken.Nonce != attempt.nonce {
		return idClaims{}, errors.New("ID token nonce does not match")
	}
	var claims idClaims
	if err := idToken.Claims(&claims); err != nil {
		return idClaims{}, err
	}
	return claims, nil
}
