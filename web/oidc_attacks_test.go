package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/demo/idp"
	"github.com/atrium-dev/atrium/web"
)

// tokenTamperer sits between the portal and the identity provider as an
// attacker who can change the provider's token answers would: it rewrites
// the ID token of each answer, or the PKCE verifier of each request.
type tokenTamperer struct {
	mu       sync.Mutex
	idToken  func(raw string) string // nil: leave the ID token
	verifier string                  // "": leave the code_verifier
}

func (tt *tokenTamperer) set(idToken func(string) string, verifier string) {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.idToken, tt.verifier = idToken, verifier
}

func (tt *tokenTamperer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/token") {
			next.ServeHTTP(w, r)
			return
		}
		tt.mu.Lock()
		forge, verifier := tt.idToken, tt.verifier
		tt.mu.Unlock()
		if verifier != "" {
			body, _ := io.ReadAll(r.Body)
			form, _ := url.ParseQuery(string(body))
			if form.Has("code_verifier") {
				form.Set("code_verifier", verifier)
			}
			enc := form.Encode()
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(enc)), int64(len(enc))
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var answer map[string]any
		if forge != nil && rec.Code == http.StatusOK && json.Unmarshal(body, &answer) == nil {
			if raw, ok := answer["id_token"].(string); ok {
				answer["id_token"] = forge(raw)
				body, _ = json.Marshal(answer)
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

// idTokenParts returns the claims and key id of an ID token the provider
// signed, without verifying it: the tamperer changes what it was sent.
func idTokenParts(t *testing.T, raw string) (map[string]any, string) {
	obj, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Errorf("the provider's ID token does not parse: %v", err)
		return map[string]any{}, ""
	}
	var claims map[string]any
	if err := json.Unmarshal(obj.UnsafePayloadWithoutVerification(), &claims); err != nil {
		t.Errorf("the provider's ID token claims: %v", err)
	}
	return claims, obj.Signatures[0].Header.KeyID
}

// signJWT signs claims as a JWT under kid with key and algorithm alg.
func signJWT(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	opts := &jose.SignerOptions{}
	opts.WithType("JWT")
	if kid != "" {
		opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Errorf("signer: %v", err)
		return ""
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Errorf("sign: %v", err)
		return ""
	}
	tok, _ := obj.CompactSerialize()
	return tok
}

// Every forged or misdirected ID token, and a PKCE verifier that does not
// match, is refused at the callback with the page that says to start again,
// leaves the browser signed out, and is recorded as a failed sign-in. The
// same forging, with nothing changed, signs in: so each refusal is the
// check it names, not a broken forgery.
func TestForgedIDTokensAreRefused(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	tamper := &tokenTamperer{}
	events := &recordedEvents{}
	var issuer string
	p, logs := startPortal(t, portalSetup{
		idp: func(o *idp.Options) {
			o.SigningKey = key
			issuer = o.Issuer
			// Another client of the same provider, whose tokens must not
			// open a session at Atrium.
			o.Clients = append(o.Clients, idp.Client{ID: "other-app", Secret: "other-s3cret",
				RedirectURIs: []string{"http://other-app.invalid/callback"}})
		},
		idpHandler: tamper.wrap,
		deps:       func(d *web.Deps) { d.Audit = events },
		// Every case signs in from the same address.
		manager: func(mc *auth.ManagerConfig) { mc.SignInRate, mc.SignInBurst = 600, 100 },
	})

	resign := func(change func(c map[string]any)) func(string) string {
		return func(raw string) string {
			claims, kid := idTokenParts(t, raw)
			change(claims)
			return signJWT(t, jose.RS256, key, kid, claims)
		}
	}
	now := time.Now()
	cases := []struct {
		name     string
		reason   string // in the logged refusal: the check that refused it
		idToken  func(raw string) string
		verifier string
		// otherClient: the answer carries a genuine ID token the provider
		// issued to other-app, for the same user and nonce.
		otherClient bool
	}{
		{name: "wrong nonce", reason: `nonce does not match`, idToken: resign(func(c map[string]any) { c["nonce"] = "another-attempt" })},
		{name: "no nonce", reason: `nonce does not match`, idToken: resign(func(c map[string]any) { delete(c, "nonce") })},
		{name: "wrong audience", reason: `expected audience`, idToken: resign(func(c map[string]any) { c["aud"] = "other-app" })},
		{name: "wrong issuer", reason: `issued by a different provider`, idToken: resign(func(c map[string]any) { c["iss"] = "http://evil.invalid" })},
		{name: "expired", reason: `token is expired`, idToken: resign(func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		})},
		{name: "azp of another client", reason: `issued to another client`, idToken: resign(func(c map[string]any) {
			c["aud"], c["azp"] = []string{"atrium", "other-app"}, "other-app"
		})},
		{name: "several audiences, no azp", reason: `several audiences and no azp`, idToken: resign(func(c map[string]any) {
			c["aud"] = []string{"atrium", "other-app"}
			delete(c, "azp")
		})},
		{name: "signed by an unknown key under the provider's key id", reason: `failed to verify signature`, idToken: func(raw string) string {
			claims, kid := idTokenParts(t, raw)
			return signJWT(t, jose.RS256, otherKey, kid, claims)
		}},
		{name: "alg none", reason: `unexpected signature algorithm \"none\"`, idToken: func(raw string) string {
			claims, kid := idTokenParts(t, raw)
			header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": kid})
			payload, _ := json.Marshal(claims)
			return base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
		}},
		{name: "HS256 keyed with the provider's public key", reason: `unexpected signature algorithm \"HS256\"`, idToken: func(raw string) string {
			claims, kid := idTokenParts(t, raw)
			return signJWT(t, jose.HS256, pubPEM, kid, claims)
		}},
		{name: "minted for another client", reason: `expected audience`, otherClient: true},
		{name: "PKCE verifier mismatch", reason: `invalid code_verifier`, verifier: strings.Repeat("x", 43)},
	}

	// The control: the provider's claims, signed again with its key.
	tamper.set(resign(func(map[string]any) {}), "")
	b := p.on(newBrowser())
	if resp, _ := b.get(t, b.providerCallback(t, "/auth/login", "alice", "demo-alice")); resp.StatusCode != http.StatusSeeOther || !b.signedIn(t) {
		t.Fatalf("the unchanged claims, signed again, did not sign in: %d", resp.StatusCode)
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := p.on(newBrowser())
			before, logged := events.count(audit.KindSignInFailed), len(logs.String())
			forge := tc.idToken
			if tc.otherClient {
				// The nonce of this sign-in is in the authorization request
				// Atrium sends the browser to.
				resp, _ := b.get(t, b.url+"/auth/login")
				nonce := mustQuery(t, resp.Header.Get("Location"), "nonce")
				minted := mintFor(t, issuer, "other-app", "other-s3cret", "http://other-app.invalid/callback", nonce, "alice", "demo-alice")
				forge = func(string) string { return minted }
			}
			tamper.set(forge, tc.verifier)
			defer tamper.set(nil, "")
			cb := b.providerCallback(t, "/auth/login", "alice", "demo-alice")
			resp, body := b.get(t, cb)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Sign-in failed") || !strings.Contains(body, "Start again") {
				t.Fatalf("status %d, want 400 with the sign-in failed page:\n%s", resp.StatusCode, body)
			}
			if b.signedIn(t) {
				t.Fatal("signed in")
			}
			if events.count(audit.KindSignInFailed) != before+1 {
				t.Error("the refusal was not recorded as a failed sign-in")
			}
			if out := logs.String()[logged:]; !strings.Contains(out, tc.reason) {
				t.Errorf("refused, but not because of %q:\n%s", tc.reason, out)
			}
		})
	}
}

