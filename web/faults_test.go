package web_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/internal/faultproxy"
)

// Credentials the simulated org accepts.
const (
	simClientID     = "atrium-faults-client-id"
	simClientSecret = "atrium-faults-client-secret"
)

// margin is how long after its budget (or its source's deadline) a page may
// end: the budget covers the header's fetch, so what is left is rendering and
// the network. It is the 100 ms the page aims for; the rows still tell budget
// and deadline apart, each portal's being a second apart.
const margin = 100 * time.Millisecond

// faultData is the demo org, seeded once: seeding takes about half a second
// under the race detector.
var faultData = sync.OnceValue(func() *sfsim.Dataset {
	return sfsim.DemoData(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
})

// faultBed is a simulated Salesforce org behind a fault proxy, kept for every
// row of a test, and what Acme's panels show when nothing fails.
type faultBed struct {
	proxy *faultproxy.Proxy
	url   string // the proxy's, which is the org's login and instance URL
	acme  map[string]string
}

func newFaultBed(t *testing.T) *faultBed {
	t.Helper()
	sim := sfsim.New(sfsim.Options{Username: sfsim.DemoUsername, ClientID: simClientID, ClientSecret: simClientSecret, Data: faultData()})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	proxy, err := faultproxy.New(simSrv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxySrv := httptest.NewServer(proxy)
	t.Cleanup(proxySrv.Close)
	t.Cleanup(proxy.Close) // first: it releases the requests the proxy holds
	// Tokens name the proxy as the instance, so data calls pass it too.
	sim.SetURL(proxySrv.URL)
	b := &faultBed{proxy: proxy, url: proxySrv.URL}
	b.acme = b.healthyAcme(t)
	return b
}

// healthyAcme reads Acme's panels straight from the adapter, without faults or
// guard, and returns per facet a text its panel shows: the account's name,
// the first contact's name, the first opportunity's name, the first case's
// number.
func (b *faultBed) healthyAcme(t *testing.T) map[string]string {
	t.Helper()
	a := b.adapter(t, b.url, 10*time.Second)
	want := map[string]string{}
	for _, spec := range a.Facets() {
		f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: sfsim.DemoAccountAcme, Facet: spec.Name})
		if err != nil {
			t.Fatalf("healthy %s: %v", spec.Name, err)
		}
		if spec.Header {
			want[spec.Name] = f.Fields[adapters.FieldName].Text
		} else if len(f.Tables) > 0 && len(f.Tables[0].Rows) > 0 {
			want[spec.Name] = f.Tables[0].Rows[0].Cells[0].Text
		}
		if want[spec.Name] == "" {
			t.Fatalf("Acme's %s facet has nothing to look for: %+v", spec.Name, f)
		}
	}
	b.proxy.Clear()
	return want
}

// adapter returns a Salesforce adapter of the org at loginURL whose calls time
// out after timeout.
func (b *faultBed) adapter(t *testing.T, loginURL string, timeout time.Duration) adapters.Adapter {
	t.Helper()
	s := &salesforce.Settings{Flow: salesforce.FlowClientCredentials, LoginURL: loginURL,
		ClientID: simClientID, ClientSecret: simClientSecret}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatalf("settings: %+v", probs)
	}
	// No keep-alive: Go's transport silently sends a GET again when a reused
	// connection closes without an answer, which would make one dropped call
	// reach the proxy once or twice. Each call here is one request.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	a, err := salesforce.New(adapters.Source{Name: "salesforce", Title: "Salesforce", Timeout: timeout, Settings: s, HTTP: hc})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// swapped is a portal's source, whose adapter each row replaces while the
// portal, its identity provider and the signed-in session stay.
type swapped struct {
	mu sync.Mutex
	a  adapters.Adapter
}

var _ adapters.Adapter = (*swapped)(nil)

func (s *swapped) set(a adapters.Adapter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.a = a
}

func (s *swapped) current() adapters.Adapter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.a
}

func (s *swapped) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	return s.current().Search(ctx, q)
}

func (s *swapped) Facets() []adapters.FacetSpec { return s.current().Facets() }

