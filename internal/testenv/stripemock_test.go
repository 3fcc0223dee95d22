package testenv

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStripeMockAnswersLikeStripe(t *testing.T) {
	sm := StartStripeMock(t)
	if !strings.HasPrefix(sm.URL, "http://127.0.0.1:") || !strings.HasPrefix(sm.HTTPSURL, "https://127.0.0.1:") {
		t.Errorf("URLs = %q, %q; want loopback http and https", sm.URL, sm.HTTPSURL)
	}
	get := func(key string) (int, map[string]any) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, sm.URL+"/v1/customers/cus_123", nil)
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("decode: %v", err)
		}
		return resp.StatusCode, body
	}
	if status, body := get(StripeMockKey); status != http.StatusOK || body["object"] != "customer" || body["id"] != "cus_123" {
		t.Errorf("GET customer with a key = %d %v, want 200 and the customer cus_123", status, body)
	}
	if status, body := get(""); status != http.StatusUnauthorized || body["error"] == nil {
		t.Errorf("GET customer without a key = %d %v, want 401 with an error object", status, body)
	}
}

func TestStartStripeMockWithoutBinaryFailsWithAdvice(t *testing.T) {
	t.Setenv("ATRIUM_STRIPE_MOCK", filepath.Join(t.TempDir(), "missing-stripe-mock"))
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() { // StartStripeMock ends this goroutine through rec.Fatalf
		defer close(done)
		StartStripeMock(rec)
	}()
	<-done
	if !rec.Failed() || !containsText(rec.errors, "scripts/install-test-deps.sh") {
		t.Errorf("StartStripeMock without a binary: failed=%v, errors %q; want a failure naming the install script",
			rec.Failed(), rec.errors)
	}
}
