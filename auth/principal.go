// Package auth signs users in through an OpenID Connect provider (authorization
// code flow with PKCE, state and nonce), keeps their sessions server-side, and
// guards state-changing requests against cross-site forgery.
package auth

import (
	"context"
	"slices"
)

// Principal is the signed-in user as the identity provider described them.
type Principal struct {
	Subject string
	Email   string
	Name    string
	Groups  []string
}

// InGroup reports whether the user belongs to group.
func (p Principal) InGroup(group string) bool { return slices.Contains(p.Groups, group) }

// DisplayName is what the page header shows for the user.
func (p Principal) DisplayName() string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Email != "":
		return p.Email
	}
	return p.Subject
}

type principalKey struct{}

// WithPrincipal returns a context carrying the signed-in user.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the signed-in user carried by ctx.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
