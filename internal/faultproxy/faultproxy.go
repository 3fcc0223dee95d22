// Package faultproxy is a reverse proxy for tests and benchmarks that stands in
// front of a real upstream (such as the Salesforce simulator) and injects faults
// into the requests a rule matches: latency, hangs, dropped connections, error
// statuses, malformed or huge bodies, bodies that stall halfway. Everything
// else passes through untouched, so one panel of a page can fail while the
// others work.
package faultproxy

import (
	"bytes"
	"cmp"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is a kind of fault.
type Kind int

const (
	// Latency delays the request by Fault.Latency, then forwards it.
	Latency Kind = iota + 1
	// Hang never answers: the request waits until the client gives up.
	Hang
	// Drop closes the connection without an answer, as a crashed server does.
	Drop
	// Respond answers with Fault.Status, Fault.Header and Fault.Body instead of
	// forwarding.
	Respond
	// Stall forwards the request but sends only the first Fault.StallAfter
	// bytes of the answer's body (0: half of it), then stops sending until the
	// client gives up.
	Stall
)

func (k Kind) String() string {
	switch k {
	case Latency:
		return "latency"
	case Hang:
		return "hang"
	case Drop:
		return "drop"
	case Respond:
		return "respond"
	case Stall:
		return "stall"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is what happens to a matching request.
type Fault struct {
	Kind       Kind
	Latency    time.Duration
	Status     int // of Respond; 0 means 200
	Header     http.Header
	Body       []byte
	StallAfter int
}

// Rule applies a fault to the requests Match accepts (nil: every request).
// Count limits how many requests it affects (0: all). Match runs under the
// proxy's lock, so it must not call the proxy.
type Rule struct {
	Match func(*http.Request) bool
	Fault Fault
	Count int
}

// Proxy injects faults in front of an upstream. It is an http.Handler, safe
// for concurrent use.
type Proxy struct {
	upstream  *httputil.ReverseProxy
	transport *http.Transport
	closed    chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	rules    []*rule
	arrivals map[string][]time.Time
}

type rule struct {
	Rule
	used int
}

// New returns a proxy to upstream, e.g. "http://127.0.0.1:41017".
func New(upstream string) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	t := &http.Transport{MaxIdleConnsPerHost: 64}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = t
	// A forwarded call fails mostly because its client gave up: answer 502
	// without the default log line, which would only clutter test output.
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) {
		w.WriteHeader(http.StatusBadGateway)
	}
	return &Proxy{upstream: rp, transport: t, closed: make(chan struct{}), arrivals: map[string][]time.Time{}}, nil
}

// Set replaces the rules. Counters are kept.
func (p *Proxy) Set(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
	for _, r := range rules {
		p.rules = append(p.rules, &rule{Rule: r})
	}
}

// Clear removes every rule and resets the counters.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
	p.arrivals = map[string][]time.Time{}
}

// Calls returns how many requests arrived for key (see Key), faulted or not.
func (p *Proxy) Calls(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.arrivals[key])
}

// Arrivals returns when each request for key arrived, in order.
func (p *Proxy) Arrivals(key string) []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.arrivals[key]...)
}

// CloseIdleConnections closes the idle connections to the upstream, e.g.
// before a test looks for leaked goroutines.
func (p *Proxy) CloseIdleConnections() { p.transport.CloseIdleConnections() }

// Close drops every request the proxy holds (hanging, stalled or delayed), so
// that the server it runs in can shut down, and closes the idle connections
// to the upstream. Requests arriving later are dropped too.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() { close(p.closed) })
	p.transport.CloseIdleConnections()
}

// ServeHTTP applies the first matching rule, or forwards the request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := p.take(r)
	select {
	case <-p.closed:
		f = &Fault{Kind: Drop}
	default:
	}
	if f == nil {
		p.upstream.ServeHTTP(w, r)
		return
	}
	switch f.Kind {
	case Latency:
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
			p.upstream.ServeHTTP(w, r)
		case <-r.Context().Done():
		case <-p.closed:
			drop(w)
		}
	case Hang:
		p.wait(w, r)
	case Drop:
		drop(w)
	case Respond:
		for k, vs := range f.Header {
			w.Header()[k] = append([]string(nil), vs...)
		}
		if w.Header().Get("Content-Length") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
		}
		w.WriteHeader(cmp.Or(f.Status, http.StatusOK))
		_, _ = w.Write(f.Body)
	case Stall:
		p.stall(w, r, f.StallAfter)
	default:
		panic("faultproxy: unknown fault kind " + f.Kind.String())
	}
}

// take counts r and returns the fault of the first rule that applies, if any.
func (p *Proxy) take(r *http.Request) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := Key(r)
	p.arrivals[k] = append(p.arrivals[k], time.Now())
	for _, ru := range p.rules {
		if (ru.Match == nil || ru.Match(r)) && (ru.Count == 0 || ru.used < ru.Count) {
			ru.used++
			f := ru.Fault
			return &f
		}
	}
	return nil
}

// wait holds r until the client gives up, or drops it when the proxy closes.
func (p *Proxy) wait(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-p.closed:
		drop(w)
	}
}

// drop closes the connection without writing anything more.
func drop(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // the server closes the connection without an answer
}

// stall forwards r, then sends the answer's status, header and first after
// bytes (0: half the body), and waits.
func (p *Proxy) stall(w http.ResponseWriter, r *http.Request, after int) {
	rec := &recorder{header: http.Header{}}
	p.upstream.ServeHTTP(rec, r)
	for k, vs := range rec.header {
		w.Header()[k] = vs
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(cmp.Or(rec.status, http.StatusOK))
	body := rec.body.Bytes()
	if after <= 0 {
		after = len(body) / 2
	}
	_, _ = w.Write(body[:min(after, len(body))])
	_ = http.NewResponseController(w).Flush()
	p.wait(w, r)
}

// recorder keeps an upstream answer so that Stall can send part of it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

var fromObject = regexp.MustCompile(`(?i)\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)`)

// Key names a request for counting: "query:<first object in FROM>" for a SOQL
// query (the object of a subquery comes first, e.g. "query:Contacts" for
// "SELECT Id, (SELECT Id FROM Contacts) FROM Account"), "query-more" for a
// further page of a query, "token" for the token endpoint, else the method and
// path.
func Key(r *http.Request) string {
	path := r.URL.Path
	switch {
	case strings.HasSuffix(path, "/services/oauth2/token"):
		return "token"
	case strings.HasSuffix(path, "/query") || strings.HasSuffix(path, "/queryAll"):
		if m := fromObject.FindStringSubmatch(r.URL.Query().Get("q")); m != nil {
			return "query:" + m[1]
		}
		return "query"
	case strings.Contains(path, "/query/") || strings.Contains(path, "/queryAll/"):
		return "query-more"
	}
	return r.Method + " " + path
}

// SOQLFrom matches SOQL queries whose first FROM names object (case-insensitive).
func SOQLFrom(object string) func(*http.Request) bool {
	want := "query:" + strings.ToLower(object)
	return func(r *http.Request) bool { return strings.ToLower(Key(r)) == want }
}
