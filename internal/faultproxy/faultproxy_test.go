package faultproxy_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/atrium-dev/atrium/internal/faultproxy"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// upstreamBody is what the upstream answers to every request.
var upstreamBody = bytes.Repeat([]byte("0123456789"), 100)

// upstream answers every request with upstreamBody, names the request in a
// header, and counts the requests.
type upstream struct{ calls atomic.Int32 }

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.calls.Add(1)
	w.Header().Set("X-Upstream-Request", r.URL.RequestURI())
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(upstreamBody)
}

// bench is a proxy in front of an upstream, both served.
type bench struct {
	proxy *faultproxy.Proxy
	srv   *httptest.Server // the proxy's
	up    *upstream
	// client keeps no connection: Go's transport sends a GET again when a
	// reused connection closes without an answer, which would hide a Drop.
	client *http.Client
}

func start(t *testing.T) *bench {
	t.Helper()
	up := &upstream{}
	us := httptest.NewServer(up)
	t.Cleanup(us.Close)
	p, err := faultproxy.New(us.URL)
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(p)
	t.Cleanup(ps.Close)
	t.Cleanup(p.Close) // first: it releases the requests the proxy holds
	return &bench{proxy: p, srv: ps, up: up, client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
}

// soql is the path of a SOQL query.
func soql(q string) string {
	return "/services/data/v62.0/query?q=" + strings.ReplaceAll(url.QueryEscape(q), "+", "%20")
}

const (
	caseQuery    = "SELECT Id, Subject FROM Case WHERE AccountId = '001Dn00000Acme1IAB'"
	accountQuery = "SELECT Id, Name FROM Account LIMIT 1"
)

// get sends GET path through the proxy and reads the whole answer.
func (b *bench) get(ctx context.Context, path string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.srv.URL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// shutDown closes the proxy's server, which waits for every request it
// serves to end, and fails t if that takes longer than a few seconds: a
// request the proxy holds after its client left.
func (b *bench) shutDown(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		b.srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a request is still held after its client gave up")
	}
}

// arrival is a matcher that reports each request it sees on the channel it
// returns, and accepts those next accepts.
func arrival(next func(*http.Request) bool) (func(*http.Request) bool, <-chan struct{}) {
	seen := make(chan struct{}, 16)
	return func(r *http.Request) bool {
		ok := next(r)
		if ok {
			select {
			case seen <- struct{}{}:
			default:
			}
		}
		return ok
	}, seen
}

func TestKey(t *testing.T) {
	tests := []struct {
		method, path, want string
	}{
		{http.MethodPost, "/services/oauth2/token", "token"},
		{http.MethodGet, soql(accountQuery), "query:Account"},
		{http.MethodGet, soql("SELECT Id, (SELECT Id, LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Id = '001'"), "query:Contacts"},
		{http.MethodGet, soql("select id from case"), "query:case"},
		{http.MethodGet, soql("SELECT Id FROM Account WHERE Name LIKE '%from Case%'"), "query:Account"},
		{http.MethodGet, "/services/data/v62.0/queryAll?q=SELECT%20Id%20FROM%20Task", "query:Task"},
		{http.MethodGet, "/services/data/v62.0/query?q=", "query"},
		{http.MethodGet, "/services/data/v62.0/query/01gDn00000Acme1IAB-2000", "query-more"},
		{http.MethodGet, "/services/data/v62.0/queryAll/01gDn00000Acme1IAB-2000", "query-more"},
		{http.MethodGet, "/services/data/v62.0/sobjects/Account/001Dn00000Acme1IAB", "GET /services/data/v62.0/sobjects/Account/001Dn00000Acme1IAB"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "http://sf.example"+tt.path, nil)
		if got := faultproxy.Key(r); got != tt.want {
			t.Errorf("Key(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestSOQLFrom(t *testing.T) {
	match := faultproxy.SOQLFrom("Case")
	tests := []struct {
		path string
		want bool
	}{
		{soql(caseQuery), true},
		{soql("select id from case"), true},
		{soql(accountQuery), false},
		{soql("SELECT Id, (SELECT Id FROM Cases) FROM Account"), false},
		{soql("SELECT Id FROM CaseComment"), false},
		{"/services/data/v62.0/query/01gDn00000Acme1IAB-2000", false},
		{"/services/oauth2/token", false},
	}
	for _, tt := range tests {
		if got := match(httptest.NewRequest(http.MethodGet, "http://sf.example"+tt.path, nil)); got != tt.want {
			t.Errorf("SOQLFrom(Case) on %s = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestPassesThroughWhatNoRuleMatches(t *testing.T) {
	b := start(t)
	b.proxy.Set(faultproxy.Rule{Match: faultproxy.SOQLFrom("Case"), Fault: faultproxy.Fault{Kind: faultproxy.Drop}})
	resp, body, err := b.get(t.Context(), soql(accountQuery))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, upstreamBody) || resp.Header.Get("X-Upstream-Request") != soql(accountQuery) {
		t.Fatalf("passed through: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if n := b.up.calls.Load(); n != 1 {
		t.Errorf("upstream saw %d requests, want 1", n)
	}
	if n := b.proxy.Calls("query:Account"); n != 1 {
		t.Errorf("Calls(query:Account) = %d, want 1", n)
	}
}

func TestLatencyDelaysThenForwards(t *testing.T) {
	b := start(t)
	const delay = 150 * time.Millisecond
	b.proxy.Set(faultproxy.Rule{Match: faultproxy.SOQLFrom("Case"), Fault: faultproxy.Fault{Kind: faultproxy.Latency, Latency: delay}})
	start := time.Now()
	resp, body, err := b.get(t.Context(), soql(caseQuery))
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < delay {
		t.Errorf("answered after %v, before the latency of %v", elapsed, delay)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, upstreamBody) {
		t.Fatalf("delayed answer: %d %q", resp.StatusCode, body)
	}
}

// Each of these faults holds the request until the client gives up; the
// upstream is never asked, and nothing runs on after.
func TestHeldRequestsEndWhenTheClientGivesUp(t *testing.T) {
	for _, f := range []faultproxy.Fault{
		{Kind: faultproxy.Hang},
		{Kind: faultproxy.Latency, Latency: time.Hour},
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			b := start(t)
			match, arrived := arrival(faultproxy.SOQLFrom("Case"))
			b.proxy.Set(faultproxy.Rule{Match: match, Fault: f})
			// An unrelated request is not held.
			if _, _, err := b.get(t.Context(), soql(accountQuery)); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			go func() {
				<-arrived
				cancel()
			}()
			if _, _, err := b.get(ctx, soql(caseQuery)); !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want the client's cancellation", err)
			}
			b.shutDown(t)
			if n := b.up.calls.Load(); n != 1 {
				t.Errorf("upstream saw %d requests, want 1: the held one went on", n)
			}
		})
	}
}

func TestDropClosesTheConnectionWithoutAnAnswer(t *testing.T) {
	b := start(t)
	b.proxy.Set(faultproxy.Rule{Match: faultproxy.SOQLFrom("Case"), Fault: faultproxy.Fault{Kind: faultproxy.Drop}, Count: 1})
	resp, _, err := b.get(t.Context(), soql(caseQuery))
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("dropped request: %v, %v; want a transport error", resp, err)
	}
	if !errors.Is(err, io.EOF) {
		t.Errorf("err = %v, want io.EOF: the server closed the connection", err)
	}
	if n := b.up.calls.Load(); n != 0 {
		t.Errorf("upstream saw %d requests, want none", n)
	}
	// Count 1: the next one passes.
	if _, body, err := b.get(t.Context(), soql(caseQuery)); err != nil || !bytes.Equal(body, upstreamBody) {
		t.Fatalf("after the drop: %q, %v", body, err)
	}
	if n := b.proxy.Calls("query:Case"); n != 2 {
		t.Errorf("Calls(query:Case) = %d, want 2: faulted requests count", n)
	}
}

func TestRespondAnswersInsteadOfTheUpstream(t *testing.T) {
	b := start(t)
	answer := []byte(`[{"message":"Server temporarily unavailable.","errorCode":"SERVER_UNAVAILABLE"}]`)
	b.proxy.Set(
		faultproxy.Rule{Match: faultproxy.SOQLFrom("Case"), Count: 1, Fault: faultproxy.Fault{Kind: faultproxy.Respond, Status: 503,
			Header: http.Header{"Retry-After": {"1"}, "Content-Type": {"application/json;charset=UTF-8"}}, Body: answer}},
		faultproxy.Rule{Fault: faultproxy.Fault{Kind: faultproxy.Respond, Body: []byte("second rule")}}, // no Match: every request
	)
	resp, body, err := b.get(t.Context(), soql(caseQuery))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || !bytes.Equal(body, answer) || resp.Header.Get("Retry-After") != "1" ||
		resp.Header.Get("Content-Type") != "application/json;charset=UTF-8" || resp.ContentLength != int64(len(answer)) {
		t.Fatalf("answer: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	// The first rule is used up: the second, with no status, answers 200.
	for _, path := range []string{soql(caseQuery), soql(accountQuery)} {
		resp, body, err = b.get(t.Context(), path)
		if err != nil || resp.StatusCode != http.StatusOK || string(body) != "second rule" {
			t.Fatalf("%s: %v %q %v", path, resp, body, err)
		}
	}
	if n := b.up.calls.Load(); n != 0 {
		t.Errorf("upstream saw %d requests, want none", n)
	}
}

func TestStallSendsPartOfTheAnswer(t *testing.T) {
	for _, tt := range []struct {
		after, want int
	}{
		{0, len(upstreamBody) / 2}, // half
		{10, 10},
	} {
		t.Run(strconv.Itoa(tt.after), func(t *testing.T) {
			b := start(t)
			b.proxy.Set(faultproxy.Rule{Match: faultproxy.SOQLFrom("Case"), Fault: faultproxy.Fault{Kind: faultproxy.Stall, StallAfter: tt.after}})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.srv.URL+soql(caseQuery), nil)
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Upstream-Request") != soql(caseQuery) || resp.ContentLength != -1 {
				t.Fatalf("stalled answer's head: %d %v, length %d", resp.StatusCode, resp.Header, resp.ContentLength)
			}
			got := make([]byte, tt.want)
			if _, err := io.ReadFull(resp.Body, got); err != nil || !bytes.Equal(got, upstreamBody[:tt.want]) {
				t.Fatalf("first %d bytes: %q, %v", tt.want, got, err)
			}
			// Nothing more comes: what a stall sends comes at once, so what
			// arrives in the next 200 ms would be more than it should send.
			stop := time.AfterFunc(200*time.Millisecond, cancel)
			defer stop.Stop()
			rest, err := io.ReadAll(resp.Body)
			if len(rest) > 0 || !errors.Is(err, context.Canceled) {
				t.Fatalf("after the stall: %d more bytes, %v; want none and the client's cancellation", len(rest), err)
			}
			b.shutDown(t)
		})
	}
}

func TestCountersAndRules(t *testing.T) {
	b := start(t)
	b.proxy.Set(faultproxy.Rule{Match: faultproxy.SOQLFrom("Case"), Fault: faultproxy.Fault{Kind: faultproxy.Respond, Status: 500}})
	before := time.Now()
	for range 3 {
		if resp, _, err := b.get(t.Context(), soql(caseQuery)); err != nil || resp.StatusCode != 500 {
			t.Fatalf("faulted request: %v, %v", resp, err)
		}
	}
	at := b.proxy.Arrivals("query:Case")
	if len(at) != 3 || at[0].Before(before) || at[1].Before(at[0]) || at[2].Before(at[1]) {
		t.Errorf("arrivals %v, want three in order after %v", at, before)
	}
	// Set replaces the rules and keeps the counters.
	b.proxy.Set()
	if resp, _, err := b.get(t.Context(), soql(caseQuery)); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after Set(): %v, %v", resp, err)
	}
	if n := b.proxy.Calls("query:Case"); n != 4 {
		t.Errorf("Calls = %d after Set, want 4", n)
	}
	// Clear removes both.
	b.proxy.Set(faultproxy.Rule{Fault: faultproxy.Fault{Kind: faultproxy.Respond, Status: 500}})
	b.proxy.Clear()
	if n := b.proxy.Calls("query:Case"); n != 0 || len(b.proxy.Arrivals("query:Case")) != 0 {
		t.Errorf("Calls = %d after Clear, want 0", n)
	}
	if resp, _, err := b.get(t.Context(), soql(caseQuery)); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after Clear: %v, %v", resp, err)
	}
	if n := b.proxy.Calls("query:Case"); n != 1 {
		t.Errorf("Calls = %d, want 1", n)
	}
}

func TestCloseDropsWhatTheProxyHolds(t *testing.T) {
	for _, f := range []faultproxy.Fault{
		{Kind: faultproxy.Hang},
		{Kind: faultproxy.Latency, Latency: time.Hour},
		{Kind: faultproxy.Stall},
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			b := start(t)
			match, arrived := arrival(faultproxy.SOQLFrom("Case"))
			b.proxy.Set(faultproxy.Rule{Match: match, Fault: f})
			go func() {
				<-arrived
				b.proxy.Close()
			}()
			// Bounded, in case Close fails to release it.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if _, _, err := b.get(ctx, soql(caseQuery)); err == nil || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("held request after Close: %v; want it dropped", err)
			}
			if _, _, err := b.get(ctx, soql(accountQuery)); err == nil || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("request after Close: %v; want it dropped", err)
			}
			b.shutDown(t)
		})
	}
}
