// Package idp is the development OpenID Provider that `atrium demo` runs in
// process, so single sign-on works with no outside identity provider.
//
// The protocol (discovery, authorization code flow with PKCE, tokens,
// userinfo, refresh, RP-initiated logout, JWKS) is handled by
// github.com/zitadel/oidc/v3/pkg/op, an OpenID-certified implementation. This
// package adds only what that library leaves to its users: an in-memory
// store of users, clients, auth requests and tokens, a signing key, and a
// plain sign-in page. Everything lives in memory for the lifetime of the
// process; it is meant for demos and tests, never for real accounts.
package idp
