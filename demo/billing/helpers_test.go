package billing_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/demo/billing"
)

// testNow is the clock of the servers under test and of their seed.
var testNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

const testKey = "sk_test_billingdemo4242"

// testAccounts are CRM accounts as the demo's Salesforce data holds them.
func testAccounts() []billing.Account {
	return []billing.Account{
		{Name: "Acme Corporation", Domain: "acme-corp.com", SalesforceID: "001Dn00000Acme1IAB", City: "San Francisco", Country: "United States"},
		{Name: "Initech Global Services", Domain: "initech-global.com", SalesforceID: "001Dn00000BigCtIAJ", City: "Austin", Country: "United States"},
		{Name: "Globex Logistics", Domain: "globex-logistics.com", SalesforceID: "001Dn00000BigOpIAJ", City: "Chicago", Country: "United States"},
		{Name: "O'Reilly Media Group", Domain: "oreilly-media-group.com", SalesforceID: "001Dn00000OReilIAD", City: "Boston", Country: "United States"},
		{Name: "100% Pure Foods", Domain: "100-pure-foods.com", SalesforceID: "001Dn0000100PctIAE", City: "Amsterdam", Country: "Netherlands"},
		{Name: "Bluebird Ventures", Domain: "bluebird-ventures.com", SalesforceID: "001Dn00000EmptyIAB", City: "London", Country: "United Kingdom"},
		{Name: "Nordwind Maschinenbau", Domain: "nordwind-maschinenbau.com", SalesforceID: "001Dn00000NordwIAA", City: "Hamburg", Country: "Germany"},
		{Name: "Lumière Cosmétiques", Domain: "lumiere-cosmetiques.com", SalesforceID: "001Dn00000LumieIAC", City: "Lyon", Country: "FR"},
		{Name: "Sakura Robotics", Domain: "sakura-robotics.com", SalesforceID: "001Dn00000SakurIAE", City: "Tokyo", Country: "Japan"},
		{Name: "Baker & Sons Construction", Domain: "baker-and-sons.com", SalesforceID: "001Dn00000BakerIAF", City: "Denver", Country: "United States"},
		{Name: "Harbor Analytics", Domain: "harbor-analytics.com", City: "Seattle", Country: "United States"},
		{Name: "Quill & Ink Publishing", Domain: "quill-and-ink.com", SalesforceID: "001Dn00000QuillIAG", City: "Dublin", Country: "Ireland"},
	}
}

// testCustomers is the demo seed of testAccounts, and two customers whose
// names and emails need escaping in a search query.
func testCustomers() []billing.Customer {
	cs := billing.Demo(testAccounts(), testNow)
	created := testNow.AddDate(0, -2, 0)
	return append(cs,
		billing.Customer{ID: "cus_QuoteEsc0001", Name: `It's "Quoted" Ltd`, Email: "Office@Quoted.example",
			Created: created, Metadata: map[string]string{"note": `a 'b' \c`}},
		billing.Customer{ID: "cus_SlashEsc0001", Name: `Back\slash Ltd`, Email: "office@backslash.example",
			Phone: "+44 20 7946 0000", Created: created.Add(time.Hour)},
	)
}

// fixture is a billing server behind httptest, the SDK pointed at it, and
// the data it serves.
type fixture struct {
	url       string
	http      *http.Client
	sdk       *stripe.Client
	customers []billing.Customer

	mu       sync.Mutex
	requests []string // path?query of each request
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureAt(t, testNow)
}

func newFixtureAt(t *testing.T, now time.Time) *fixture {
	t.Helper()
	f := &fixture{customers: testCustomers()}
	srv, err := billing.New(billing.Options{APIKey: testKey, Customers: f.customers, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
		f.mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	f.url, f.http = ts.URL, ts.Client()
	f.sdk = sdkClient(ts.URL, testKey, f.http)
	return f
}

// sdkClient is the official SDK configured for a server at url, without
// retries, so that each call is one request.
func sdkClient(url, key string, hc *http.Client) *stripe.Client {
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(url),
		HTTPClient:        hc,
		MaxNetworkRetries: stripe.Int64(0),
		EnableTelemetry:   stripe.Bool(false),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return stripe.NewClient(key, stripe.WithBackends(&stripe.Backends{
		API: backend, Connect: backend, Uploads: backend, MeterEvents: backend,
	}))
}

// requested returns the requests made to path, as path?query.
func (f *fixture) requested(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		if strings.HasPrefix(r, path+"?") {
			out = append(out, r)
		}
	}
	return out
}

// get sends a GET with the given Authorization header ("" for none) and
// returns the status, headers and decoded JSON body.
func (f *fixture) get(t *testing.T, path, auth string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return doJSON(t, f.http, req)
}

func doJSON(t *testing.T, hc *http.Client, req *http.Request) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("GET %s: body is not a JSON object: %v\n%s", req.URL, err, body)
	}
	return resp.StatusCode, resp.Header, v
}

// stripeError returns err as the SDK's *stripe.Error, failing the test when
// it is not one.
func stripeError(t *testing.T, err error) *stripe.Error {
	t.Helper()
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *stripe.Error", err, err)
	}
	return se
}

// collect drains an SDK iterator into a list of ids.
func collect[T any](t *testing.T, seq stripe.Seq2[T, error], id func(T) string) []string {
	t.Helper()
	var out []string
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, id(v))
	}
	return out
}

// newestFirst returns ids ordered as Stripe lists their objects: by creation,
// newest first, then by id, descending.
func newestFirst[T any](items []T, created func(T) time.Time, id func(T) string) []string {
	s := slices.Clone(items)
	slices.SortFunc(s, func(a, b T) int {
		if c := created(b).Compare(created(a)); c != 0 {
			return c
		}
		return strings.Compare(id(b), id(a))
	})
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = id(v)
	}
	return out
}

// customerByID finds a customer of the fixture's data.
func (f *fixture) customer(t *testing.T, id string) billing.Customer {
	t.Helper()
	for _, c := range f.customers {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no customer %s in the seed", id)
	return billing.Customer{}
}
