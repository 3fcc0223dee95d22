package assertion_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/atrium-dev/atrium/legacy/assertion"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef-assert")
	now    = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	who    = assertion.Identity{Subject: "auth0|42", Email: "grace@example.com", Name: "Grace Hopper", Groups: []string{"support"}}
)

func TestRoundTrip(t *testing.T) {
	tok, err := assertion.Sign(secret, "erp", who, now, time.Minute, "jti-1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := assertion.Verify(secret, "erp", tok, now.Add(30*time.Second))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.Subject != who.Subject || c.Email != who.Email || c.Name != who.Name || !slices.Equal(c.Groups, who.Groups) ||
		c.Issuer != "atrium" || !slices.Equal(c.Audience, jwt.ClaimStrings{"erp"}) || c.ID != "jti-1" ||
		!c.ExpiresAt.Equal(now.Add(time.Minute)) || !c.IssuedAt.Equal(now) {
		t.Errorf("claims %+v", c)
	}
}

func TestRefusals(t *testing.T) {
	good, _ := assertion.Sign(secret, "erp", who, now, time.Minute, "j")
	otherKey, _ := assertion.Sign([]byte("another secret of thirty-two bytes!!"), "erp", who, now, time.Minute, "j")
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, assertion.Claims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer: "atrium", Subject: "x", Audience: jwt.ClaimStrings{"erp"},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))}}).SignedString(secret)
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": "atrium", "sub": "x", "aud": "erp",
		"exp": now.Add(time.Minute).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	otherIssuer, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "someone", "sub": "x", "aud": "erp",
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}).SignedString(secret)
	noExpiry, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "atrium", "sub": "x", "aud": "erp",
		"iat": now.Unix()}).SignedString(secret)
	noSubject, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "atrium", "aud": "erp",
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}).SignedString(secret)

	for _, tc := range []struct {
		name, tool, token string
		at                time.Time
		want              error
	}{
		{"wrong secret", "erp", otherKey, now, assertion.ErrInvalid},
		{"other tool", "crm", good, now, assertion.ErrInvalid},
		{"expired", "erp", good, now.Add(2 * time.Minute), assertion.ErrExpired},
		{"issued in the future", "erp", good, now.Add(-time.Minute), assertion.ErrExpired},
		{"HS512", "erp", hs512, now, assertion.ErrInvalid},
		{"alg none", "erp", unsigned, now, assertion.ErrInvalid},
		{"other issuer", "erp", otherIssuer, now, assertion.ErrInvalid},
		{"no expiry", "erp", noExpiry, now, assertion.ErrInvalid},
		{"no subject", "erp", noSubject, now, assertion.ErrInvalid},
		{"empty", "erp", "", now, assertion.ErrInvalid},
		{"tampered", "erp", good[:len(good)-3] + "AAA", now, assertion.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := assertion.Verify(secret, tc.tool, tc.token, tc.at); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := assertion.Sign([]byte("short"), "erp", who, now, time.Minute, "j"); err == nil {
		t.Error("Sign took a 5-byte secret")
	}
	tok, _ := assertion.Sign(secret, "erp", who, now, time.Minute, "j")
	if _, err := assertion.Verify([]byte("short"), "erp", tok, now); err == nil {
		t.Error("Verify took a 5-byte secret")
	}
}
