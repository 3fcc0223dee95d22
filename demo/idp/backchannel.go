package idp

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// logoutTokenLifetime bounds how long a logout token may be used; a relying
// party refuses one it has seen before.
const logoutTokenLifetime = 2 * time.Minute

// backChannelTimeout bounds the call to a client's back-channel logout URI:
// the user's browser waits for it before it is sent on.
const backChannelTimeout = 5 * time.Second

var _ op.CanTerminateSessionFromRequest = (*storage)(nil)

// TerminateSessionFromRequest implements op.CanTerminateSessionFromRequest:
// signing out of a client ends its tokens for the user, as TerminateSession
// does, and tells the client's back-channel logout URI, if it has one, which
// sign-in ended (the sid of the ID token hint) and whose (the subject). Only
// that client is told: each sign-in here is its own session, so no other
// client shares it.
func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	if err := s.TerminateSession(ctx, req.UserID, req.ClientID); err != nil {
		return "", err
	}
	c, ok := s.clients[req.ClientID]
	if ok && c.cfg.BackChannelLogoutURI != "" && req.UserID != "" {
		sid := ""
		if req.IDTokenHintClaims != nil {
			sid = req.IDTokenHintClaims.SessionID
		}
		if err := s.sendBackChannelLogout(ctx, op.IssuerFromContext(ctx), c, req.UserID, sid); err != nil {
			// The user is signed out here either way; the client's own
			// session then lasts until it ends there.
			s.logger.Warn("idp: back-channel logout failed", "client_id", c.cfg.ID, "err", err)
		}
	}
	return req.RedirectURI, nil
}

// sendBackChannelLogout posts a logout token signed with the provider's key
// to the client's back-channel logout URI (Back-Channel Logout 1.0, 2.5).
func (s *storage) sendBackChannelLogout(ctx context.Context, issuer string, c *client, subject, sid string) error {
	claims := oidc.NewLogoutTokenClaims(issuer, subject, oidc.Audience{c.cfg.ID},
		s.now().Add(logoutTokenLifetime), rand.Text(), sid, 0)
	claims.IssuedAt = oidc.FromTime(s.now())
	signer, err := op.SignerFromKey(s.key)
	if err != nil {
		return err
	}
	token, err := crypto.Sign(claims, signer)
	if err != nil {
		return fmt.Errorf("sign logout token: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backChannelTimeout)
	defer cancel()
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BackChannelLogoutURI, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", c.cfg.BackChannelLogoutURI, resp.Status)
	}
	s.logger.Info("idp: back-channel logout sent", "client_id", c.cfg.ID, "user_id", subject)
	return nil
}