func (s *swapped) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	return s.current().Fetch(ctx, req)
}

func (s *swapped) Check(ctx context.Context) adapters.Health { return s.current().Check(ctx) }

// faultPortal is a portal whose one source is Salesforce, signed in.
type faultPortal struct {
	*portal
	source          *swapped
	timeout, budget time.Duration
}

func startFaultPortal(t *testing.T, timeout, budget time.Duration) *faultPortal {
	t.Helper()
	sw := &swapped{}
	p := startSource(t, customer.Source{Name: "salesforce", Title: "Salesforce", Timeout: timeout, Adapter: sw}, budget)
	if resp, _ := p.login(t, "/", "alice", "demo-alice"); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in ended with %d", resp.StatusCode)
	}
	return &faultPortal{portal: p, source: sw, timeout: timeout, budget: budget}
}

// faultPolicy guards the source in these tests: two retries with a short
// backoff, the breaker and bulkhead as configured by default, and no cache, so
// that every page reaches the system.
func faultPolicy() guard.Policy {
	return guard.Policy{Retries: 2, RetryBase: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond}
}

// guarded wraps a in the guard, as the binary does: the guard's own bound on
// a call is the source's timeout.
func (fp *faultPortal) guarded(a adapters.Adapter, p guard.Policy) *guard.Guarded {
	g := guard.Wrap(a, "salesforce", p, guard.WithTimeout(fp.timeout))
	fp.source.set(g)
	return g
}

// panelsOf returns the text of each panel of a customer page by facet, the
// header as "account", with HTML entities decoded.
func panelsOf(body string) map[string]string {
	const panel, head, end = `<section class="panel" id="panel-salesforce-`, `<section class="customer-head"`, "</section>"
	out := map[string]string{}
	for rest := body; ; {
		i := strings.Index(rest, panel)
		if i < 0 {
			break
		}
		rest = rest[i:]
		j := strings.Index(rest, end)
		if j < 0 {
			break
		}
		section := rest[:j+len(end)]
		facet, _, _ := strings.Cut(section[len(panel):], `"`)
		out[facet] = html.UnescapeString(section)
		rest = rest[len(section):]
	}
	if i := strings.Index(body, head); i >= 0 {
		if j := strings.Index(body[i:], end); j >= 0 {
			out["account"] = html.UnescapeString(body[i : i+j+len(end)])
		}
	}
	return out
}

// infrastructure are the goroutines of what a test keeps across its rows: the
// HTTP servers of the portal, its identity provider, the simulated org and the
// proxy (each waits in Serve for connections), and the SQLite store's
// connection opener. Idle connections are closed before the check, so their
// goroutines end on their own.
var infrastructure = []goleak.Option{
	goleak.IgnoreAnyFunction("net/http/httptest.(*Server).goServe.func1"),
	goleak.IgnoreAnyFunction("database/sql.(*DB).connectionOpener"),
}

// verifyNoLeaks fails t if a goroutine other than the infrastructure's is
// still running once idle connections are closed.
func verifyNoLeaks(t *testing.T, idle ...interface{ CloseIdleConnections() }) {
	t.Helper()
	for _, c := range idle {
		c.CloseIdleConnections()
	}
	goleak.VerifyNone(t, infrastructure...)
}

// Answers of Salesforce's REST API, as documented.
var (
	sfJSON          = http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	bodyServerError = `[{"message":"An unexpected error occurred. Please include this ErrorId if you contact support: 1921843418-36711 (-1205924452)","errorCode":"UNKNOWN_EXCEPTION"}]`
	bodyUnavailable = `[{"message":"Server temporarily unavailable. Please try again later.","errorCode":"SERVER_UNAVAILABLE"}]`
	bodyBadSession  = `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`
	bodyLimit       = `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`
	bodyCutOff      = `{"totalSize":10,"done":true,"records":[{"attributes":{"type":"Case","url":"/services/data/v62.0/sobjects/Case/500Dn0`
)

