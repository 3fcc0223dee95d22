package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// backChannelLogoutEvent is the member a logout token's events claim must
// hold (OpenID Connect Back-Channel Logout 1.0, section 2.4).
const backChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// A logout token is accepted from LogoutTokenMaxAge before now (by its iat)
// to LogoutTokenSkew after: a provider sends it as the user signs out, and
// its jti is remembered for as long as the token could be accepted.
const (
	LogoutTokenMaxAge = 5 * time.Minute
	LogoutTokenSkew   = time.Minute
)

// A client address whose logout tokens were refused refusedLogoutBurst
// times, and then more than refusedLogoutRate a minute, is refused at once
// until the count drops. A provider's valid tokens never count.
const (
	refusedLogoutRate  = 10
	refusedLogoutBurst = 20
)

// TooManyRefusedLogoutsError refuses a back-channel logout from an address
// that sent too many bad logout tokens lately, without checking its token.
type TooManyRefusedLogoutsError struct {
	RetryAfter time.Duration
}

func (e *TooManyRefusedLogoutsError) Error() string {
	return fmt.Sprintf("auth: too many refused logout tokens from this address: retry in %v", e.RetryAfter)
}

// LogoutTokenError refuses a back-channel logout request; Reason says why,
// for the provider's logs.
type LogoutTokenError struct{ Reason string }

func (e *LogoutTokenError) Error() string { return "auth: logout token refused: " + e.Reason }

func badLogoutToken(format string, args ...any) error {
	return &LogoutTokenError{Reason: fmt.Sprintf(format, args...)}
}

// logoutClaims are the claims of a logout token that its checks read.
type logoutClaims struct {
	Subject   string                     `json:"sub"`
	SessionID string                     `json:"sid"`
	JTI       string                     `json:"jti"`
	IssuedAt  *json.Number               `json:"iat"`
	Expiry    *json.Number               `json:"exp"`
	Nonce     *json.RawMessage           `json:"nonce"`
	Events    map[string]json.RawMessage `json:"events"`
}

// BackChannelLogout ends the sessions that a logout token sent by the
// identity provider names, on this instance at once and on the others
// through the bus, and reports how many. The token is checked as the
// specification asks: signature by the provider's keys, issuer, audience
// (our client id), issued at most LogoutTokenMaxAge ago and not in the
// future, a back-channel logout event, a sid or a sub, no nonce, and a jti
// not seen before. A token that fails is a *LogoutTokenError.
//
// With a sid, the sessions of that provider session end (and the subject's
// sessions signed in without one); with only a sub, every session of the
// subject.
//
// client is the address the request came from: one whose tokens were
// refused too often lately gets *TooManyRefusedLogoutsError.
func (m *Manager) BackChannelLogout(ctx context.Context, client, raw string) (int, error) {
	client = clientKey(client)
	if wait := m.refusedLogouts.wait(client); wait > 0 {
		return 0, &TooManyRefusedLogoutsError{RetryAfter: wait}
	}
	n, err := m.backChannelLogout(ctx, raw)
	var bad *LogoutTokenError
	if errors.As(err, &bad) {
		_ = m.refusedLogouts.allow(client) // counts the refusal
	}
	return n, err
}

func (m *Manager) backChannelLogout(ctx context.Context, raw string) (int, error) {
	if raw == "" {
		return 0, badLogoutToken("the logout_token parameter is missing")
	}
	if m.cfg.Logouts == nil {
		return 0, errors.New("auth: back-channel logout needs a store of used tokens")
	}
	issuer, payload, err := m.cfg.RP.verifyLogoutToken(ctx, raw)
	if err != nil {
		return 0, err
	}
	var c logoutClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return 0, badLogoutToken("claims: %v", err)
	}
	now := m.cfg.Now()
	iat, err := unixClaim(c.IssuedAt)
	switch {
	case err != nil || c.IssuedAt == nil:
		return 0, badLogoutToken("iat is missing or not a number")
	case iat.After(now.Add(LogoutTokenSkew)):
		return 0, badLogoutToken("iat is in the future")
	case iat.Before(now.Add(-LogoutTokenMaxAge)):
		return 0, badLogoutToken("iat is more than %s ago", LogoutTokenMaxAge)
	}
	if c.Expiry != nil {
		exp, err := unixClaim(c.Expiry)
		if err != nil || !exp.After(now.Add(-LogoutTokenSkew)) {
			return 0, badLogoutToken("the token has expired")
		}
	}
	event, ok := c.Events[backChannelLogoutEvent]
	if !ok || !isJSONObject(event) {
		return 0, badLogoutToken("events has no %s object", backChannelLogoutEvent)
	}
	if c.Subject == "" && c.SessionID == "" {
		return 0, badLogoutToken("neither sid nor sub is present")
	}
	if c.Nonce != nil {
		return 0, badLogoutToken("a logout token must not have a nonce")
	}
	if c.JTI == "" {
		return 0, badLogoutToken("jti is missing")
	}
	err = m.cfg.Logouts.UseToken(ctx, store.Hash(issuer+" "+c.JTI), iat.Add(LogoutTokenMaxAge+LogoutTokenSkew))
	if errors.Is(err, store.ErrTokenUsed) {
		return 0, badLogoutToken("this jti was used before")
	}
	if err != nil {
		return 0, err
	}
	keys, err := m.cfg.Logouts.DeleteProviderSessions(ctx, c.Subject, c.SessionID)
	if err != nil {
		return 0, err
	}
	for _, key := range keys {
		m.endedKey(key)
		m.publishEnded(ctx, key)
	}
	m.cfg.Logger.InfoContext(ctx, "signed out by the identity provider", "subject", c.Subject, "sessions", len(keys))
	return len(keys), nil
}

func unixClaim(n *json.Number) (time.Time, error) {
	if n == nil {
		return time.Time{}, nil
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, int64(f*float64(time.Second))), nil
}

func isJSONObject(raw json.RawMessage) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal(raw, &v) == nil && v != nil
}
