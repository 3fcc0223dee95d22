package sfsim

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func jwtForm(a string) url.Values {
	return url.Values{"grant_type": {grantJWTBearer}, "assertion": {a}}
}

func goodClaims() jwt.MapClaims {
	return jwt.MapClaims{"iss": testConsumerKey, "sub": DemoUsername, "aud": AudienceProduction,
		"exp": testNow.Add(3 * time.Minute).Unix()}
}

func TestTokenJWTBearer(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.tokenRequest(jwtForm(assertion(t, goodClaims())))
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	var raw map[string]any
	r.decode(t, &raw)
	for _, k := range []string{"access_token", "instance_url", "id", "token_type", "issued_at", "signature", "scope"} {
		if _, ok := raw[k].(string); !ok {
			t.Errorf("answer lacks string %s: %s", k, r)
		}
	}
	for _, k := range []string{"expires_in", "refresh_token"} {
		if _, ok := raw[k]; ok {
			t.Errorf("answer carries %s, which Salesforce does not send", k)
		}
	}
	if !regexp.MustCompile(`^00D[0-9A-Za-z]{12}!AR[0-9A-Za-z._]+$`).MatchString(raw["access_token"].(string)) {
		t.Errorf("access_token %q does not look like a Salesforce session id", raw["access_token"])
	}
	if raw["instance_url"] != h.ts.URL || raw["token_type"] != "Bearer" || raw["scope"] != "api" {
		t.Errorf("answer = %s", r)
	}
	if raw["issued_at"] != strconv.FormatInt(testNow.UnixMilli(), 10) {
		t.Errorf("issued_at = %v, want epoch milliseconds of now as a string", raw["issued_at"])
	}
	if want := h.ts.URL + "/id/" + h.srv.orgID + "/" + DemoUserIntegration; raw["id"] != want {
		t.Errorf("id = %v, want %s", raw["id"], want)
	}
	h.token = raw["access_token"].(string)
	if got := h.get("/services/data/v62.0/limits"); got.status != http.StatusOK {
		t.Errorf("the issued token is refused: %d %s", got.status, got)
	}
	if h.srv.TokensIssued() != 1 || h.srv.Calls(EndpointToken) != 1 {
		t.Errorf("TokensIssued = %d, Calls(token) = %d, want 1 and 1", h.srv.TokensIssued(), h.srv.Calls(EndpointToken))
	}
}

func TestTokenJWTBearerRefused(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	with := func(k string, v any) jwt.MapClaims {
		c := goodClaims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	sign := func(method jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		name, assertion, code, desc string
	}{
		{"wrong key", sign(jwt.SigningMethodRS256, otherKey, goodClaims()), "invalid_grant", "invalid assertion"},
		{"wrong alg HS256", sign(jwt.SigningMethodHS256, []byte("secret"), goodClaims()), "invalid_grant", "invalid assertion"},
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, goodClaims()), "invalid_grant", "invalid assertion"},
		{"wrong alg RS512", sign(jwt.SigningMethodRS512, NewTestKey(), goodClaims()), "invalid_grant", "invalid assertion"},
		{"not a JWT", "not.a.jwt", "invalid_grant", "invalid assertion"},
		{"empty", "", "invalid_grant", "invalid assertion"},
		{"wrong issuer", assertion(t, with("iss", "someone-else")), "invalid_client_id", "client identifier invalid"},
		{"wrong audience", assertion(t, with("aud", "https://example.com")), "invalid_grant", "audience is invalid"},
		{"audience with slash", assertion(t, with("aud", AudienceProduction+"/")), "invalid_grant", "audience is invalid"},
		{"expired", assertion(t, with("exp", testNow.Add(-4*time.Minute).Unix())), "invalid_grant", "expired authorization code"},
		{"no exp", assertion(t, with("exp", nil)), "invalid_grant", "expired authorization code"},
		{"wrong subject", assertion(t, with("sub", "someone@example.com")), "invalid_grant", "user hasn't approved this consumer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			r := h.tokenRequest(jwtForm(tc.assertion))
			var body map[string]string
			r.decode(t, &body)
			if r.status != http.StatusBadRequest || body["error"] != tc.code || body["error_description"] != tc.desc {
				t.Errorf("got %d %s, want 400 %s/%s", r.status, r, tc.code, tc.desc)
			}
			if h.srv.TokensIssued() != 0 {
				t.Errorf("a token was issued")
			}
		})
	}
}

func TestTokenJWTAcceptsSkewAndOtherAudiences(t *testing.T) {
	h := newHarness(t, Options{})
	for name, c := range map[string]jwt.MapClaims{
		"two minutes past exp": {"iss": testConsumerKey, "sub": DemoUsername, "aud": AudienceProduction, "exp": testNow.Add(-2 * time.Minute).Unix()},
		"sandbox audience":     {"iss": testConsumerKey, "sub": DemoUsername, "aud": AudienceSandbox, "exp": testNow.Add(time.Minute).Unix()},
		"own URL audience":     {"iss": testConsumerKey, "sub": DemoUsername, "aud": h.ts.URL, "exp": testNow.Add(time.Minute).Unix()},
		"audience array":       {"iss": testConsumerKey, "sub": DemoUsername, "aud": []string{AudienceProduction}, "exp": testNow.Add(time.Minute).Unix()},
	} {
		if r := h.tokenRequest(jwtForm(assertion(t, c))); r.status != http.StatusOK {
			t.Errorf("%s: %d %s", name, r.status, r)
		}
	}
}