// tenMegabytes is an HTML page of 10 MB, such as a proxy or a misrouted
// download puts where a query answer belongs. (Not JSON from its first byte:
// an unterminated JSON answer would be scanned to its end, which takes a
// second of CPU under the race detector and would measure that instead.)
func tenMegabytes() []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html><html><body><pre>")
	line := strings.Repeat("x", 1023) + "\n"
	for b.Len() < 10<<20 {
		b.WriteString(line)
	}
	b.WriteString("</pre></body></html>")
	return b.Bytes()
}

// onCases applies f to the Cases query: one panel's upstream.
func onCases(f faultproxy.Fault, count int) []faultproxy.Rule {
	return []faultproxy.Rule{{Match: faultproxy.SOQLFrom("Case"), Fault: f, Count: count}}
}

// sfHeader is the header of a JSON answer of Salesforce's, with kv added.
func sfHeader(kv ...string) http.Header {
	h := sfJSON.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// Messages of the cases panel.
const (
	saysUnavailable = "Salesforce is unavailable right now."
	saysTooSlow     = "Salesforce did not answer within 2s."
	saysUnreadable  = "Salesforce sent an answer Atrium could not read."
	saysLimit       = "Salesforce's daily API allocation is used up."
	saysLate        = "Still loading from Salesforce."
)

// TestOneFailingSourceOfAPage fails the Cases query of Acme's page in each way
// a system fails, and checks that the page still ends within its budget with
// every other panel's data, that the cases panel says what happened, that the
// system was called as often as the guard's policy says, and that nothing
// keeps running after.
//
// The guard calls once, then once more for each of its two retries, when the
// failure may pass: a 5xx answer, a connection closed without an answer. A
// call that ran into its deadline is not retried: the deadline is the
// caller's, the call used it up, and no retry starts once the caller has gone;
// so a hang, a late answer and a stalled body cost one call. A 503 whose
// Retry-After reaches past the deadline is not retried either; one within it
// is retried, no sooner than it says. Answers another call would only repeat
// (403, a body not of the documented shape) are not retried. A 401 is the
// adapter's business: it gets one new token and calls once more.
func TestOneFailingSourceOfAPage(t *testing.T) {
	b := newFaultBed(t)
	// fast: the source's deadline ends a failing panel well within the budget.
	// slow: the source may take longer than the page waits for it.
	fast := startFaultPortal(t, 2*time.Second, 3*time.Second)
	slow := startFaultPortal(t, 5*time.Second, 4*time.Second)

	tests := []struct {
		name  string
		slow  bool // on the slow portal
		rules []faultproxy.Rule
		cases string // what the cases panel says; empty: its data
		// caseCalls is how many Cases queries reach the proxy; tokens how
		// many token requests (one when nothing re-authenticates).
		caseCalls, tokens int
		check             func(t *testing.T, elapsed time.Duration)
	}{
		{
			name:  "connection dropped without an answer",
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Drop}, 0),
			cases: saysUnavailable, caseCalls: 3,
		},
		{
			name:  "accepts and never answers",
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Hang}, 0),
			cases: saysTooSlow, caseCalls: 1,
		},
		{
			name:  "answers after its deadline",
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Latency, Latency: 2500 * time.Millisecond}, 0),
			cases: saysTooSlow, caseCalls: 1,
		},
		{
			name:  "answers after the page's budget",
			slow:  true,
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Latency, Latency: 4500 * time.Millisecond}, 0),
			cases: saysLate, caseCalls: 1,
			check: func(t *testing.T, elapsed time.Duration) {
				if elapsed < slow.budget {
					t.Errorf("page ended after %v, before its budget of %v: the late panel was not waited for", elapsed, slow.budget)
				}
			},
		},
		{
			name:  "500",
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Respond, Status: 500, Header: sfHeader(), Body: []byte(bodyServerError)}, 0),
			cases: saysUnavailable, caseCalls: 3,
		},
		{
			name:      "500 once, then OK",
			rules:     onCases(faultproxy.Fault{Kind: faultproxy.Respond, Status: 500, Header: sfHeader(), Body: []byte(bodyServerError)}, 1),
			caseCalls: 2,
		},
		{
			// Waiting three seconds would outlast the 2s deadline: the guard
			// gives up at once rather than let the panel run into it.
			name:  "503 with Retry-After beyond the deadline",
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Respond, Status: 503, Header: sfHeader("Retry-After", "3"), Body: []byte(bodyUnavailable)}, 0),
			cases: saysUnavailable, caseCalls: 1,
			check: func(t *testing.T, elapsed time.Duration) {
				if elapsed >= fast.timeout {
					t.Errorf("page took %v: the panel waited for its %v deadline instead of giving up at once", elapsed, fast.timeout)
				}
			},
		},
		{
			name:      "503 with Retry-After within the deadline",
			slow:      true,
			rules:     onCases(faultproxy.Fault{Kind: faultproxy.Respond, Status: 503, Header: sfHeader("Retry-After", "1"), Body: []byte(bodyUnavailable)}, 1),
			caseCalls: 2,
			check: func(t *testing.T, _ time.Duration) {
				at := b.proxy.Arrivals("query:Case")
				if len(at) == 2 && at[1].Sub(at[0]) < time.Second {
					t.Errorf("retried after %v; the answer asked for 1s", at[1].Sub(at[0]))
				}
			},
		},
		{
			name:      "401 once: a new session, then OK",
			rules:     onCases(faultproxy.Fault{Kind: faultproxy.Respond, Status: 401, Header: sfHeader(), Body: []byte(bodyBadSession)}, 1),
			caseCalls: 2, tokens: 2,
		},
		{
			name:  "403 REQUEST_LIMIT_EXCEEDED",
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Respond, Status: 403, Header: sfHeader(), Body: []byte(bodyLimit)}, 0),
			cases: saysLimit, caseCalls: 1,
		},
		{
			name:  "invalid JSON",
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Respond, Status: 200, Header: sfHeader(), Body: []byte(bodyCutOff)}, 0),
			cases: saysUnreadable, caseCalls: 1,
		},
		{
			name:  "10 MB body",
			slow:  true,
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Respond, Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: tenMegabytes()}, 0),
			cases: saysUnreadable, caseCalls: 1,
		},
		{
			name:  "body stalls halfway",
			rules: onCases(faultproxy.Fault{Kind: faultproxy.Stall}, 0),
			cases: saysTooSlow, caseCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := fast
			if tt.slow {
				fp = slow
			}
			b.proxy.Clear()
			b.proxy.Set(tt.rules...)
			g := fp.guarded(b.adapter(t, b.url, fp.timeout), faultPolicy())

			start := time.Now()
			resp, body := fp.get(t, fp.url+"/customers/"+sfsim.DemoAccountAcme)
			elapsed := time.Since(start)
			t.Logf("page ended after %v", elapsed)

			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d:\n%s", resp.StatusCode, body)
			}
			if elapsed > fp.budget+margin {
				t.Errorf("page took %v with a budget of %v", elapsed, fp.budget)
			}
			if tt.cases == saysTooSlow && (elapsed < fp.timeout || elapsed > fp.timeout+margin) {
				t.Errorf("page took %v; the cases panel should end it at its %v deadline", elapsed, fp.timeout)
			}
			panels := panelsOf(body)
			for facet, data := range b.acme {
				want := data
				if facet == salesforce.FacetCases && tt.cases != "" {
					want = tt.cases
				}
				got, ok := panels[facet]
				switch {
				case !ok:
					t.Errorf("the page has no %s panel:\n%s", facet, body)
				case !strings.Contains(got, want):
					t.Errorf("the %s panel does not say %q:\n%s", facet, want, got)
				case want == data && strings.Contains(got, `class="problem"`):
					t.Errorf("the %s panel shows its data and a problem:\n%s", facet, got)
				}
			}
			tokens := max(tt.tokens, 1)
			for key, n := range map[string]int{
				"token": tokens, "query:Account": 1, "query:Contacts": 1, "query:Opportunity": 1,
				"query:Case": tt.caseCalls, "query-more": 0,
			} {
				if got := b.proxy.Calls(key); got != n {
					t.Errorf("%d calls of %s, want %d", got, key, n)
				}
			}
			if tt.check != nil {
				tt.check(t, elapsed)
			}

			if err := g.Close(); err != nil {
				t.Error(err)
			}
			verifyNoLeaks(t, fp.client, b.proxy)
		})
	}
}

