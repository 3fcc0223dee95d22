package web_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/demo/idp"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/web"
)

const logoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// signedInSessions passes every session the portal creates on to its store
// and keeps a copy, so that a test knows the provider's sid and ID token of
// each sign-in.
type signedInSessions struct {
	auth.SessionStore
	mu      sync.Mutex
	created []store.Session
}

func (s *signedInSessions) CreateSession(ctx context.Context, id string, rec store.Session) error {
	s.mu.Lock()
	s.created = append(s.created, rec)
	s.mu.Unlock()
	return s.SessionStore.CreateSession(ctx, id, rec)
}

func (s *signedInSessions) last(t *testing.T) store.Session {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.created) == 0 {
		t.Fatal("no session was created")
	}
	return s.created[len(s.created)-1]
}

// providerPortal is a portal whose identity provider signs with a key the
// test holds too, so that it can sign logout tokens as the provider would.
type providerPortal struct {
	*portal
	key      *rsa.PrivateKey
	sessions *signedInSessions
}

func startProviderPortal(t *testing.T, setup portalSetup) (*providerPortal, *testLogs) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pp := &providerPortal{key: key}
	idpOpts, managerOpts := setup.idp, setup.manager
	setup.idp = func(o *idp.Options) {
		o.SigningKey = key
		o.Clients[0].BackChannelLogoutURI = strings.TrimSuffix(o.Clients[0].RedirectURIs[0], "/auth/callback") + "/auth/backchannel-logout"
		if idpOpts != nil {
			idpOpts(o)
		}
	}
	setup.manager = func(mc *auth.ManagerConfig) {
		pp.sessions = &signedInSessions{SessionStore: mc.Store}
		mc.Store = pp.sessions
		if managerOpts != nil {
			managerOpts(mc)
		}
	}
	p, logs := startPortal(t, setup)
	pp.portal = p
	return pp, logs
}

// validLogout returns the claims of a logout token that the portal accepts.
func (p *providerPortal) validLogout(sub, sid string) map[string]any {
	c := map[string]any{"iss": p.issuer, "aud": "atrium", "iat": time.Now().Unix(), "exp": time.Now().Add(2 * time.Minute).Unix(),
		"jti": rand.Text(), "events": map[string]any{logoutEvent: map[string]any{}}}
	if sub != "" {
		c["sub"] = sub
	}
	if sid != "" {
		c["sid"] = sid
	}
	return c
}

// sign signs claims as a JWT with key (RS256, as the provider signs).
func sign(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("logout+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// backChannelLogout posts a logout token as the provider does: no cookies,
// no CSRF token.
func (p *providerPortal) backChannelLogout(t *testing.T, token string) (*http.Response, string) {
	t.Helper()
	return p.backChannelLogoutFrom(t, http.DefaultClient, token)
}

func (p *providerPortal) backChannelLogoutFrom(t *testing.T, c *http.Client, token string) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(p.url+"/auth/backchannel-logout", url.Values{"logout_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	return resp, readAll(t, resp)
}

// A logout token from the provider ends the sessions it names at once,
// proxied tools included, though the portal remembers sessions between
// store reads; sessions it does not name go on.
func TestBackChannelLogoutEndsTheNamedSessions(t *testing.T) {
	tool := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ledger page")) })
	up := httptest.NewServer(tool)
	defer up.Close()
	tools := []legacy.Tool{{ID: "ledger", Title: "Ledger", Mode: legacy.ModeProxy, Upstream: up.URL, URL: "app/", Secret: []byte(strings.Repeat("k", 32))}}
	p, _ := startProviderPortal(t, portalSetup{deps: func(d *web.Deps) { d.Tools = tools }})

	first, second, other := p.on(newBrowser()), p.on(newBrowser()), p.on(newBrowser())
	first.login(t, "/search", "dave", "demo-dave")
	dave := p.sessions.last(t)
	second.login(t, "/search", "dave", "demo-dave")
	other.login(t, "/search", "bob", "demo-bob")
	if dave.ProviderSID == "" || dave.ProviderSID == p.sessions.last(t).ProviderSID {
		t.Fatalf("the sign-ins' sessions keep provider sids %q and %q, want two distinct ones", dave.ProviderSID, p.sessions.last(t).ProviderSID)
	}
	toolOK := func(b *portal) bool {
		resp, _ := b.get(t, b.url+"/tools/ledger/app/")
		return resp.StatusCode == http.StatusOK
	}
	for _, b := range []*portal{first, second, other} {
		if !b.signedIn(t) || !toolOK(b) {
			t.Fatal("a browser is not signed in, or cannot reach the proxied tool")
		}
	}

	// By the provider's session: only that sign-in ends.
	resp, body := p.backChannelLogout(t, sign(t, p.key, p.validLogout(dave.Subject, dave.ProviderSID)))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("logout token answered %d (Cache-Control %q): %s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	if first.signedIn(t) || toolOK(first) {
		t.Error("the session named by its provider sid is still accepted, by the portal or the tool proxy")
	}
	if !second.signedIn(t) || !other.signedIn(t) {
		t.Error("a session the token did not name has ended")
	}

	// By subject only: every session of the user ends, no one else's.
	resp, body = p.backChannelLogout(t, sign(t, p.key, p.validLogout(dave.Subject, "")))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logout token answered %d: %s", resp.StatusCode, body)
	}
	if second.signedIn(t) || toolOK(second) {
		t.Error("the user's other session is still accepted after a logout by subject")
	}
	if !other.signedIn(t) || !toolOK(other) {
		t.Error("another user's session ended")
	}
}

// Every logout token that does not hold up is refused with 400 and an OAuth
// error, and ends nothing.
func TestBackChannelLogoutRefusesBadTokens(t *testing.T) {
	p, _ := startProviderPortal(t, portalSetup{})
	p.login(t, "/search", "dave", "demo-dave")
	dave := p.sessions.last(t)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := func(change func(map[string]any)) string {
		c := p.validLogout(dave.Subject, dave.ProviderSID)
		change(c)
		return sign(t, p.key, c)
	}
	replayed := sign(t, p.key, p.validLogout("user-nobody", ""))
	if resp, body := p.backChannelLogout(t, replayed); resp.StatusCode != http.StatusOK {
		t.Fatalf("first use of a token answered %d: %s", resp.StatusCode, body)
	}
	for _, tc := range []struct{ name, token, says string }{
		{"no token", "", "missing"},
		{"not a JWT", "not-a-token", "malformed"},
		{"signed by another key", sign(t, otherKey, p.validLogout(dave.Subject, dave.ProviderSID)), "signature"},
		{"another issuer", valid(func(c map[string]any) { c["iss"] = "http://evil.example" }), "different provider"},
		{"another audience", valid(func(c map[string]any) { c["aud"] = "someone-else" }), "audience"},
		{"a nonce", valid(func(c map[string]any) { c["nonce"] = "n" }), "nonce"},
		{"no events", valid(func(c map[string]any) { delete(c, "events") }), "events"},
		{"the event not an object", valid(func(c map[string]any) { c["events"] = map[string]any{logoutEvent: true} }), "events"},
		{"another event", valid(func(c map[string]any) { c["events"] = map[string]any{"http://example.com/other": map[string]any{}} }), "events"},
		{"neither sid nor sub", valid(func(c map[string]any) { delete(c, "sid"); delete(c, "sub") }), "neither sid nor sub"},
		{"no jti", valid(func(c map[string]any) { delete(c, "jti") }), "jti"},
		{"a jti used before", replayed, "used before"},
		{"no iat", valid(func(c map[string]any) { delete(c, "iat") }), "iat"},
		{"issued too long ago", valid(func(c map[string]any) { c["iat"] = time.Now().Add(-auth.LogoutTokenMaxAge - time.Minute).Unix() }), "iat"},
		{"issued in the future", valid(func(c map[string]any) { c["iat"] = time.Now().Add(auth.LogoutTokenSkew + time.Minute).Unix() }), "future"},
		{"expired", valid(func(c map[string]any) { c["exp"] = time.Now().Add(-auth.LogoutTokenSkew - time.Minute).Unix() }), "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := p.backChannelLogout(t, tc.token)
			var raw map[string]string
			_ = json.Unmarshal([]byte(body), &raw)
			if resp.StatusCode != http.StatusBadRequest || raw["error"] != "invalid_request" ||
				!strings.Contains(raw["error_description"], tc.says) || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("answered %d (Cache-Control %q) %s; want 400, invalid_request, saying %q",
					resp.StatusCode, resp.Header.Get("Cache-Control"), body, tc.says)
			}
			if !p.signedIn(t) {
				t.Fatal("a refused logout token ended the session")
			}
		})
	}
}

