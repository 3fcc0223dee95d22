package billing_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	stripe "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/demo/billing"
)

func TestSDKDecodesErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	limit := func(n int64) *stripe.CustomerListParams {
		p := &stripe.CustomerListParams{}
		p.Limit = stripe.Int64(n)
		p.Single = true
		return p
	}
	for _, tc := range []struct {
		name   string
		call   func() error
		status int
		code   stripe.ErrorCode
		param  string
		msg    string
	}{
		{"unknown customer", func() error { _, err := f.sdk.V1Customers.Retrieve(ctx, "cus_nope", nil); return err },
			404, stripe.ErrorCodeResourceMissing, "id", "No such customer: 'cus_nope'"},
		{"unknown invoice", func() error { _, err := f.sdk.V1Invoices.Retrieve(ctx, "in_nope", nil); return err },
			404, stripe.ErrorCodeResourceMissing, "id", "No such invoice: 'in_nope'"},
		{"invoices of an unknown customer", func() error {
			return firstErr(f.sdk.V1Invoices.List(ctx, &stripe.InvoiceListParams{Customer: stripe.String("cus_nope")}))
		}, 400, stripe.ErrorCodeResourceMissing, "customer", "No such customer: 'cus_nope'"},
		{"subscriptions of an unknown customer", func() error {
			return firstErr(f.sdk.V1Subscriptions.List(ctx, &stripe.SubscriptionListParams{Customer: stripe.String("cus_nope")}))
		}, 400, stripe.ErrorCodeResourceMissing, "customer", "No such customer: 'cus_nope'"},
		{"unknown cursor", func() error {
			p := limit(2)
			p.StartingAfter = stripe.String("cus_nope")
			return firstErr(f.sdk.V1Customers.List(ctx, p))
		}, 400, stripe.ErrorCodeResourceMissing, "starting_after", "No such customer: 'cus_nope'"},
		{"limit out of range", func() error { return firstErr(f.sdk.V1Customers.List(ctx, limit(101))) },
			400, "", "limit", "This value must be less than or equal to 100"},
		{"unknown status", func() error {
			return firstErr(f.sdk.V1Invoices.List(ctx, &stripe.InvoiceListParams{Status: stripe.String("overdue")}))
		}, 400, "", "status", "Invalid status: must be one of draft, open, paid, uncollectible, or void"},
		{"unknown parameter", func() error {
			p := &stripe.CustomerRetrieveParams{}
			p.AddExtra("colour", "blue")
			_, err := f.sdk.V1Customers.Retrieve(ctx, f.customers[0].ID, p)
			return err
		}, 400, stripe.ErrorCodeParameterUnknown, "colour", "Received unknown parameter: colour"},
		{"expansion", func() error {
			p := &stripe.InvoiceRetrieveParams{}
			p.AddExpand("customer")
			_, err := f.sdk.V1Invoices.Retrieve(ctx, "in_nope", p)
			return err
		}, 400, "", "expand[0]", "This server does not expand objects"},
		{"wrong key", func() error {
			_, err := sdkClient(f.url, "sk_test_wrongkey1234", f.http).V1Balance.Retrieve(ctx, nil)
			return err
		}, 401, "", "", "Invalid API Key provided: sk_test_********1234"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			se := stripeError(t, tc.call())
			if se.HTTPStatusCode != tc.status || se.Type != stripe.ErrorTypeInvalidRequest || se.Code != tc.code ||
				se.Param != tc.param || !strings.HasPrefix(se.Msg, tc.msg) {
				t.Errorf("error %d %s code=%q param=%q %q\nwant %d invalid_request_error code=%q param=%q %q",
					se.HTTPStatusCode, se.Type, se.Code, se.Param, se.Msg, tc.status, tc.code, tc.param, tc.msg)
			}
			if !strings.HasPrefix(se.RequestID, "req_") {
				t.Errorf("request id %q, want req_…", se.RequestID)
			}
			var typed *stripe.InvalidRequestError
			if !errors.As(se.Err, &typed) {
				t.Errorf("the SDK did not type the error as *stripe.InvalidRequestError: %T", se.Err)
			}
		})
	}
}

// firstErr returns the error of the first page of a list, if any.
func firstErr[T any](seq stripe.Seq2[T, error]) error {
	for _, err := range seq {
		return err
	}
	return nil
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	basic := func(user string) string {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.SetBasicAuth(user, "")
		return req.Header.Get("Authorization")
	}
	for _, tc := range []struct {
		name, auth string
		status     int
		msg        string
	}{
		{"bearer", "Bearer " + testKey, 200, ""},
		{"basic, key as user name", basic(testKey), 200, ""},
		{"no key", "", 401, "You did not provide an API key."},
		{"empty bearer", "Bearer ", 401, "You did not provide an API key."},
		{"wrong bearer", "Bearer sk_test_abcd1234", 401, "Invalid API Key provided: sk_test_****1234"},
		{"wrong basic", basic("sk_test_abcd5678"), 401, "Invalid API Key provided: sk_test_****5678"},
		{"no scheme", testKey, 401, "Invalid API Key provided: sk_test_***********4242"},
		{"short key", "Bearer abc12345", 401, "Invalid API Key provided: ****2345"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := f.get(t, "/v1/balance", tc.auth)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, body)
			}
			if tc.status == 200 {
				return
			}
			e, _ := body["error"].(map[string]any)
			if e["type"] != "invalid_request_error" || !strings.HasPrefix(e["message"].(string), tc.msg) || len(e) != 2 {
				t.Errorf("error %v, want only type invalid_request_error and message %q", e, tc.msg)
			}
			if h.Get("Www-Authenticate") == "" {
				t.Error("no Www-Authenticate header on a 401")
			}
		})
	}
}

func TestHeadersAndUnknownPaths(t *testing.T) {
	f := newFixture(t)
	requestID := regexp.MustCompile(`^req_[A-Za-z0-9]{14}$`)
	for _, tc := range []struct {
		method, path string
		status       int
		msg          string
	}{
		{"GET", "/v1/customers", 200, ""},
		{"GET", "/v1/nope", 404, "Unrecognized request URL (GET: /v1/nope)."},
		{"GET", "/v1/customers/cus_x/sources", 404, "Unrecognized request URL (GET: /v1/customers/cus_x/sources)."},
		{"POST", "/v1/customers", 404, "Unrecognized request URL (POST: /v1/customers)."},
		{"DELETE", "/v1/customers/" + billing.DemoUnmatchedCustomer, 404, "Unrecognized request URL (DELETE: "},
	} {
		req, err := http.NewRequest(tc.method, f.url+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testKey)
		status, h, body := doJSON(t, f.http, req)
		if status != tc.status {
			t.Errorf("%s %s: status %d, want %d: %v", tc.method, tc.path, status, tc.status, body)
		}
		if !requestID.MatchString(h.Get("Request-Id")) || h.Get("Stripe-Version") != billing.APIVersion ||
			h.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: headers %v, want Request-Id req_…, Stripe-Version %s, JSON", tc.method, tc.path, h, billing.APIVersion)
		}
		if tc.status != 200 {
			e, _ := body["error"].(map[string]any)
			if e["type"] != "invalid_request_error" || !strings.HasPrefix(e["message"].(string), tc.msg) {
				t.Errorf("%s %s: error %v, want %q", tc.method, tc.path, e, tc.msg)
			}
		}
	}
}
