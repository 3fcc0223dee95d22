package idp

import (
	"context"
	"errors"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// setUserinfo fills in the claims each granted scope stands for. The ID
// token, userinfo and introspection all use it, so they never disagree.
func (s *storage) setUserinfo(info *oidc.UserInfo, userID string, scopes []string) error {
	u, ok := s.users[userID]
	if !ok {
		return fmt.Errorf("user %q: %w", userID, errNotFound)
	}
	info.Subject = u.ID
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeProfile:
			info.Name = u.Name
			info.GivenName = u.GivenName
			info.FamilyName = u.FamilyName
			info.PreferredUsername = u.Username
		case oidc.ScopeEmail:
			info.Email = u.Email
			info.EmailVerified = true
		case scopeGroups:
			// Never nil, so a user in no group gets "groups": [] rather than
			// null, which some relying parties refuse.
			info.AppendClaims(scopeGroups, append([]string{}, u.Groups...))
		}
	}
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest; it is how
// the claims reach the ID token.
// It also names the sign-in (sid), which a back-channel logout names again.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.setUserinfo(info, req.GetSubject(), scopes); err != nil {
		return err
	}
	if sid := sessionID(req); sid != "" {
		info.AppendClaims("sid", sid)
	}
	return nil
}

// SetUserinfoFromScopes implements op.Storage. The library documents it as
// superseded by SetUserinfoFromRequest, which does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromToken implements op.Storage for the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.activeAccessToken(tokenID)
	if err != nil {
		return err
	}
	if t.subject != subject {
		return fmt.Errorf("access token: subject mismatch")
	}
	return s.setUserinfo(info, t.subject, t.scopes)
}

// SetIntrospectionFromToken implements op.Storage. A client may introspect
// only tokens issued for it.
func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.activeAccessToken(tokenID)
	if err != nil {
		return err
	}
	if t.subject != subject || !slices.Contains(t.audience, clientID) {
		return fmt.Errorf("access token: not issued to client %q", clientID)
	}
	info := new(oidc.UserInfo)
	if err := s.setUserinfo(info, t.subject, t.scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope = t.scopes
	resp.ClientID = t.clientID
	resp.Audience = t.audience
	resp.Expiration = oidc.FromTime(t.expiresAt)
	return nil
}

// GetPrivateClaimsFromScopes implements op.Storage. It is asked only for JWT
// access tokens; the access tokens here are opaque, so there is nothing to add.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

var errNoJWTProfile = errors.New("JWT profile grant and private_key_jwt are not supported")

// GetKeyByIDAndClientID implements op.Storage. No client has keys, which
// turns the JWT profile grant the library always routes into a refusal.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNoJWTProfile
}

// ValidateJWTProfileScopes implements op.Storage; see GetKeyByIDAndClientID.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNoJWTProfile
}