// TestRefusedConnectionsFailThePageFast points the source at a port nobody
// listens on: every panel, the header included, says the system is
// unavailable at once, and the page does not wait for any deadline.
func TestRefusedConnectionsFailThePageFast(t *testing.T) {
	b := newFaultBed(t)
	fp := startFaultPortal(t, 2*time.Second, 3*time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	g := fp.guarded(b.adapter(t, closed, fp.timeout), faultPolicy())

	start := time.Now()
	resp, body := fp.get(t, fp.url+"/customers/"+sfsim.DemoAccountAcme)
	elapsed := time.Since(start)
	t.Logf("page ended after %v", elapsed)

	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d:\n%s", resp.StatusCode, body)
	}
	if elapsed >= fp.timeout {
		t.Errorf("page took %v: refused connections waited for the %v deadline", elapsed, fp.timeout)
	}
	panels := panelsOf(body)
	for facet := range b.acme {
		// Once the breaker opens, a panel says so ("is unavailable.", with when
		// Atrium tries again) rather than "unavailable right now".
		if got := panels[facet]; !strings.Contains(got, "Salesforce is unavailable") {
			t.Errorf("the %s panel does not say Salesforce is unavailable:\n%s", facet, got)
		}
	}
	if err := g.Close(); err != nil {
		t.Error(err)
	}
	verifyNoLeaks(t, fp.client, b.proxy)
}

