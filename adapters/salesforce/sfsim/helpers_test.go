package sfsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testNow is the fixed "now" of the tests.
var testNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// demoData is built once per test binary: servers copy it, so tests share it
// safely.
var demoData = sync.OnceValue(func() *Dataset { return DemoData(testNow) })

const (
	testConsumerKey  = "3MVG9test.consumer.key"
	testClientID     = "cc-client-id"
	testClientSecret = "cc-client-secret"
)

// clock is a settable clock for the server under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a simulator served by httptest, with a client that speaks to it.
type harness struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	clock *clock
	token string
}

// newHarness starts a server; fields of opts left zero get test defaults, and
// Data defaults to the demo data set.
func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	c := &clock{t: testNow}
	if opts.ConsumerKey == "" {
		opts.ConsumerKey = testConsumerKey
	}
	if opts.Username == "" {
		opts.Username = DemoUsername
	}
	if opts.PublicKey == nil {
		opts.PublicKey = &NewTestKey().PublicKey
	}
	if opts.ClientID == "" {
		opts.ClientID, opts.ClientSecret = testClientID, testClientSecret
	}
	if opts.Data == nil {
		opts.Data = demoData()
	}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	srv := New(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	srv.SetURL(ts.URL)
	return &harness{t: t, srv: srv, ts: ts, clock: c}
}

// reply is an HTTP answer read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return string(r.body) }

// decode unmarshals the body into v or fails the test.
func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body is not the expected JSON: %v\n%s", err, r.body)
	}
}

// send makes a request with the harness token (if any) and reads the answer.
func (h *harness) send(method, path string, body io.Reader, header map[string]string) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (h *harness) get(path string) reply { return h.send(http.MethodGet, path, nil, nil) }

// query runs a SOQL query on v62.0.
func (h *harness) query(soql string) reply {
	h.t.Helper()
	return h.get("/services/data/v62.0/query?q=" + url.QueryEscape(soql))
}

// tokenRequest posts a form to the token endpoint.
func (h *harness) tokenRequest(form url.Values) reply {
	h.t.Helper()
	resp, err := h.ts.Client().PostForm(h.ts.URL+"/services/oauth2/token", form)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// login obtains a token with client credentials and keeps it for later calls.
func (h *harness) login() *harness {
	h.t.Helper()
	r := h.tokenRequest(url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {testClientSecret}})
	if r.status != http.StatusOK {
		h.t.Fatalf("login: %d %s", r.status, r)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	r.decode(h.t, &tok)
	h.token = tok.AccessToken
	return h
}

// assertion signs a JWT bearer assertion with the test key.
func assertion(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(NewTestKey())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// queryResult is the shape of a query answer.
type queryResult struct {
	TotalSize      int                          `json:"totalSize"`
	Done           bool                         `json:"done"`
	NextRecordsURL string                       `json:"nextRecordsUrl"`
	Records        []map[string]json.RawMessage `json:"records"`
}

// str returns a string field of a record ("" when null or absent).
func str(t *testing.T, rec map[string]json.RawMessage, name string) string {
	t.Helper()
	raw, ok := rec[name]
	if !ok {
		t.Fatalf("record has no field %s: %v", name, keys(rec))
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("field %s is not a string: %s", name, raw)
	}
	if s == nil {
		return ""
	}
	return *s
}

func keys(rec map[string]json.RawMessage) []string {
	var out []string
	for k := range rec {
		out = append(out, k)
	}
	return out
}

// errorBody is the decoded REST error array.
type errorBody []struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}

// wantError checks status, content type and errorCode of a REST error answer,
// and returns its message.
func wantError(t *testing.T, r reply, status int, code string) string {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r)
	}
	if ct := r.header.Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("Content-Type = %q, want %q", ct, contentTypeJSON)
	}
	if !strings.HasPrefix(string(r.body), "[") {
		t.Fatalf("error body is not a JSON array: %s", r)
	}
	var e errorBody
	r.decode(t, &e)
	if len(e) != 1 || e[0].ErrorCode != code {
		t.Fatalf("errorCode = %+v, want %s", e, code)
	}
	return e[0].Message
}
