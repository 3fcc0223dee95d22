package stripe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

var classes = []error{
	adapters.ErrNotFound, adapters.ErrUnavailable, adapters.ErrLimitExceeded, adapters.ErrForbidden,
	adapters.ErrAuth, adapters.ErrBadRequest, adapters.ErrBadResponse,
}

// assertClass fails unless err matches class and no other class.
func assertClass(t *testing.T, err, class error) {
	t.Helper()
	for _, c := range classes {
		if errors.Is(err, c) != (c == class) {
			t.Errorf("error %v: errors.Is(%v) = %v, want only %v", err, c, errors.Is(err, c), class)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	const html = `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`
	tests := []struct {
		name       string
		status     int
		body       string
		header     http.Header
		class      error
		retryAfter time.Duration
		code       string
	}{
		{"missing", 404, `{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such customer: 'cus_Acme01'"}}`, nil, adapters.ErrNotFound, 0, "resource_missing"},
		{"bad key", 401, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****4242"}}`, nil, adapters.ErrAuth, 0, ""},
		{"restricted key", 403, `{"error":{"type":"invalid_request_error","message":"The provided key 'rk_test_****' does not have the required permissions for this endpoint"}}`, nil, adapters.ErrForbidden, 0, ""},
		{"rate limit", 429, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests hit the API too quickly."}}`, http.Header{"Retry-After": {"7"}}, adapters.ErrUnavailable, 7 * time.Second, "rate_limit"},
		{"rate limit without a hint", 429, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`, nil, adapters.ErrUnavailable, 0, "rate_limit"},
		{"bad parameter", 400, `{"error":{"type":"invalid_request_error","code":"parameter_unknown","param":"nosuch","message":"Received unknown parameter: nosuch"}}`, nil, adapters.ErrBadRequest, 0, "parameter_unknown"},
		{"missing filter object", 400, `{"error":{"type":"invalid_request_error","code":"resource_missing","param":"customer","message":"No such customer: 'cus_X'"}}`, nil, adapters.ErrNotFound, 0, "resource_missing"},
		{"server error", 500, `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`, nil, adapters.ErrUnavailable, 0, ""},
		{"gateway page", 502, html, http.Header{"Content-Type": {"text/html"}}, adapters.ErrUnavailable, 0, ""},
		{"login page", 200, `<html><body>Sign in to the proxy</body></html>`, http.Header{"Content-Type": {"text/html"}}, adapters.ErrBadResponse, 0, ""},
		{"error without error object", 400, `{"message":"nope"}`, nil, adapters.ErrBadResponse, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, a := seeded(t)
			f.fail("/v1/customers/"+cusAcme, tt.status, tt.body, tt.header)
			_, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: cusAcme, Facet: FacetCustomer})
			assertClass(t, err, tt.class)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T %v, want an *APIError", err, err)
			}
			if ae.Status != tt.status || ae.Code != tt.code || ae.RetryAfter() != tt.retryAfter {
				t.Errorf("Status, Code, RetryAfter = %d, %q, %v; want %d, %q, %v", ae.Status, ae.Code, ae.RetryAfter(), tt.status, tt.code, tt.retryAfter)
			}
			if ae.RequestID == "" {
				t.Error("RequestID is empty, want Stripe's Request-Id")
			}
			if got := adapters.RawBody(err); got != tt.body {
				t.Errorf("RawBody = %q, want the answer %q", got, tt.body)
			}
			if strings.Contains(err.Error(), "<html") {
				t.Errorf("Error() quotes the raw body: %s", err)
			}
		})
	}
}

func TestErrorsNeverQuoteTheKey(t *testing.T) {
	f, a := seeded(t)
	body := `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: ` + f.key + `"}}`
	f.fail("/v1/customers/search", 401, body, nil)
	_, err := a.Search(t.Context(), adapters.Query{Text: "Acme"})
	assertClass(t, err, adapters.ErrAuth)
	if strings.Contains(err.Error(), f.key) || strings.Contains(adapters.RawBody(err), f.key) {
		t.Errorf("error or raw body quotes the key: %v / %s", err, adapters.RawBody(err))
	}
	if !strings.Contains(err.Error(), "api_key") {
		t.Errorf("error %q does not point at the api_key setting", err)
	}
}

func TestNoAnswerIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	s := &Settings{APIKey: "sk_test_closed", BaseURL: srv.URL}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	a, err := newAdapter(adapters.Source{Name: testSource, Settings: s, HTTP: &http.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Search(t.Context(), adapters.Query{Text: "Acme"})
	assertClass(t, err, adapters.ErrUnavailable)
	if strings.Contains(err.Error(), "query=") {
		t.Errorf("error %q quotes the request URL, which carries the search text", err)
	}
	if h := a.Check(t.Context()); h.OK || h.Message == "" {
		t.Errorf("Check of a closed port = %+v, want not OK and why", h)
	}
}

func TestTimeoutIsUnavailableAndADeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	s := &Settings{APIKey: "sk_test_slow", BaseURL: srv.URL}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	a, err := newAdapter(adapters.Source{Name: testSource, Settings: s, HTTP: srv.Client(), Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Fetch(t.Context(), adapters.FetchRequest{ID: cusAcme, Facet: FacetCustomer})
	assertClass(t, err, adapters.ErrUnavailable)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want it to match context.DeadlineExceeded", err)
	}
}

func TestUsesTheSourceHTTPClient(t *testing.T) {
	f := newFakeStripe(t)
	seed(f)
	calls := 0
	base := f.srv.Client()
	s := &Settings{APIKey: f.key, BaseURL: f.srv.URL}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	a, err := newAdapter(adapters.Source{Name: testSource, Settings: s, HTTP: &http.Client{
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			return base.Transport.RoundTrip(r)
		}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if h := a.Check(t.Context()); !h.OK {
		t.Fatalf("Check = %+v", h)
	}
	if calls != 1 {
		t.Errorf("the source's transport carried %d requests, want 1", calls)
	}
}
