package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// ErrProviderUnavailable means discovery of the identity provider has not
// succeeded yet; sign-in cannot start.
var ErrProviderUnavailable = errors.New("auth: identity provider unavailable")

// RPConfig configures the relying party.
type RPConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	Scopes       []string
	GroupsClaim  string
	HTTP         *http.Client
	Logger       *slog.Logger
}

// RP is the OpenID Connect relying party. Discovery happens in the background so
// that Atrium starts (and reports not ready) while the provider is down.
type RP struct {
	cfg   RPConfig
	state atomic.Pointer[discovered]
	ready chan struct{}
}

type discovered struct {
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	// logouts checks logout tokens' signature, issuer and audience; they
	// need not have an expiry, and BackChannelLogout checks their times.
	logouts    *oidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
}

// NewRP returns a relying party; call Discover to reach the provider.
func NewRP(cfg RPConfig) *RP {
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &RP{cfg: cfg, ready: make(chan struct{})}
}

// Discover retries discovery until it succeeds or ctx ends. Run it in its own
// goroutine.
func (rp *RP) Discover(ctx context.Context) {
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := rp.discoverOnce(ctx)
		if err == nil {
			rp.cfg.Logger.Info("identity provider discovered", "issuer", rp.cfg.Issuer, "attempts", attempt)
			return
		}
		rp.cfg.Logger.Warn("identity provider discovery failed; retrying", "issuer", rp.cfg.Issuer,
			"attempt", attempt, "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(delay*2, 30*time.Second)
	}
}

func (rp *RP) discoverOnce(ctx context.Context) error {
	// go-oidc keeps this context for fetching signing keys later; it must outlive
	// this call, so only its values (the HTTP client) are taken from ctx.
	octx := oidc.ClientContext(context.WithoutCancel(ctx), rp.cfg.HTTP)
	dctx, cancel := context.WithTimeout(octx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, rp.cfg.Issuer)
	if err != nil {
		return err
	}
	var extra struct {
		EndSession string   `json:"end_session_endpoint"`
		Methods    []string `json:"code_challenge_methods_supported"`
	}
	if err := p.Claims(&extra); err != nil {
		return fmt.Errorf("read discovery document: %w", err)
	}
	d := &discovered{
		provider:   p,
		verifier:   p.VerifierContext(octx, &oidc.Config{ClientID: rp.cfg.ClientID}),
		logouts:    p.VerifierContext(octx, &oidc.Config{ClientID: rp.cfg.ClientID, SkipExpiryCheck: true}),
		endSession: extra.EndSession,
		oauth: oauth2.Config{
			ClientID:     rp.cfg.ClientID,
			ClientSecret: rp.cfg.ClientSecret,
			RedirectURL:  rp.cfg.RedirectURL,
			Endpoint:     p.Endpoint(),
			Scopes:       rp.cfg.Scopes,
		},
	}
	if rp.state.CompareAndSwap(nil, d) {
		close(rp.ready)
	}
	return nil
}

// Ready reports whether discovery has succeeded.
func (rp *RP) Ready() bool { return rp.state.Load() != nil }

