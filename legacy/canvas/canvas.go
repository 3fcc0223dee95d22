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
//
// The "client" block is filled as Salesforce's browser SDK needs it: the
// frame's instanceId, the targetOrigin and instanceUrl of the page that frames
// the tool, and an oauthToken, which is NoOAuthToken unless the embedding
// names one.
//
// A Verifier with a MaxAge also accepts requests as Salesforce issues them,
// without expiresAt and nonce, so that one tool can verify both.
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

// NoOAuthToken is the client block's oauthToken when the embedding hands the
// tool no token. Salesforce's browser SDK treats an empty token as missing and
// refuses every call (ctx, subscribe, publish) before it reaches the page, so
// the field is never left empty; this value grants nothing anywhere.
const NoOAuthToken = "none"

// ClockSkew is how far in the future a request's issuedAt may lie, for a
// request accepted by its age (Verifier.MaxAge): the signer's clock may run
// ahead of the verifier's.
const ClockSkew = time.Minute

// Errors of Verify. Each returned error wraps exactly one of them.
var (
	// ErrMalformed: not a signed request, or one missing what Atrium always
	// sends (an algorithm of HMACSHA256, an expiry, a nonce), or, accepted by
	// its age, one without an issuedAt or issued in the future.
	ErrMalformed = errors.New("canvas: malformed signed request")
	// ErrSignature: the signature does not match the payload and secret.
	ErrSignature = errors.New("canvas: bad signature")
	// ErrExpired: the request's expiresAt has passed, or, accepted by its
	// age, it is MaxAge old.
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

// Client is what the tool's browser SDK passes back to the page that frames
// it, with the field names of Salesforce's CanvasRequest.
type Client struct {
	// OAuthToken is a token the tool may use, or NoOAuthToken.
	OAuthToken string `json:"oauthToken"`
	// InstanceID names the frame, different for each frame rendered.
	InstanceID string `json:"instanceId"`
	// InstanceURL is the URL of the portal that frames the tool.
	InstanceURL string `json:"instanceUrl"`
	// TargetOrigin is the portal's origin, which the SDK posts its messages
	// to.
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

// Verify checks signed and returns its request, as Verifier.Verify does for
// a Verifier with this secret and nonce store and no MaxAge.
func Verify(secret []byte, signed string, now time.Time, nonces NonceStore) (*Request, error) {
	return Verifier{Secret: secret, Nonces: nonces}.Verify(signed, now)
}

// Verifier checks the signed requests of one secret.
type Verifier struct {
	// Secret is the HMAC key, at least MinSecretLen bytes.
	Secret []byte
	// Nonces remembers the nonces of accepted requests. nil skips the replay
	// check: leave it nil only where the caller remembers nonces itself.
	Nonces NonceStore
	// MaxAge, when positive, also accepts a request that carries neither
	// expiresAt nor nonce, as Salesforce issues them: from ClockSkew before
	// its issuedAt until MaxAge after. Such a request has no nonce, so it
	// may be replayed within MaxAge; keep MaxAge short. One without an
	// issuedAt (Salesforce documents it as null in places) has no age and is
	// refused. Zero accepts only requests with an expiry and a nonce.
	MaxAge time.Duration
}

// Verify checks signed and returns its request. In order, it splits signed on
// the first dot, checks the HMAC over the encoded JSON exactly as received
// (in constant time), decodes the JSON (standard or URL-safe base64, padded or
// not), refuses a request whose expiresAt has passed at now (or, accepted by
// its age, one MaxAge old), and finally claims the nonce in v.Nonces, so only
// a valid, unexpired request uses one up.
func (v Verifier) Verify(signed string, now time.Time) (*Request, error) {
	if len(v.Secret) < MinSecretLen {
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
	// hmac.Equal takes the same time wherever the two differ.
	if !hmac.Equal(sig, mac(v.Secret, encoded)) {
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
	if r.Algorithm != Algorithm {
		return nil, fmt.Errorf("%w: algorithm %q", ErrMalformed, r.Algorithm)
	}
	if v.MaxAge > 0 && r.ExpiresAt == 0 && r.Nonce == "" {
		if err := v.checkAge(&r, now); err != nil {
			return nil, err
		}
		return &r, nil
	}
	switch {
	case r.ExpiresAt == 0:
		return nil, fmt.Errorf("%w: no expiresAt", ErrMalformed)
	case r.Nonce == "":
		return nil, fmt.Errorf("%w: no nonce", ErrMalformed)
	}
	if !now.Before(r.Expires()) {
		return nil, fmt.Errorf("%w at %s", ErrExpired, r.Expires().UTC().Format(time.RFC3339))
	}
	if v.Nonces != nil {
		fresh, err := v.Nonces.Claim(r.Nonce, now, r.Expires())
		if err != nil {
			return nil, fmt.Errorf("canvas: verify: nonce store: %w", err)
		}
		if !fresh {
			return nil, ErrReplayed
		}
	}
	return &r, nil
}

// checkAge holds a request without expiry and nonce to v.MaxAge from its
// issuedAt.
func (v Verifier) checkAge(r *Request, now time.Time) error {
	if r.IssuedAt == 0 {
		return fmt.Errorf("%w: no issuedAt, so its age is unknown", ErrMalformed)
	}
	issued := time.Unix(r.IssuedAt, 0)
	if issued.After(now.Add(ClockSkew)) {
		return fmt.Errorf("%w: issued in the future, at %s", ErrMalformed, issued.UTC().Format(time.RFC3339))
	}
	if !now.Before(issued.Add(v.MaxAge)) {
		return fmt.Errorf("%w: issued at %s, older than %s", ErrExpired, issued.UTC().Format(time.RFC3339), v.MaxAge)
	}
	return nil
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