// Signing out at the demo identity provider (its end_session endpoint, with
// the ID token as hint) sends the portal a back-channel logout for that
// sign-in: the portal ends that session and no other of the user's.
func TestSigningOutAtTheProviderEndsThatSession(t *testing.T) {
	p, logs := startProviderPortal(t, portalSetup{})
	first, second := p.on(newBrowser()), p.on(newBrowser())
	first.login(t, "/search", "dave", "demo-dave")
	hint := p.sessions.last(t).IDToken
	second.login(t, "/search", "dave", "demo-dave")

	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	resp, body := p.get(t, p.issuer+"/.well-known/openid-configuration")
	if err := json.Unmarshal([]byte(body), &d); err != nil || d.EndSession == "" {
		t.Fatalf("no end_session_endpoint (%d, %v): %s", resp.StatusCode, err, body)
	}
	resp, _ = first.get(t, d.EndSession+"?"+url.Values{"id_token_hint": {hint}}.Encode())
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("end_session answered %d", resp.StatusCode)
	}
	if first.signedIn(t) {
		t.Fatalf("the session signed out at the provider is still accepted; logs:\n%s", logs)
	}
	if !second.signedIn(t) {
		t.Error("the user's other sign-in ended too")
	}
}

// An address that sent many bad logout tokens (each makes the portal fetch
// the provider's keys again) is refused for a while without its token being
// checked; other addresses, the provider's, are not.
func TestBackChannelLogoutLimitsRefusedTokens(t *testing.T) {
	p, _ := startProviderPortal(t, portalSetup{})
	p.login(t, "/search", "dave", "demo-dave")
	dave := p.sessions.last(t)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	attacker := browserFrom("127.0.0.7")
	for i := range 20 {
		if resp, body := p.backChannelLogoutFrom(t, attacker, sign(t, otherKey, p.validLogout(dave.Subject, ""))); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad token %d answered %d: %s", i, resp.StatusCode, body)
		}
	}
	resp, body := p.backChannelLogoutFrom(t, attacker, sign(t, p.key, p.validLogout("user-nobody", "")))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "too many refused") {
		t.Fatalf("after 20 refused tokens: %d (Retry-After %q) %s; want 429", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if !p.signedIn(t) {
		t.Fatal("refused tokens ended the session")
	}
	if resp, body := p.backChannelLogoutFrom(t, browserFrom("127.0.0.8"), sign(t, p.key, p.validLogout(dave.Subject, ""))); resp.StatusCode != http.StatusOK {
		t.Fatalf("a valid token from another address answered %d: %s", resp.StatusCode, body)
	}
	if p.signedIn(t) {
		t.Error("the valid token did not end the session")
	}
}
