package canvas_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/legacy/canvas"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef-canvas")
	now    = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
)

func request(nonce string) canvas.Request {
	return canvas.Request{
		IssuedAt:  now.Unix(),
		ExpiresAt: now.Add(time.Minute).Unix(),
		Nonce:     nonce,
		UserID:    "user-1",
		Context: canvas.Context{
			User: canvas.User{UserID: "user-1", UserName: "ada@example.com", Email: "ada@example.com",
				FullName: "Ada Lovelace", Groups: []string{"sales"}},
			Environment: canvas.Environment{Parameters: canvas.Parameters{CustomerID: "cust-7",
				Links: map[string]string{"erp": "42", "salesforce": "001A"}}},
		},
	}
}

// handSign signs an encoded payload the documented way, with the given
// alphabet for the signature.
func handSign(key []byte, encoded string, enc *base64.Encoding) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(encoded))
	return enc.EncodeToString(h.Sum(nil)) + "." + encoded
}

func TestRoundTrip(t *testing.T) {
	signed, err := canvas.Sign(secret, request("n-1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := canvas.Verify(secret, signed, now.Add(30*time.Second), canvas.NewMemoryNonces())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.Algorithm != canvas.Algorithm || got.Context.User.Email != "ada@example.com" ||
		got.Context.Environment.Parameters.CustomerID != "cust-7" ||
		got.Context.Environment.Parameters.Links["erp"] != "42" || got.Nonce != "n-1" {
		t.Errorf("round trip lost data: %+v", got)
	}
}

func TestRefusals(t *testing.T) {
	signed, err := canvas.Sign(secret, request("n-2"))
	if err != nil {
		t.Fatal(err)
	}
	sig, payload, _ := strings.Cut(signed, ".")
	tampered := []byte(payload)
	tampered[len(tampered)/2] ^= 0x01 // one bit of one byte of the payload
	expiredReq := request("n-3")
	expiredReq.ExpiresAt = now.Add(-time.Second).Unix()
	expired, _ := canvas.Sign(secret, expiredReq)
	noNonce, _ := canvas.Sign(secret, request(""))

	for _, tc := range []struct {
		name   string
		key    []byte
		signed string
		want   error
	}{
		{"tampered payload", secret, sig + "." + string(tampered), canvas.ErrSignature},
		{"tampered signature", secret, "A" + sig[1:] + "." + payload, canvas.ErrSignature},
		{"wrong secret", []byte("another secret of thirty-two bytes!!"), signed, canvas.ErrSignature},
		{"expired", secret, expired, canvas.ErrExpired},
		{"no dot", secret, sig + payload, canvas.ErrMalformed},
		{"empty", secret, "", canvas.ErrMalformed},
		{"signature not base64", secret, "!!!." + payload, canvas.ErrMalformed},
		{"no nonce", secret, noNonce, canvas.ErrMalformed},
		{"payload not JSON", secret, handSign(secret, base64.StdEncoding.EncodeToString([]byte("hello")), base64.StdEncoding), canvas.ErrMalformed},
		{"other algorithm", secret, handSign(secret, base64.StdEncoding.EncodeToString(
			[]byte(`{"algorithm":"none","expiresAt":9999999999,"nonce":"x"}`)), base64.StdEncoding), canvas.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := canvas.Verify(tc.key, tc.signed, now, canvas.NewMemoryNonces())
			if !errors.Is(err, tc.want) || got != nil {
				t.Fatalf("Verify = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestExpiryIsExact(t *testing.T) {
	signed, _ := canvas.Sign(secret, request("n-4"))
	expires := now.Add(time.Minute)
	if _, err := canvas.Verify(secret, signed, expires.Add(-time.Nanosecond), nil); err != nil {
		t.Errorf("just before expiry: %v", err)
	}
	if _, err := canvas.Verify(secret, signed, expires, nil); !errors.Is(err, canvas.ErrExpired) {
		t.Errorf("at expiry: %v, want ErrExpired", err)
	}
}

func TestReplayRefused(t *testing.T) {
	nonces := canvas.NewMemoryNonces()
	signed, _ := canvas.Sign(secret, request("n-5"))
	if _, err := canvas.Verify(secret, signed, now, nonces); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if _, err := canvas.Verify(secret, signed, now.Add(time.Second), nonces); !errors.Is(err, canvas.ErrReplayed) {
		t.Fatalf("second use: %v, want ErrReplayed", err)
	}
	other, _ := canvas.Sign(secret, request("n-6"))
	if _, err := canvas.Verify(secret, other, now, nonces); err != nil {
		t.Fatalf("another nonce: %v", err)
	}
}

// A bad request must not use up the nonce of a good one.
func TestBadRequestsClaimNoNonce(t *testing.T) {
	nonces := canvas.NewMemoryNonces()
	good, _ := canvas.Sign(secret, request("n-7"))
	forged, _ := canvas.Sign([]byte("an attacker's secret, 32 bytes long"), request("n-7"))
	if _, err := canvas.Verify(secret, forged, now, nonces); !errors.Is(err, canvas.ErrSignature) {
		t.Fatalf("forged: %v", err)
	}
	if _, err := canvas.Verify(secret, good, now, nonces); err != nil {
		t.Fatalf("good after forged: %v", err)
	}
}

// Signers differ in alphabet and padding; each variant is signed by hand
// over the encoded text exactly as it is sent.
func TestBase64Variants(t *testing.T) {
	// This payload's standard base64 holds both + and /, so the URL-safe
	// variant really differs.
	body := []byte(`{"algorithm":"HMACSHA256","issuedAt":1773480600,"expiresAt":1773480660,"nonce":"v>?~",` +
		`"userId":"u","context":{"user":{"email":"o'brien+test@example.com"},"environment":{"parameters":` +
		`{"customerId":"c?>>","links":{}}}}}`)
	std := base64.StdEncoding.EncodeToString(body)
	if !strings.ContainsAny(std, "+/") {
		t.Fatalf("fixture does not exercise both alphabets: %s", std)
	}
	for _, tc := range []struct {
		name string
		enc  *base64.Encoding
	}{
		{"standard", base64.StdEncoding},
		{"standard unpadded", base64.RawStdEncoding},
		{"URL-safe", base64.URLEncoding},
		{"URL-safe unpadded", base64.RawURLEncoding},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed := handSign(secret, tc.enc.EncodeToString(body), tc.enc)
			got, err := canvas.Verify(secret, signed, now, nil)
			if err != nil {
				t.Fatalf("Verify(%s): %v", signed, err)
			}
			if got.Context.User.Email != "o'brien+test@example.com" || got.Nonce != "v>?~" {
				t.Errorf("decoded %+v", got)
			}
		})
	}
}

// The signature covers everything after the first dot. A payload with a
// dot in it is signed correctly here: split on the first dot, the signature
// is good and the payload is what is malformed; split on the last, the
// signature would be the part refused.
func TestSplitsOnFirstDot(t *testing.T) {
	encoded := base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"HMACSHA256"}`)) + ".tail"
	_, err := canvas.Verify(secret, handSign(secret, encoded, base64.StdEncoding), now, nil)
	if !errors.Is(err, canvas.ErrMalformed) || !strings.Contains(err.Error(), "payload") {
		t.Fatalf("Verify = %v, want ErrMalformed for the payload (signature accepted)", err)
	}
}

// A request written and signed by hand, as a tool's author reads the format.
func TestHandSignedFixture(t *testing.T) {
	const body = `{
  "algorithm": "HMACSHA256",
  "issuedAt": 1773480600,
  "expiresAt": 1773480660,
  "nonce": "3f9a1c",
  "userId": "auth0|42",
  "client": {"oauthToken": "", "instanceUrl": "", "targetOrigin": ""},
  "context": {
    "user": {"userId": "auth0|42", "userName": "grace@example.com", "email": "grace@example.com",
             "fullName": "Grace Hopper", "groups": ["support", "admins"]},
    "organization": {"organizationId": "", "name": ""},
    "environment": {"locationUrl": "https://erp.example/cust?no=42",
                    "parameters": {"customerId": "cust-9", "links": {"erp": "42"}}}
  }
}`
	encoded := base64.StdEncoding.EncodeToString([]byte(body))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(encoded))
	signed := base64.StdEncoding.EncodeToString(mac.Sum(nil)) + "." + encoded

	got, err := canvas.Verify(secret, signed, time.Unix(1773480630, 0), canvas.NewMemoryNonces())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.UserID != "auth0|42" || got.Context.User.FullName != "Grace Hopper" ||
		strings.Join(got.Context.User.Groups, ",") != "support,admins" ||
		got.Context.Environment.Parameters.CustomerID != "cust-9" ||
		got.Context.Environment.Parameters.Links["erp"] != "42" ||
		!got.Expires().Equal(time.Unix(1773480660, 0)) {
		t.Errorf("decoded %+v", got)
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := canvas.Sign([]byte("short"), request("n")); err == nil {
		t.Error("Sign took a 5-byte secret")
	}
	signed, _ := canvas.Sign(secret, request("n"))
	if _, err := canvas.Verify([]byte("short"), signed, now, nil); err == nil {
		t.Error("Verify took a 5-byte secret")
	}
}
