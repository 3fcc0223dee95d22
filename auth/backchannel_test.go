package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/atrium-dev/atrium/demo/idp"
)

// providerRP starts the demo identity provider signing with key and returns
// a relying party that has discovered it.
func providerRP(t *testing.T, key *rsa.PrivateKey) (*RP, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	p, err := idp.New(idp.Options{Issuer: issuer, Users: idp.DemoUsers(), SigningKey: key,
		Clients: []idp.Client{{ID: "atrium", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:1/auth/callback"}}}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p
	srv.Start()
	t.Cleanup(srv.Close)
	rp := NewRP(RPConfig{Issuer: issuer, ClientID: "atrium"})
	go rp.Discover(t.Context())
	if err := rp.WaitReady(t.Context()); err != nil {
		t.Fatal(err)
	}
	return rp, issuer
}

// A back-channel logout received by one instance ends the session on
// another within a second, though that one remembers it for a minute and
// its clock does not move: the end travels on the bus.
func TestBackChannelLogoutEndsTheSessionOnAnotherInstance(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rp, issuer := providerRP(t, key)
	a, b := twoInstances(t)
	a.m.cfg.RP, a.m.cfg.Logouts = rp, a.st
	r := a.signIn(t, "s1", time.Hour)
	if !b.signedIn(r) {
		t.Fatal("the other instance does not accept the session")
	}

	payload, _ := json.Marshal(map[string]any{"iss": issuer, "aud": "atrium", "iat": a.now.Unix(), "jti": "j1", "sub": "alice",
		"events": map[string]any{backChannelLogoutEvent: map[string]any{}}})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := obj.CompactSerialize()
	n, err := a.m.BackChannelLogout(t.Context(), "192.0.2.1", token)
	if err != nil || n != 1 {
		t.Fatalf("ended %d sessions, %v; want 1", n, err)
	}
	ended := time.Now()
	if a.signedIn(r) {
		t.Fatal("the session is still accepted on the instance that received the logout")
	}
	deadline := time.After(time.Second - time.Since(ended))
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for b.signedIn(r) {
		select {
		case <-deadline:
			t.Fatal("the other instance still accepts the session a second after the back-channel logout")
		case <-tick.C:
		}
	}
}