// WaitReady blocks until discovery has succeeded or ctx ends.
func (rp *RP) WaitReady(ctx context.Context) error {
	select {
	case <-rp.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// AuthCodeURL returns the provider's authorization URL for one login attempt.
func (rp *RP) AuthCodeURL(state, nonce, verifier string) (string, error) {
	d := rp.state.Load()
	if d == nil {
		return "", ErrProviderUnavailable
	}
	return d.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Identity is what a completed login yields.
type Identity struct {
	Principal   Principal
	RawIDToken  string
	TokenExpiry time.Time
	// ProviderSID is the provider's session id (the sid claim), if it
	// sent one.
	ProviderSID string
}

// Exchange trades an authorization code for tokens and verifies the ID token:
// signature, issuer, audience, expiry and the nonce of this login attempt. A
// code the provider refuses, or tokens that do not hold up, are
// ErrLoginFailed; a provider that cannot be reached is ErrProviderUnavailable.
func (rp *RP) Exchange(ctx context.Context, code, verifier, nonce string) (Identity, error) {
	d := rp.state.Load()
	if d == nil {
		return Identity{}, ErrProviderUnavailable
	}
	ctx = oidc.ClientContext(ctx, rp.cfg.HTTP)
	tok, err := d.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	var refused *oauth2.RetrieveError
	if errors.As(err, &refused) {
		return Identity{}, fmt.Errorf("%w: the provider refused the code: %w", ErrLoginFailed, err)
	}
	if err != nil {
		return Identity{}, fmt.Errorf("%w: exchange code: %w", ErrProviderUnavailable, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, fmt.Errorf("%w: the token answer has no id_token", ErrLoginFailed)
	}
	idt, err := d.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: verify ID token: %w", ErrLoginFailed, err)
	}
	if idt.Nonce != nonce {
		return Identity{}, fmt.Errorf("%w: ID token nonce does not match the login attempt", ErrLoginFailed)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: read ID token claims: %w", ErrLoginFailed, err)
	}
	// OpenID Connect Core 3.1.3.7, 6: a token for several audiences names the
	// party it was issued to in azp, and that must be this client; go-oidc
	// checks only that the client is one of the audiences.
	if azp := stringClaim(claims, "azp"); azp != "" && azp != rp.cfg.ClientID {
		return Identity{}, fmt.Errorf("%w: the ID token was issued to another client (azp %q)", ErrLoginFailed, azp)
	} else if azp == "" && len(idt.Audience) > 1 {
		return Identity{}, fmt.Errorf("%w: the ID token has several audiences and no azp", ErrLoginFailed)
	}
	p := Principal{
		Subject: idt.Subject,
		Email:   stringClaim(claims, "email"),
		Name:    stringClaim(claims, "name"),
		Groups:  listClaim(claims, rp.cfg.GroupsClaim),
	}
	if p.Name == "" {
		p.Name = stringClaim(claims, "preferred_username")
	}
	return Identity{Principal: p, RawIDToken: raw, TokenExpiry: idt.Expiry, ProviderSID: stringClaim(claims, "sid")}, nil
}

// verifyLogoutToken checks a logout token's signature with the provider's
// keys, its issuer and its audience, and returns the issuer and the claims.
// The other rules are BackChannelLogout's.
func (rp *RP) verifyLogoutToken(ctx context.Context, raw string) (issuer string, claims []byte, err error) {
	d := rp.state.Load()
	if d == nil {
		return "", nil, ErrProviderUnavailable
	}
	t, err := d.logouts.Verify(oidc.ClientContext(ctx, rp.cfg.HTTP), raw)
	if err != nil {
		return "", nil, badLogoutToken("%v", err)
	}
	var all json.RawMessage
	if err := t.Claims(&all); err != nil {
		return "", nil, badLogoutToken("claims: %v", err)
	}
	return t.Issuer, all, nil
}

// EndSessionURL returns where to send the browser to end the provider's session,
// or false when the provider advertises no end_session_endpoint.
func (rp *RP) EndSessionURL(idToken, postLogout string) (string, bool) {
	d := rp.state.Load()
	if d == nil || d.endSession == "" {
		return "", false
	}
	u, err := url.Parse(d.endSession)
	if err != nil {
		return "", false
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("post_logout_redirect_uri", postLogout)
	q.Set("client_id", rp.cfg.ClientID)
	u.RawQuery = q.Encode()
	return u.String(), true
}

func stringClaim(c map[string]any, name string) string {
	s, _ := c[name].(string)
	return s
}

// listClaim reads a claim that providers send either as a list or as one string.
func listClaim(c map[string]any, name string) []string {
	switch v := c[name].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, g := range v {
			if s, ok := g.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