// TestConcurrentPagesShareOneCallPerFacet opens one uncached customer's page
// 200 times at once: the guard makes one call per facet for all of them.
func TestConcurrentPagesShareOneCallPerFacet(t *testing.T) {
	const pages = 200
	b := newFaultBed(t)
	fp := startFaultPortal(t, 10*time.Second, 20*time.Second)
	// Every answer takes a while, so that pages arrive while the first calls
	// are under way: they must join them, not start their own.
	b.proxy.Set(faultproxy.Rule{Fault: faultproxy.Fault{Kind: faultproxy.Latency, Latency: 100 * time.Millisecond}})
	policy := faultPolicy()
	policy.CacheTTL, policy.StaleTTL = time.Minute, time.Minute
	g := fp.guarded(b.adapter(t, b.url, fp.timeout), policy)

	var (
		wg     sync.WaitGroup
		begin  = make(chan struct{})
		bodies = make([]string, pages)
		errs   = make([]error, pages)
	)
	for i := range pages {
		wg.Go(func() {
			<-begin
			resp, err := fp.client.Get(fp.url + "/customers/" + sfsim.DemoAccountAcme)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err == nil && resp.StatusCode != http.StatusOK {
				err = errors.New(resp.Status)
			}
			bodies[i], errs[i] = string(body), err
		})
	}
	start := time.Now()
	close(begin)
	wg.Wait()
	t.Logf("%d pages in %v", pages, time.Since(start))

	for i := range pages {
		if errs[i] != nil {
			t.Fatalf("page %d: %v", i, errs[i])
		}
		panels := panelsOf(bodies[i])
		for facet, data := range b.acme {
			if !strings.Contains(panels[facet], data) {
				t.Fatalf("page %d: the %s panel lacks %q:\n%s", i, facet, data, panels[facet])
			}
		}
	}
	for _, key := range []string{"token", "query:Account", "query:Contacts", "query:Opportunity", "query:Case"} {
		if n := b.proxy.Calls(key); n != 1 {
			t.Errorf("%d calls of %s for %d pages, want 1", n, key, pages)
		}
	}
	if n := b.proxy.Calls("query-more"); n != 0 {
		t.Errorf("%d further pages read of a small account", n)
	}
	if err := g.Close(); err != nil {
		t.Error(err)
	}
	verifyNoLeaks(t, fp.client, b.proxy)
}
