package idp

import (
	"log/slog"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequest is one authorization request, from /authorize until its code
// is exchanged. The storage hands the library copies, so the sign-in page can
// complete the stored one while a copy is being read.
type authRequest struct {
	id            string
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	loginHint     string
	codeChallenge oidc.CodeChallenge
	createdAt     time.Time

	code     string // the latest code issued for it, if any
	done     bool   // a user has signed in
	userID   string
	authTime time.Time
	// sid names this sign-in, the provider's session of it, in the ID
	// tokens it yields and in the logout token that ends it.
	sid string
}

var (
	_ op.AuthRequest    = (*authRequest)(nil)
	_ op.LogAuthRequest = (*authRequest)(nil)
)

func (a *authRequest) GetID() string                      { return a.id }
func (a *authRequest) GetACR() string                     { return "" }
func (a *authRequest) GetAudience() []string              { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time             { return a.authTime }
func (a *authRequest) GetClientID() string                { return a.clientID }
func (a *authRequest) GetNonce() string                   { return a.nonce }
func (a *authRequest) GetRedirectURI() string             { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.responseMode }
func (a *authRequest) GetScopes() []string                { return a.scopes }
func (a *authRequest) GetState() string                   { return a.state }
func (a *authRequest) GetSubject() string                 { return a.userID }
func (a *authRequest) Done() bool                         { return a.done }

func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	c := a.codeChallenge
	return &c
}

// GetAMR says a password was used, the only way to sign in here.
func (a *authRequest) GetAMR() []string {
	if !a.done {
		return nil
	}
	return []string{"pwd"}
}

// LogValue lets the library log a failed request without its id, state,
// nonce or code, which a reader of the logs could otherwise replay.
func (a *authRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", a.clientID),
		slog.String("redirect_uri", a.redirectURI),
		slog.Any("scopes", a.scopes),
	)
}

// copy is what the storage hands out; see authRequest.
func (a *authRequest) copy() *authRequest {
	c := *a
	return &c
}

func (a *authRequest) expired(now time.Time) bool {
	return now.Sub(a.createdAt) > authRequestLifetime
}

// refreshTokenRequest is what a refresh token stands for: the sign-in it was
// issued for. SetCurrentScopes narrows the scopes of one refresh only.
type refreshTokenRequest struct {
	clientID string
	subject  string
	scopes   []string
	amr      []string
	authTime time.Time
	sid      string
}

var _ op.RefreshTokenRequest = (*refreshTokenRequest)(nil)

func (r *refreshTokenRequest) GetAMR() []string                 { return r.amr }
func (r *refreshTokenRequest) GetAudience() []string            { return []string{r.clientID} }
func (r *refreshTokenRequest) GetAuthTime() time.Time           { return r.authTime }
func (r *refreshTokenRequest) GetClientID() string              { return r.clientID }
func (r *refreshTokenRequest) GetScopes() []string              { return r.scopes }
func (r *refreshTokenRequest) GetSubject() string               { return r.subject }
func (r *refreshTokenRequest) SetCurrentScopes(scopes []string) { r.scopes = scopes }
