package idp

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// accessToken is the record behind an opaque access token; the token the
// client holds is this ID and the subject, encrypted by the library.
type accessToken struct {
	id        string
	clientID  string
	subject   string
	audience  []string
	scopes    []string
	expiresAt time.Time
}

// refreshToken is keyed by its own value: it is random and never leaves the
// provider except to the client it was issued to.
type refreshToken struct {
	token         string
	clientID      string
	subject       string
	scopes        []string
	amr           []string
	authTime      time.Time
	sid           string
	expiresAt     time.Time
	accessTokenID string
}

// CreateAccessToken implements op.Storage for flows without a refresh token.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	r, ok := req.(op.IDTokenRequest)
	if !ok {
		return "", time.Time{}, fmt.Errorf("access token: unsupported request %T", req)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	t := s.newAccessTokenLocked(r)
	return t.id, t.expiresAt, nil
}

// CreateAccessAndRefreshTokens implements op.Storage. On a refresh it
// rotates: the presented refresh token and the access token issued with it
// stop working, so a stolen refresh token is good for one use at most.
func (s *storage) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	r, ok := req.(op.IDTokenRequest)
	if !ok {
		return "", "", time.Time{}, fmt.Errorf("refresh token: unsupported request %T", req)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	if current != "" {
		old, ok := s.refreshTokens[current]
		if !ok || old.clientID != r.GetClientID() || old.subject != r.GetSubject() {
			return "", "", time.Time{}, fmt.Errorf("refresh token: %w", errNotFound)
		}
		delete(s.refreshTokens, current)
		delete(s.accessTokens, old.accessTokenID)
	}
	rt := &refreshToken{
		token:     rand.Text() + rand.Text(),
		clientID:  r.GetClientID(),
		subject:   r.GetSubject(),
		scopes:    slices.Clone(r.GetScopes()),
		amr:       slices.Clone(r.GetAMR()),
		authTime:  r.GetAuthTime(),
		sid:       sessionID(r),
		expiresAt: s.now().Add(refreshTokenLifetime),
	}
	at := s.newAccessTokenLocked(r)
	rt.accessTokenID = at.id
	s.refreshTokens[rt.token] = rt
	return at.id, rt.token, at.expiresAt, nil
}

func (s *storage) newAccessTokenLocked(r op.IDTokenRequest) *accessToken {
	t := &accessToken{
		id:        rand.Text(),
		clientID:  r.GetClientID(),
		subject:   r.GetSubject(),
		audience:  slices.Clone(r.GetAudience()),
		scopes:    slices.Clone(r.GetScopes()),
		expiresAt: s.now().Add(accessTokenLifetime),
	}
	s.accessTokens[t.id] = t
	return t
}

// TokenRequestByRefreshToken implements op.Storage.
func (s *storage) TokenRequestByRefreshToken(_ context.Context, token string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refreshTokens[token]
	if !ok || s.now().After(rt.expiresAt) {
		return nil, fmt.Errorf("refresh token: %w", errNotFound)
	}
	return &refreshTokenRequest{
		clientID: rt.clientID,
		subject:  rt.subject,
		scopes:   slices.Clone(rt.scopes),
		amr:      slices.Clone(rt.amr),
		authTime: rt.authTime,
		sid:      rt.sid,
	}, nil
}

// TerminateSession implements op.Storage: signing out of a client ends
// every token that client holds for the user.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.accessTokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.accessTokens, id)
		}
	}
	for token, t := range s.refreshTokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.refreshTokens, token)
		}
	}
	s.logger.Info("idp: signed out", "user_id", userID, "client_id", clientID)
	return nil
}

// GetRefreshTokenInfo implements op.Storage for revocation.
func (s *storage) GetRefreshTokenInfo(_ context.Context, _ string, token string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refreshTokens[token]
	if !ok {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.subject, rt.token, nil
}

// RevokeToken implements op.Storage. A token that is not known is already
// as revoked as it can be, which RFC 7009 answers with success.
func (s *storage) RevokeToken(_ context.Context, tokenOrID, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.accessTokens[tokenOrID]; ok {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.accessTokens, tokenOrID)
		return nil
	}
	if rt, ok := s.refreshTokens[tokenOrID]; ok {
		if rt.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.refreshTokens, tokenOrID)
		delete(s.accessTokens, rt.accessTokenID)
	}
	return nil
}

// activeAccessToken returns a copy of a live access token.
func (s *storage) activeAccessToken(id string) (accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.accessTokens[id]
	if !ok || s.now().After(t.expiresAt) {
		return accessToken{}, fmt.Errorf("access token: %w", errNotFound)
	}
	return *t, nil
}

// sessionID is the sid of the sign-in a token request stands for.
func sessionID(r op.IDTokenRequest) string {
	switch r := r.(type) {
	case *authRequest:
		return r.sid
	case *refreshTokenRequest:
		return r.sid
	}
	return ""
}
