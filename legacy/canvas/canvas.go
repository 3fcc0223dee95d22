// Package canvas signs and verifies signed requests in the format Salesforce
// Canvas uses to hand a framed app who the user is and what they are looking
// at: base64(HMAC-SHA256(secret, encodedJSON)) + "." + encodedJSON, posted as
// the form field "signed_request". An app written for Canvas reads Atrium's
// requests unchanged; a Go tool verifies them with Verify.
//
// Atrium adds three things the Canvas format leaves out, each where a Canvas
// reader ignores it: "expiresAt" and "nonce" at the top level, beside
// "issuedAt", so that a request is short-lived and usable once; and the
// customer being shown under context.environment.parameters ("customerId" and
// "links", the customer's record id in each connected system).
package canvas

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// FormField is the name of the form field a signed request is posted in.
const FormField = "signed_request"

// Algorithm is the only signing algorithm of the format.
const Algorithm = "HMACSHA256"

// MinSecretLen is the shortest secret Sign and Verify accept.
const MinSecretLen = 32

// Errors of Verify. Each returned error wraps exactly one of them.
var (
	// ErrMalformed: not a signed request, or one missing what Atrium always
	// sends (an algorithm of HMACSHA256, an expiry, a nonce).
	ErrMalformed = errors.New("canvas: malformed signed request")
	// ErrSignature: the signature does not match the payload and secret.
	ErrSignature = errors.New("canvas: bad signature")
	// ErrExpired: the request's expiresAt has passed.
	ErrExpired = errors.New("canvas: signed request expired")
	// ErrReplayed: a request with this nonce was already accepted.
	ErrReplayed = errors.New("canvas: signed request replayed")
)

// Request is the signed JSON: the Canvas CanvasRequest shape, plus ExpiresAt
// and Nonce.
type Request struct {
	Algorithm string `json:"algorithm"`
	// IssuedAt is in seconds since the Unix epoch.
	IssuedAt int64 `json:"issuedAt"`
	// ExpiresAt is in seconds since the Unix epoch; Verify refuses the request
	// from then on.
	ExpiresAt int64 `json:"expiresAt"`
	// Nonce is unique per request; Verify accepts each nonce once.
	Nonce   string  `json:"nonce"`
	UserID  string  `json:"userId"`
	Client  Client  `json:"client"`
	Context Context `json:"context"`
}

// Client describes the caller. Atrium hands no OAuth token to framed tools,
// so OAuthToken stays empty; the field is kept for the Canvas shape.
type Client struct {
	OAuthToken   string `json:"oauthToken"`
	InstanceURL  string `json:"instanceUrl"`
	TargetOrigin string `json:"targetOrigin"`
}

// Context is what the user is doing.
type Context struct {
	User         User         `json:"user"`
	Organization Organization `json:"organization"`
	Environment  Environment  `json:"environment"`
}

// User is the signed-in user. Groups is not part of the Canvas shape: it
// carries the user's groups at the identity provider, for the tool's roles.
type User struct {
	UserID   string   `json:"userId"`
	UserName string   `json:"userName"`
	Email    string   `json:"email"`
	FullName string   `json:"fullName"`
	Groups   []string `json:"groups"`
}

// Organization names the signer.
type Organization struct {
	OrganizationID string `json:"organizationId"`
	Name           string `json:"name"`
}

// Environment is where the tool is shown.
type Environment struct {
	LocationURL string     `json:"locationUrl"`
	Parameters  Parameters `json:"parameters"`
}

// Parameters is the customer on screen.
type Parameters struct {
	// CustomerID is the customer's id in Atrium.
	CustomerID string `json:"customerId"`
	// Links maps a connected system's name to the customer's record id there.
	Links map[string]string `json:"links"`
}

// Expires returns ExpiresAt as a time.
func (r *Request) Expires() time.Time { return time.Unix(r.ExpiresAt, 0) }

// Sign returns r signed with secret, the way Canvas does: the JSON in standard
// base64, the HMAC-SHA256 of that text in standard base64, joined by a dot.
// An empty Algorithm is set to HMACSHA256.
func Sign(secret []byte, r Request) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("canvas: sign: secret shorter than %d bytes", MinSecretLen)
	}
	if r.Algorithm == "" {
		r.Algorithm = Algorithm
	}
	if r.Algorithm != Algorithm {
		return "", fmt.Errorf("canvas: sign: algorithm %q: only %s is defined", r.Algorithm, Algorithm)
	}
	body, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("canvas: sign: %w", err)
	}
	encoded := base64.StdEncoding.EncodeToString(body)
	return base64.StdEncoding.EncodeToString(mac(secret, encoded)) + "." + encoded, nil
}

// Verify checks signed and returns its request. In order, it splits signed on
// the first dot, checks the HMAC over the encoded JSON exactly as received
// (in constant time), decodes the JSON (standard or URL-safe base64, padded or
// not), refuses a request whose expiresAt has passed at now, and finally
// claims the nonce in nonces, so only a valid, unexpired request uses one up.
// A nil nonces skips the replay check: do that only where the caller
// remembers nonces itself.
func Verify(secret []byte, signed string, now time.Time, nonces NonceStore) (*Request, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("canvas: verify: secret shorter than %d bytes", MinSecretLen)
	}
	sigText, encoded, ok := strings.Cut(strings.TrimSpace(signed), ".")
	if !ok || sigText == "" || encoded == "" {
		return nil, fmt.Errorf("%w: want <signature>.<payload>", ErrMalformed)
	}
	sig, err := decodeBase64(sigText)
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrMalformed, err)
	}
	if !hmac.Equal(sig, mac(secret, encoded)) {
		return nil, ErrSignature
	}
	body, err := decodeBase64(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	var r Request
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	switch {
	case r.Algorithm != Algorithm:
		return nil, fmt.Errorf("%w: algorithm %q", ErrMalformed, r.Algorithm)
	case r.ExpiresAt == 0:
		return nil, fmt.Errorf("%w: no expiresAt", ErrMalformed)
	case r.Nonce == "":
		return nil, fmt.Errorf("%w: no nonce", ErrMalformed)
	}
	if !now.Before(r.Expires()) {
		return nil, fmt.Errorf("%w at %s", ErrExpired, r.Expires().UTC().Format(time.RFC3339))
	}
	if nonces != nil {
		fresh, err := nonces.Claim(r.Nonce, now, r.Expires())
		if err != nil {
			return nil, fmt.Errorf("canvas: verify: nonce store: %w", err)
		}
		if !fresh {
			return nil, ErrReplayed
		}
	}
	return &r, nil
}

func mac(secret []byte, encoded string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(encoded))
	return h.Sum(nil)
}

// decodeBase64 accepts the standard and the URL-safe alphabet, with or
// without padding, as signers differ.
func decodeBase64(s string) ([]byte, error) {
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	return enc.Strict().DecodeString(strings.TrimRight(s, "="))
}
