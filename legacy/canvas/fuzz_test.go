package canvas_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/legacy/canvas"
)

// FuzzVerify: whatever it is given, Verify does not panic, refuses with
// exactly one of its errors and no request, and accepts only what carries
// the HMAC of its payload under the secret and is fresh at now. Each input
// is a signed request as received, and a JSON body that is signed with the
// secret first, so that the checks after the signature's are reached too.
func FuzzVerify(f *testing.F) {
	good, _ := canvas.Sign(secret, request("f-1"))
	f.Add(good, salesforceBody(fmt.Sprint(now.Unix())))
	f.Add(signBody(salesforceBody(fmt.Sprint(now.Unix()))), salesforceBody("null"))
	f.Add(handSign(secret, base64.RawURLEncoding.EncodeToString([]byte(`{"algorithm":"HMACSHA256","issuedAt":1}`)), base64.RawURLEncoding),
		fmt.Sprintf(`{"algorithm":"HMACSHA256","expiresAt":%d,"nonce":"x"}`, now.Unix()+1))
	f.Add("", fmt.Sprintf(`{"algorithm":"HMACSHA256","issuedAt":%d,"nonce":"x"}`, now.Unix()))
	f.Add(".", `{"algorithm":"HMACSHA256","issuedAt":"1"}`)
	f.Add("a.b.c", `{}`)
	f.Add(strings.Replace(good, ".", "..", 1), `null`)

	f.Fuzz(func(t *testing.T, signed, body string) {
		v := canvas.Verifier{Secret: secret, Nonces: canvas.NewMemoryNonces(), MaxAge: 5 * time.Minute}
		checkVerify(t, v, signed)
		checkVerify(t, v, signBody(body))
	})
}

var sentinels = []error{canvas.ErrMalformed, canvas.ErrSignature, canvas.ErrExpired, canvas.ErrReplayed}

func checkVerify(t *testing.T, v canvas.Verifier, signed string) {
	t.Helper()
	got, err := v.Verify(signed, now)
	if err != nil {
		n := 0
		for _, s := range sentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 || got != nil {
			t.Fatalf("Verify(%q) = %+v, %v: want no request and exactly one of its errors", signed, got, err)
		}
		return
	}
	sigText, encoded, _ := strings.Cut(strings.TrimSpace(signed), ".")
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(encoded))
	want := h.Sum(nil)
	var sig []byte
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(strings.TrimRight(sigText, "=")); err == nil {
			sig = b
			break
		}
	}
	if !hmac.Equal(sig, want) {
		t.Fatalf("Verify accepted %q without the payload's HMAC", signed)
	}
	switch {
	case got.Algorithm != canvas.Algorithm:
		t.Fatalf("accepted algorithm %q", got.Algorithm)
	case got.ExpiresAt == 0 && got.Nonce == "":
		issued := time.Unix(got.IssuedAt, 0)
		if got.IssuedAt == 0 || issued.After(now.Add(canvas.ClockSkew)) || !now.Before(issued.Add(v.MaxAge)) {
			t.Fatalf("accepted a request issued at %d outside its age", got.IssuedAt)
		}
	case got.ExpiresAt == 0 || got.Nonce == "" || !now.Before(got.Expires()):
		t.Fatalf("accepted expiry %d, nonce %q", got.ExpiresAt, got.Nonce)
	}
	if _, err := v.Verify(signed, now); got.Nonce != "" && !errors.Is(err, canvas.ErrReplayed) {
		t.Fatalf("a second use of nonce %q: %v", got.Nonce, err)
	}
}
