package salesforce

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/atrium-dev/atrium/adapters"
)

func okQuery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, page(1, "", rec("Account", "001A0000006Vm9rIAC", `"Name":"Acme"`)))
}

func TestJWTBearerAssertion(t *testing.T) {
	key, _ := newTestKey(t)
	o := newFakeOrg(t, okQuery)
	c, err := NewClient(Config{
		LoginURL:    o.url(),
		Credentials: JWTBearer{ClientID: "3MVG9-consumer-key", Username: "integration@acme.example", Key: key},
		HTTP:        o.srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	c.now = func() time.Time { return now }
	if _, err := c.Query(context.Background(), "SELECT Id FROM Account", QueryOptions{}); err != nil {
		t.Fatal(err)
	}

	forms := o.tokenForms()
	if len(forms) != 1 {
		t.Fatalf("%d token requests, want 1", len(forms))
	}
	form := forms[0]
	if got := form.Get("grant_type"); got != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		t.Errorf("grant_type = %q", got)
	}
	if form.Has("client_secret") || form.Has("client_id") {
		t.Errorf("JWT flow sent client fields: %v", form)
	}
	assertion := form.Get("assertion")
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		t.Fatalf("assertion %q is not a JWS", assertion)
	}
	var header, claims map[string]any
	decodeSegment(t, parts[0], &header)
	decodeSegment(t, parts[1], &claims)
	if header["alg"] != "RS256" {
		t.Errorf("header = %v, want alg RS256", header)
	}
	want := map[string]any{
		"iss": "3MVG9-consumer-key",
		"sub": "integration@acme.example",
		"aud": "https://login.salesforce.com", // a string, not an array
		"exp": float64(now.Add(3 * time.Minute).Unix()),
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %#v, want %#v", k, claims[k], v)
		}
	}
	// The signature must verify with the public key of the connected app's certificate.
	_, err = jwt.NewParser(jwt.WithValidMethods([]string{"RS256"})).Parse(assertion,
		func(*jwt.Token) (any, error) { return &key.PublicKey, nil })
	if err != nil {
		t.Errorf("assertion does not verify: %v", err)
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestJWTAudience(t *testing.T) {
	tests := []struct{ login, override, want string }{
		{"https://login.salesforce.com", "", ProductionAudience},
		{"https://test.salesforce.com", "", SandboxAudience},
		{"https://acme--uat.sandbox.my.salesforce.com", "", SandboxAudience},
		{"https://acme.my.salesforce.com", "", ProductionAudience},
		{"https://login.salesforce.com", "https://acme.my.site.com", "https://acme.my.site.com"},
	}
	key, _ := newTestKey(t)
	for _, tt := range tests {
		c, err := NewClient(Config{LoginURL: tt.login, Credentials: JWTBearer{ClientID: "id", Username: "u", Audience: tt.override, Key: key}})
		if err != nil {
			t.Fatal(err)
		}
		form, err := c.creds.tokenForm(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		decodeSegment(t, strings.Split(form.Get("assertion"), ".")[1], &claims)
		if claims["aud"] != tt.want {
			t.Errorf("login %s, audience %q: aud = %v, want %s", tt.login, tt.override, claims["aud"], tt.want)
		}
	}
}

func TestClientCredentialsBody(t *testing.T) {
	o := newFakeOrg(t, okQuery)
	var contentType string
	o.tokenReply = func(w http.ResponseWriter, r *http.Request) {
		contentType = r.Header.Get("Content-Type")
		o.setValid("tok")
		writeJSON(w, 200, `{"access_token":"tok","instance_url":"`+o.srv.URL+`","token_type":"Bearer","issued_at":"1278448832702"}`)
	}
	if _, err := o.client(t).Query(context.Background(), "SELECT Id FROM Account", QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	forms := o.tokenForms()
	if len(forms) != 1 {
		t.Fatalf("%d token requests", len(forms))
	}
	want := "client_id=3MVG9-consumer-key&client_secret=s3cret&grant_type=client_credentials"
	if got := forms[0].Encode(); got != want {
		t.Errorf("token body = %s, want %s", got, want)
	}
	if contentType != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", contentType)
	}
}

// TestDataCallsGoToInstanceURL: the token answer names the instance; the login
// host sees only the token request.
func TestDataCallsGoToInstanceURL(t *testing.T) {
	inst := newFakeOrg(t, okQuery)
	inst.setValid("instance-token")
	instURL := inst.url()
	login := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("data request to the login host: %s", r.URL) })
	login.tokenReply = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"access_token":"instance-token","instance_url":"`+instURL+`/","issued_at":"1278448832702"}`)
	}
	c := login.client(t)
	if _, err := c.Query(context.Background(), "SELECT Id FROM Account", QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	if inst.dataRequests.Load() != 1 || inst.tokenRequests.Load() != 0 || login.dataRequests.Load() != 0 {
		t.Errorf("instance: %d data, %d token requests; login: %d data requests",
			inst.dataRequests.Load(), inst.tokenRequests.Load(), login.dataRequests.Load())
	}
	if got := c.InstanceURL(); got != instURL {
		t.Errorf("InstanceURL() = %q, want %q", got, instURL)
	}
	c.mu.Lock()
	issued := c.sess.issuedAt
	c.mu.Unlock()
	if got := issued; !got.Equal(time.UnixMilli(1278448832702)) {
		t.Errorf("issued_at read as %v", got)
	}
}

func TestTokenRefused(t *testing.T) {
	o := newFakeOrg(t, okQuery)
	o.tokenReply = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"error":"invalid_grant","error_description":"audience is invalid"}`)
	}
	_, err := o.client(t).Query(context.Background(), "SELECT Id FROM Account", QueryOptions{})
	assertClass(t, err, adapters.ErrAuth)
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.Description != "audience is invalid" || oe.Status != 400 {
		t.Fatalf("error %v is not the OAuth error", err)
	}
	want := "salesforce: query: authentication failed (invalid_grant: audience is invalid): check login_url and audience"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Error() = %q, want prefix %q", err, want)
	}
	if n := o.dataRequests.Load(); n != 0 {
		t.Errorf("%d data requests without a token", n)
	}
}

func TestTokenAnswerShape(t *testing.T) {
	bodies := []string{
		htmlPage,
		`{"instance_url":"https://x.my.salesforce.com","issued_at":"1"}`,
		`{"access_token":"t","instance_url":"/relative","issued_at":"1"}`,
		`{"access_token":"t","instance_url":"https://x.my.salesforce.com","issued_at":1278448832702}`,
		`{"access_token":"t","instance_url":"https://x.my.salesforce.com","issued_at":"yesterday"}`,
	}
	for _, body := range bodies {
		o := newFakeOrg(t, okQuery)
		o.tokenReply = func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }
		_, err := o.client(t).Query(context.Background(), "SELECT Id FROM Account", QueryOptions{})
		assertClass(t, err, adapters.ErrBadResponse)
		if o.dataRequests.Load() != 0 {
			t.Errorf("%s: data request made", body)
		}
	}
}
