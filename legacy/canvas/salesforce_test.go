package canvas_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/legacy/canvas"
)

// salesforceBody is a request as Salesforce issues it: the shape of its
// documented CanvasRequest example (context.application, context.links, a
// refreshToken, many user fields Atrium does not send), with issuedAt given
// as issued and neither expiresAt nor nonce.
func salesforceBody(issuedAt string) string {
	return `{"context":{"application":{"applicationId":"06Px000000003ed","authType":"SIGNED_REQUEST",` +
		`"canvasUrl":"https://tool.example/canvas","name":"My App","version":"1.0.0"},` +
		`"user":{"accessibilityModeEnabled":false,"email":"admin@example.com","firstName":"Sean","fullName":"Sean Forbes",` +
		`"language":"en_US","userId":"005x0000001SyyEAAS","userName":"admin@example.com","userType":"STANDARD"},` +
		`"environment":{"parameters":{},"dimensions":{"height":"900px","width":"800px"},"displayLocation":"Chatter",` +
		`"locationUrl":"https://example.my.salesforce.com/_ui/core/chatter/ui/ChatterPage","uiTheme":"Theme3","version":{"api":"58.0","season":"SUMMER"}},` +
		`"organization":{"currencyIsoCode":"USD","multicurrencyEnabled":true,"name":"Example Inc.","organizationId":"00Dx00000001hxyEAA"},` +
		`"links":{"chatterFeedsUrl":"/services/data/v58.0/chatter/feeds","loginUrl":"https://login.salesforce.com"}},` +
		`"client":{"instanceId":"06Px000000002JZ","instanceUrl":"https://example.my.salesforce.com",` +
		`"oauthToken":"00Dx0000X00Or4J!ARQAQJ34","refreshToken":null,"targetOrigin":"https://example.my.salesforce.com"},` +
		`"algorithm":"HMACSHA256","userId":"005x0000001SyyEAAS","issuedAt":` + issuedAt + `}`
}

func signBody(body string) string {
	return handSign(secret, base64.StdEncoding.EncodeToString([]byte(body)), base64.StdEncoding)
}

func TestVerifierSalesforceRequests(t *testing.T) {
	issued := now.Unix()
	fromSalesforce := signBody(salesforceBody(fmt.Sprint(issued)))
	partial := signBody(fmt.Sprintf(`{"algorithm":"HMACSHA256","issuedAt":%d,"nonce":"n-1"}`, issued))
	onlyExpiry := signBody(fmt.Sprintf(`{"algorithm":"HMACSHA256","issuedAt":%d,"expiresAt":%d}`, issued, issued+60))
	sig, payload, _ := strings.Cut(fromSalesforce, ".")
	tampered := []byte(payload)
	tampered[len(tampered)/3] ^= 0x02

	for _, tc := range []struct {
		name   string
		maxAge time.Duration
		signed string
		at     time.Time
		want   error // nil: accepted
	}{
		{"refused without MaxAge", 0, fromSalesforce, now, canvas.ErrMalformed},
		{"accepted within MaxAge", 5 * time.Minute, fromSalesforce, now.Add(time.Minute), nil},
		{"accepted just before MaxAge", 5 * time.Minute, fromSalesforce, now.Add(5*time.Minute - time.Nanosecond), nil},
		{"expired at MaxAge", 5 * time.Minute, fromSalesforce, now.Add(5 * time.Minute), canvas.ErrExpired},
		{"expired long after", 5 * time.Minute, fromSalesforce, now.Add(24 * time.Hour), canvas.ErrExpired},
		{"issued within the clock skew", 5 * time.Minute, fromSalesforce, now.Add(-canvas.ClockSkew), nil},
		{"issued beyond the clock skew", 5 * time.Minute, fromSalesforce, now.Add(-canvas.ClockSkew - time.Second), canvas.ErrMalformed},
		{"issuedAt null", 5 * time.Minute, signBody(salesforceBody("null")), now, canvas.ErrMalformed},
		{"issuedAt absent", 5 * time.Minute, signBody(`{"algorithm":"HMACSHA256","userId":"u"}`), now, canvas.ErrMalformed},
		{"a nonce without expiry is not Salesforce's", 5 * time.Minute, partial, now, canvas.ErrMalformed},
		{"an expiry without nonce is not Salesforce's", 5 * time.Minute, onlyExpiry, now, canvas.ErrMalformed},
		{"tampered", 5 * time.Minute, sig + "." + string(tampered), now, canvas.ErrSignature},
		{"other algorithm", 5 * time.Minute, signBody(fmt.Sprintf(`{"algorithm":"none","issuedAt":%d}`, issued)), now, canvas.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := canvas.Verifier{Secret: secret, Nonces: canvas.NewMemoryNonces(), MaxAge: tc.maxAge}
			got, err := v.Verify(tc.signed, tc.at)
			if tc.want != nil {
				if !errors.Is(err, tc.want) || got != nil {
					t.Fatalf("Verify = %+v, %v; want %v", got, err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.UserID != "005x0000001SyyEAAS" || got.Context.User.Email != "admin@example.com" ||
				got.Context.User.FullName != "Sean Forbes" || got.Client.InstanceID != "06Px000000002JZ" ||
				got.Client.TargetOrigin != "https://example.my.salesforce.com" || got.Context.Organization.Name != "Example Inc." {
				t.Errorf("decoded %+v", got)
			}
		})
	}
}

// A MaxAge widens what is accepted only for requests without expiry and
// nonce: Atrium's own requests keep their expiry and their single use.
func TestVerifierMaxAgeKeepsAtriumRules(t *testing.T) {
	v := canvas.Verifier{Secret: secret, Nonces: canvas.NewMemoryNonces(), MaxAge: time.Hour}
	expired := request("n-20")
	expired.ExpiresAt = now.Add(-time.Second).Unix()
	signed, _ := canvas.Sign(secret, expired)
	if _, err := v.Verify(signed, now); !errors.Is(err, canvas.ErrExpired) {
		t.Errorf("expired request, issued just now: %v, want ErrExpired", err)
	}
	fresh, _ := canvas.Sign(secret, request("n-21"))
	if _, err := v.Verify(fresh, now); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if _, err := v.Verify(fresh, now); !errors.Is(err, canvas.ErrReplayed) {
		t.Errorf("second use: %v, want ErrReplayed", err)
	}
}
