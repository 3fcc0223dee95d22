// Package assertion issues and verifies the identity assertion that Atrium's
// authenticating proxy adds to every request it forwards to a tool: a
// short-lived JWT (HS256, keyed with the tool's own secret) naming the
// signed-in user. A tool behind the proxy calls Verify on the header's value
// instead of trusting the plain X-Forwarded-* headers beside it.
package assertion

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Header is the request header that carries the assertion.
const Header = "X-Atrium-Assertion"

// Issuer is the "iss" of every assertion.
const Issuer = "atrium"

// MinSecretLen is the shortest secret Sign and Verify accept: HS256 keys are
// only as strong as their length.
const MinSecretLen = 32

// Errors of Verify. Each returned error wraps one of them.
var (
	// ErrInvalid: not a well-formed assertion signed with the secret for
	// this tool (bad signature, other algorithm, issuer or audience, no
	// subject).
	ErrInvalid = errors.New("assertion: invalid")
	// ErrExpired: a valid assertion whose lifetime has passed, or one issued
	// in the future.
	ErrExpired = errors.New("assertion: expired")
)

// Claims is what an assertion says: the user, the tool it is meant for (the
// audience) and its lifetime.
type Claims struct {
	Email  string   `json:"email,omitempty"`
	Name   string   `json:"name,omitempty"`
	Groups []string `json:"groups"`
	jwt.RegisteredClaims
}

// Identity is the user an assertion names.
type Identity struct {
	Subject, Email, Name string
	Groups               []string
}

// Sign returns an assertion for toolID naming who, issued at now, valid for
// ttl, with id as its "jti".
func Sign(secret []byte, toolID string, who Identity, now time.Time, ttl time.Duration, id string) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("assertion: sign: secret shorter than %d bytes", MinSecretLen)
	}
	if who.Subject == "" {
		return "", errors.New("assertion: sign: no subject")
	}
	groups := who.Groups
	if groups == nil {
		groups = []string{}
	}
	c := Claims{
		Email:  who.Email,
		Name:   who.Name,
		Groups: groups,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   who.Subject,
			Audience:  jwt.ClaimStrings{toolID},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			ID:        id,
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("assertion: sign: %w", err)
	}
	return s, nil
}

// leeway absorbs small clock differences between Atrium and the tool; it is
// small against the assertion's lifetime of about a minute.
const leeway = 5 * time.Second

// Verify checks token for the tool toolID at time now: HS256 only, signed
// with secret, issued by Atrium for this tool, with a subject, and within
// its lifetime (give or take a few seconds of clock skew).
func Verify(secret []byte, toolID, token string, now time.Time) (Claims, error) {
	if len(secret) < MinSecretLen {
		return Claims{}, fmt.Errorf("assertion: verify: secret shorter than %d bytes", MinSecretLen)
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c,
		func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(toolID),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet),
		errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return Claims{}, fmt.Errorf("%w: %v", ErrExpired, err)
	case err != nil:
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	case c.Subject == "":
		return Claims{}, fmt.Errorf("%w: no subject", ErrInvalid)
	}
	return c, nil
}
