package sfsim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

const limitsPath = "/services/data/v62.0/limits"

func TestFaultExpireSessions(t *testing.T) {
	h := smallHarness(t, Options{})
	old := h.token
	h.srv.Inject(Fault{Kind: FaultExpireSessions})
	r := h.get(limitsPath)
	wantError(t, r, http.StatusUnauthorized, "INVALID_SESSION_ID")
	if r.String() != `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]` {
		t.Errorf("body = %s", r)
	}
	h.login()
	if h.token == old {
		t.Fatal("re-authentication returned the expired token")
	}
	if r := h.get(limitsPath); r.status != http.StatusOK {
		t.Errorf("new token refused: %d %s", r.status, r)
	}
	if n := h.srv.Calls(EndpointToken); n != 2 {
		t.Errorf("Calls(token) = %d, want 2", n)
	}
}

func TestFaultLimitExceeded(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.Inject(Fault{Kind: FaultLimitExceeded, Count: 1})
	r := h.get(limitsPath)
	wantError(t, r, http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED")
	if r.String() != `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]` {
		t.Errorf("body = %s", r)
	}
	if r := h.get(limitsPath); r.status != http.StatusOK {
		t.Errorf("a Count 1 fault outlived its count: %d", r.status)
	}
}

func TestAPIUsageRunsOut(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.SetAPIUsage(99998, 100000)
	for _, want := range []string{"api-usage=99999/100000", "api-usage=100000/100000"} {
		r := h.get(limitsPath)
		if r.status != http.StatusOK || r.header.Get("Sforce-Limit-Info") != want {
			t.Fatalf("status %d, Sforce-Limit-Info %q, want 200 and %q", r.status, r.header.Get("Sforce-Limit-Info"), want)
		}
	}
	r := h.query("SELECT Id FROM Account")
	wantError(t, r, http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED")
	if got := r.header.Get("Sforce-Limit-Info"); got != "api-usage=100000/100000" {
		t.Errorf("Sforce-Limit-Info on the refusal = %q", got)
	}
	if used, limit := h.srv.APIUsage(); used != 100000 || limit != 100000 {
		t.Errorf("APIUsage = %d/%d", used, limit)
	}
}

func TestFaultStatus(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.Inject(Fault{Kind: FaultStatus, Status: 503, Count: 2, PathPrefix: "/services/data/v62.0/query"})
	h.srv.Inject(Fault{Kind: FaultStatus, Status: 500, Count: 1})
	// The first matching fault answers: limits hits only the unrestricted 500.
	wantError(t, h.get(limitsPath), http.StatusInternalServerError, "UNKNOWN_EXCEPTION")
	if r := h.get(limitsPath); r.status != http.StatusOK {
		t.Fatalf("500 fault outlived its count: %d", r.status)
	}
	wantError(t, h.query("SELECT Id FROM Account"), http.StatusServiceUnavailable, "SERVER_UNAVAILABLE")
	wantError(t, h.query("SELECT Id FROM Account"), http.StatusServiceUnavailable, "SERVER_UNAVAILABLE")
	if r := h.query("SELECT Id FROM Account"); r.status != http.StatusOK {
		t.Errorf("503 fault outlived its count: %d", r.status)
	}
	if n := h.srv.Requests(); n != 5 {
		t.Errorf("Requests() = %d, want 5: faulted requests count too", n)
	}
	if n := h.srv.Calls(EndpointQuery); n != 3 {
		t.Errorf("Calls(query) = %d, want 3", n)
	}
}

func TestFaultUntilCleared(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.Inject(Fault{Kind: FaultStatus, Status: 503})
	for range 3 {
		wantError(t, h.get(limitsPath), http.StatusServiceUnavailable, "SERVER_UNAVAILABLE")
	}
	// Token requests are outside the default scope.
	h.login()
	h.srv.ClearFaults()
	if r := h.get(limitsPath); r.status != http.StatusOK {
		t.Errorf("after ClearFaults: %d", r.status)
	}
}

func TestFaultOnTokenEndpoint(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.Inject(Fault{Kind: FaultStatus, Status: 503, Count: 1, PathPrefix: "/services/oauth2/token"})
	r := h.tokenRequest(url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {testClientSecret}})
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("token request under fault: %d", r.status)
	}
	if r := h.get(limitsPath); r.status != http.StatusOK {
		t.Errorf("a token-endpoint fault hit a data call: %d", r.status)
	}
}

func TestFaultMalformedBodies(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.Inject(Fault{Kind: FaultMalformedJSON, Count: 1})
	h.srv.Inject(Fault{Kind: FaultWrongShape, Count: 1})
	r := h.query("SELECT Id FROM Account")
	if r.status != http.StatusOK || json.Valid(r.body) {
		t.Errorf("malformed fault: %d %s", r.status, r)
	}
	r = h.query("SELECT Id FROM Account")
	var res queryResult
	if r.status != http.StatusOK || !json.Valid(r.body) || json.Unmarshal(r.body, &res) == nil {
		t.Errorf("wrong-shape fault: %d %s decodes as a query result", r.status, r)
	}
	r = h.query("SELECT Id FROM Account")
	if err := json.Unmarshal(r.body, &res); err != nil || res.TotalSize != 5 {
		t.Errorf("after the faults: %v %s", err, r)
	}
}

func TestFaultLatency(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.Inject(Fault{Kind: FaultLatency, Latency: 150 * time.Millisecond, Count: 1})
	start := time.Now()
	if r := h.get(limitsPath); r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v, want at least 150ms", d)
	}
	// Latency combines with a failure.
	h.srv.Inject(Fault{Kind: FaultLatency, Latency: 50 * time.Millisecond, Count: 1})
	h.srv.Inject(Fault{Kind: FaultStatus, Status: 503, Count: 1})
	start = time.Now()
	wantError(t, h.get(limitsPath), http.StatusServiceUnavailable, "SERVER_UNAVAILABLE")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("failure answered after %v, want the latency first", d)
	}
}

func TestFaultLatencyHonoursCancellation(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.Inject(Fault{Kind: FaultLatency, Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.ts.URL+limitsPath, nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	start := time.Now()
	_, err := h.ts.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	// The handler returns once the client is gone, so Close does not hang on it.
	done := make(chan struct{})
	go func() { h.ts.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the delayed handler did not stop when its client left")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestFaultsAreSafeForConcurrentUse(t *testing.T) {
	h := smallHarness(t, Options{})
	h.srv.Inject(Fault{Kind: FaultStatus, Status: 503, Count: 10})
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, h.ts.URL+limitsPath, nil)
			req.Header.Set("Authorization", "Bearer "+h.token)
			resp, err := h.ts.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[503] != 10 || statuses[200] != 20 {
		t.Errorf("statuses = %v, want ten 503 and twenty 200", statuses)
	}
	if n := h.srv.Requests(); n != 30 {
		t.Errorf("Requests() = %d, want 30", n)
	}
	if used, _ := h.srv.APIUsage(); used != 20 {
		t.Errorf("API usage = %d, want 20: only answered calls count", used)
	}
	h.srv.ResetCounters()
	if h.srv.Requests() != 0 || h.srv.Calls(EndpointLimits) != 0 {
		t.Error("ResetCounters left counts")
	}
}