func TestTokenJWTDisabledWithoutKey(t *testing.T) {
	h := newHarness(t, Options{})
	h.srv.opts.PublicKey = nil
	r := h.tokenRequest(jwtForm(assertion(t, goodClaims())))
	if r.status != http.StatusBadRequest || !strings.Contains(r.String(), `"invalid_client_id"`) {
		t.Errorf("got %d %s, want invalid_client_id", r.status, r)
	}
}

func TestTokenClientCredentials(t *testing.T) {
	for _, tc := range []struct {
		name          string
		form          url.Values
		basicID, pass string
		wantStatus    int
		wantBody      string
	}{
		{name: "form", form: url.Values{"client_id": {testClientID}, "client_secret": {testClientSecret}}, wantStatus: 200},
		{name: "basic", basicID: testClientID, pass: testClientSecret, wantStatus: 200},
		{name: "wrong secret", form: url.Values{"client_id": {testClientID}, "client_secret": {"nope"}},
			wantStatus: 400, wantBody: `{"error":"invalid_client","error_description":"invalid client credentials"}`},
		{name: "wrong basic secret", basicID: testClientID, pass: "nope",
			wantStatus: 400, wantBody: `{"error":"invalid_client","error_description":"invalid client credentials"}`},
		{name: "unknown client", form: url.Values{"client_id": {"other"}, "client_secret": {testClientSecret}},
			wantStatus: 400, wantBody: `{"error":"invalid_client_id","error_description":"client identifier invalid"}`},
		{name: "no client", form: url.Values{}, wantStatus: 400,
			wantBody: `{"error":"invalid_client_id","error_description":"client identifier invalid"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			form := url.Values{"grant_type": {"client_credentials"}}
			for k, v := range tc.form {
				form[k] = v
			}
			req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/services/oauth2/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basicID != "" {
				req.SetBasicAuth(url.QueryEscape(tc.basicID), url.QueryEscape(tc.pass))
			}
			resp, err := h.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body json.RawMessage
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantBody != "" && string(body) != tc.wantBody {
				t.Errorf("body = %s, want %s", body, tc.wantBody)
			}
			if tc.wantStatus == 200 && !strings.Contains(string(body), `"access_token":"00D`) {
				t.Errorf("no access token: %s", body)
			}
		})
	}
}

func TestTokenOtherGrants(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}}, `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`},
		{url.Values{}, `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`},
		{url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_id": {testClientID}}, `{"error":"invalid_grant","error_description":"expired access/refresh token"}`},
	} {
		r := h.tokenRequest(tc.form)
		if r.status != http.StatusBadRequest || r.String() != tc.want {
			t.Errorf("%v: %d %s, want 400 %s", tc.form, r.status, r, tc.want)
		}
	}
	r := h.get("/services/oauth2/token")
	if r.status != http.StatusBadRequest || r.String() != `{"error":"invalid_request","error_description":"must use HTTP POST"}` {
		t.Errorf("GET token: %d %s", r.status, r)
	}
}

func TestSessionTimeout(t *testing.T) {
	h := newHarness(t, Options{SessionTimeout: time.Hour}).login()
	if r := h.get("/services/data/v62.0/limits"); r.status != http.StatusOK {
		t.Fatalf("fresh token refused: %d", r.status)
	}
	h.clock.Advance(59 * time.Minute)
	if r := h.get("/services/data/v62.0/limits"); r.status != http.StatusOK {
		t.Fatalf("token used within the timeout refused: %d", r.status)
	}
	h.clock.Advance(61 * time.Minute)
	wantError(t, h.get("/services/data/v62.0/limits"), http.StatusUnauthorized, "INVALID_SESSION_ID")
}

// TestTokenUses: a token serves TokenUses calls; the next is answered 401 as an
// expired session is, and so is every later one; a new token serves again.
func TestTokenUses(t *testing.T) {
	h := newHarness(t, Options{TokenUses: 2}).login()
	for i := range 2 {
		if r := h.get("/services/data/v62.0/limits"); r.status != http.StatusOK {
			t.Fatalf("call %d with a fresh token: %d %s", i+1, r.status, r)
		}
	}
	for range 2 {
		r := h.get("/services/data/v62.0/limits")
		wantError(t, r, http.StatusUnauthorized, "INVALID_SESSION_ID")
		if want := `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`; r.String() != want {
			t.Errorf("body = %s, want %s", r, want)
		}
		if r.header.Get("WWW-Authenticate") != "Token" {
			t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
		}
	}
	if r := h.login().get("/services/data/v62.0/limits"); r.status != http.StatusOK {
		t.Fatalf("new token refused: %d %s", r.status, r)
	}
}