// mintFor signs user in at the provider as client id, asking for nonce, and
// returns the ID token the provider issues to that client.
func mintFor(t *testing.T, issuer, id, secret, redirect, nonce, user, password string) string {
	t.Helper()
	cfg := oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: redirect, Scopes: []string{"openid", "email", "profile"},
		Endpoint: discoverEndpoint(t, issuer)}
	verifier := oauth2.GenerateVerifier()
	b := &portal{issuer: issuer, client: newBrowser()}
	resp, body := b.get(t, cfg.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce)))
	for resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		resp, body = b.get(t, abs(resp.Request.URL.String(), resp.Header.Get("Location")))
	}
	m, reqID := formAction.FindStringSubmatch(body), authReqID.FindStringSubmatch(body)
	if m == nil || reqID == nil {
		t.Fatalf("no login form for %s:\n%s", id, body)
	}
	form := url.Values{"authRequestID": {reqID[1]}, "username": {user}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, abs(resp.Request.URL.String(), html.UnescapeString(m[1])), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", issuer)
	resp, _ = b.do(t, req)
	for resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		loc := abs(resp.Request.URL.String(), resp.Header.Get("Location"))
		if strings.HasPrefix(loc, redirect+"?") {
			tok, err := cfg.Exchange(t.Context(), mustQuery(t, loc, "code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal("token for", id, err)
			}
			raw, _ := tok.Extra("id_token").(string)
			if raw == "" {
				t.Fatal("no ID token for", id)
			}
			return raw
		}
		resp, _ = b.get(t, loc)
	}
	t.Fatalf("the provider did not send %s back: %d", id, resp.StatusCode)
	return ""
}

func discoverEndpoint(t *testing.T, issuer string) oauth2.Endpoint {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		Auth  string `json:"authorization_endpoint"`
		Token string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return oauth2.Endpoint{AuthURL: d.Auth, TokenURL: d.Token, AuthStyle: oauth2.AuthStyleInHeader}
}

// recordedEvents is an audit trail in memory.
type recordedEvents struct {
	mu     sync.Mutex
	events []audit.Event
}

func (r *recordedEvents) Record(ev audit.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recordedEvents) count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ev := range r.events {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}
