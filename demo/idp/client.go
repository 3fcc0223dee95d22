package idp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Client is a relying party registered at the provider. A client with a
// Secret is confidential (client_secret_basic or client_secret_post); one
// without is public and must use PKCE, like any client here.
type Client struct {
	ID                     string
	Secret                 string
	RedirectURIs           []string // exact match
	PostLogoutRedirectURIs []string // exact match; end_session refuses any other
	// BackChannelLogoutURI, when set, is sent a logout token whenever the
	// user signs out of this client here (Back-Channel Logout 1.0).
	BackChannelLogoutURI string
}

// scopeGroups asks for the "groups" claim. It is the only scope beyond the
// standard ones that clients may request.
const scopeGroups = "groups"

// Lifetimes are long enough for a demo session and short enough that a
// leaked token of a demo run soon stops working.
const (
	idTokenLifetime      = time.Hour
	accessTokenLifetime  = time.Hour
	refreshTokenLifetime = 24 * time.Hour
	authRequestLifetime  = 10 * time.Minute
)

// client adapts a Client to the op.Client the library asks the storage for.
type client struct {
	cfg      Client
	loginURL func(authRequestID string) string
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string                       { return c.cfg.ID }
func (c *client) RedirectURIs() []string              { return c.cfg.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return c.cfg.PostLogoutRedirectURIs }
func (c *client) LoginURL(id string) string           { return c.loginURL(id) }
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return idTokenLifetime }
func (c *client) ClockSkew() time.Duration            { return 0 }

// DevMode stays off: it would let any http redirect URI through. Plain http
// is still allowed where OAuth allows it, for confidential clients using the
// code flow and for public clients on loopback.
func (c *client) DevMode() bool { return false }

// ApplicationType is web for a confidential client; a public one is native,
// which the library lets use loopback redirect URIs on any port (RFC 8252).
func (c *client) ApplicationType() op.ApplicationType {
	if c.cfg.Secret == "" {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.cfg.Secret == "" {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

// Only the code flow is offered: implicit and hybrid flows put tokens in
// URLs and are not needed by any relying party here.
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// IsScopeAllowed is asked only for non-standard scopes; without it the
// library silently drops "groups" from the request.
func (c *client) IsScopeAllowed(scope string) bool { return scope == scopeGroups }

// IDTokenUserinfoClaimsAssertion puts profile, email and groups claims in the
// ID token too, so a relying party need not call userinfo after sign-in.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }

var errUnknownClient = errors.New("unknown client")

// GetClientByClientID implements op.Storage.
func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	c, ok := s.clients[clientID]
	if !ok {
		return nil, fmt.Errorf("client %q: %w", clientID, errUnknownClient)
	}
	return c, nil
}

// AuthorizeClientIDSecret implements op.Storage. The comparison takes the
// same time whether the secret is right or not.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, clientSecret string) error {
	c, ok := s.clients[clientID]
	if !ok {
		return fmt.Errorf("client %q: %w", clientID, errUnknownClient)
	}
	if c.cfg.Secret == "" || subtle.ConstantTimeCompare([]byte(c.cfg.Secret), []byte(clientSecret)) != 1 {
		return fmt.Errorf("client %q: wrong secret", clientID)
	}
	return nil
}
