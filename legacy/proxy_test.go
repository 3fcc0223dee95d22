package legacy_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/internal/idheader"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/legacy/assertion"
)

// upstream is a proxied tool that records what reaches it.
type upstream struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	release  chan struct{} // /stream finishes when it is closed
	once     sync.Once
}

// finish lets /stream end.
func (u *upstream) finish() { u.once.Do(func() { close(u.release) }) }

func (u *upstream) record(r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.requests = append(u.requests, r.Clone(r.Context()))
}

func (u *upstream) seen() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.requests)
}

func (u *upstream) last(t *testing.T) *http.Request {
	t.Helper()
	seen := u.seen()
	if len(seen) == 0 {
		t.Fatal("nothing reached the tool")
	}
	return seen[len(seen)-1]
}

func startUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Add("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; img-src *")
		h.Add("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("Content-Security-Policy-Report-Only", "frame-ancestors https://x.example; report-uri /r")
		h.Add("Set-Cookie", "root=1; Path=/; Domain="+r.Host+"; HttpOnly")
		h.Add("Set-Cookie", "app=2; path=/app; SameSite=Lax")
		h.Add("Set-Cookie", "plain=3")
		h.Add("Set-Cookie", "elsewhere=4; Path=/other")
		h.Add("Set-Cookie", auth.SessionCookie+"=forged; Path=/")
		h.Add("Set-Cookie", "__Host-"+auth.SessionCookie+"=forged; Path=/; Secure")
		switch path.Base(r.URL.Path) {
		case "redirect-path":
			h.Set("Location", "/app/x?y=1#top")
		case "redirect-abs":
			h.Set("Location", "http://"+r.Host+"/app/y?q=1")
		case "redirect-off":
			h.Set("Location", "https://other.example/z")
		case "redirect-relative":
			h.Set("Location", "next?q=1")
		case "redirect-scheme-relative":
			h.Set("Location", "//evil.example/z")
		default:
			fmt.Fprint(w, "ok")
			return
		}
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		// A declared length makes the proxy buffer unless it flushes every
		// write (an answer of unknown length is flushed anyway).
		w.Header().Set("Content-Length", "13")
		fmt.Fprintln(w, "first")
		w.(http.Flusher).Flush()
		select {
		case <-u.release:
		case <-r.Context().Done():
		}
		fmt.Fprintln(w, "second")
	})
	mux.Handle("/ws", websocket.Server{
		Handshake: func(_ *websocket.Config, r *http.Request) error { u.record(r); return nil },
		Handler: func(ws *websocket.Conn) {
			defer ws.Close()
			var msg string
			for websocket.Message.Receive(ws, &msg) == nil {
				if websocket.Message.Send(ws, "echo: "+msg) != nil {
					return
				}
			}
		},
	})
	u.Server = httptest.NewServer(mux)
	t.Cleanup(func() {
		u.finish()
		u.Close()
	})
	return u
}

const sessionValue = "good-session"

var quiet = slog.New(slog.DiscardHandler)

// identify is the test's sign-in: the session cookie names Grace.
func identify(r *http.Request) (legacy.User, bool) {
	c, err := r.Cookie(auth.SessionCookie)
	if err != nil || c.Value != sessionValue {
		return legacy.User{}, false
	}
	return grace, true
}

func proxiedTool(up *upstream) legacy.Tool {
	return legacy.Tool{ID: "legacy", Title: "Legacy", Mode: legacy.ModeProxy, Upstream: up.URL, Secret: secret,
		StripHeaders: []string{"X-Legacy-User"}}
}

// startProxy serves the proxy like Atrium does and returns its base URL.
func startProxy(t *testing.T, tools ...legacy.Tool) *httptest.Server {
	t.Helper()
	return startProxyWith(t, legacy.ProxyOptions{}, tools...)
}

// startProxyWith is startProxy with options (its clock and logger are the
// test's).
func startProxyWith(t *testing.T, opts legacy.ProxyOptions, tools ...legacy.Tool) *httptest.Server {
	t.Helper()
	opts.Now, opts.Logger = func() time.Time { return now }, quiet
	p, err := legacy.NewProxy(tools, identify, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(p.CloseIdleConnections)
	return srv
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// lanes are requests without a body and with one: both must meet the same
// policy.
var lanes = []struct{ name, method, body string }{
	{"without a body", "GET", ""},
	{"with a body", "POST", "note=hello"},
}

func do(t *testing.T, method, rawURL string, header http.Header) *http.Response {
	t.Helper()
	return doBody(t, method, rawURL, header, "")
}

func doBody(t *testing.T, method, rawURL string, header http.Header, body string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func signedIn(more ...string) http.Header {
	h := http.Header{"Cookie": {auth.SessionCookie + "=" + sessionValue}}
	for i := 0; i+1 < len(more); i += 2 {
		h.Add(more[i], more[i+1])
	}
	return h
}

// forged are identity headers a client might send, in several spellings:
// every name and prefix of idheader's list among them.
var forged = append(idheaderNames(), []string{"X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups", "x-forwarded-user",
	"X-FORWARDED-EMAIL", "X-Forwarded-Prefix", "X-Forwarded-Host", "X-Forwarded-For", "Forwarded", "X-Atrium-Assertion",
	"X-Atrium-Role", "x-atrium-anything", "X-Auth-Request-User", "X-Remote-User", "Remote-User", "X-Webauth-User",
	"X-Real-Ip", "X-Legacy-User", "x-legacy-user", "Authorization", "Proxy-Authorization"}...)

func idheaderNames() []string {
	names := slices.Clone(idheader.Names)
	for _, p := range idheader.Prefixes {
		names = append(names, p+"Name", strings.ToLower(p)+"name")
	}
	return names
}

// checkIdentity fails unless r carries Grace's identity, and nothing forged.
func checkIdentity(t *testing.T, r *http.Request) {
	t.Helper()
	for name, values := range r.Header {
		for _, v := range values {
			if strings.Contains(v, "evil") {
				t.Errorf("forged header reached the tool: %s: %s", name, v)
			}
		}
	}
	h := r.Header
	if h.Get("X-Forwarded-User") != grace.Subject || h.Get("X-Forwarded-Email") != grace.Email ||
		h.Get("X-Forwarded-Groups") != "support" || h.Get("X-Forwarded-Prefix") != "/tools/legacy" {
		t.Errorf("injected identity: %v", h)
	}
	if len(h.Values("X-Forwarded-User")) != 1 || len(h.Values(assertion.Header)) != 1 {
		t.Errorf("identity headers repeated: %v", h)
	}
	c, err := assertion.Verify(secret, "legacy", h.Get(assertion.Header), now.Add(time.Second))
	if err != nil {
		t.Fatalf("assertion: %v", err)
	}
	if c.Subject != grace.Subject || c.Email != grace.Email || c.Name != grace.Name ||
		!slices.Equal(c.Groups, grace.Groups) || c.ID == "" || !c.ExpiresAt.Equal(now.Add(time.Minute)) {
		t.Errorf("assertion claims %+v", c)
	}
}

func TestProxyReplacesIdentity(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	for _, lane := range lanes {
		t.Run(lane.name, func(t *testing.T) {
			h := signedIn()
			for _, name := range forged {
				h[name] = []string{"evil-" + name}
			}
			if resp := doBody(t, lane.method, srv.URL+"/tools/legacy/app/?customer=1", h, lane.body); resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got := up.last(t)
			if got.Method != lane.method || got.URL.Path != "/app/" || got.URL.RawQuery != "customer=1" {
				t.Errorf("tool got %s %s", got.Method, got.URL)
			}
			checkIdentity(t, got)
		})
	}
}

// Headers in a map filled by hand keep their spelling: they are compared in
// lower case, not looked up canonically.
func TestProxyReplacesIdentityInAnySpelling(t *testing.T) {
	up := startUpstream(t)
	p, err := legacy.NewProxy([]legacy.Tool{proxiedTool(up)}, identify, legacy.ProxyOptions{Now: func() time.Time { return now }, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/tools/legacy/app/", nil)
	r.Header = signedIn()
	for _, name := range forged {
		r.Header[name] = []string{"evil-" + name}
		r.Header[strings.ToLower(name)] = []string{"evil-lower-" + name}
	}
	r.Header["cookie"] = []string{auth.SessionCookie + "=evil"}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	checkIdentity(t, up.last(t))
}

func TestProxyForwardsOnlyToolCookies(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	for _, lane := range lanes {
		t.Run(lane.name, func(t *testing.T) {
			h := http.Header{"Cookie": {auth.SessionCookie + "=" + sessionValue + "; legacy_visits=3; " + auth.LoginCookie +
				"=evil; __Host-atrium_csrf=evil; odd=\"a b,c\"", "theme=dark"}}
			if resp := doBody(t, lane.method, srv.URL+"/tools/legacy/app/", h, lane.body); resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got := up.last(t).Header.Values("Cookie")
			if want := []string{`legacy_visits=3; odd="a b,c"; theme=dark`}; !slices.Equal(got, want) {
				t.Errorf("tool got cookies %q, want %q", got, want)
			}
		})
	}
}

func TestProxyRewritesResponses(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	for _, lane := range lanes {
		t.Run(lane.name, func(t *testing.T) { checkRewrites(t, srv.URL, lane.method, lane.body) })
	}
}

func checkRewrites(t *testing.T, base, method, body string) {
	for _, tc := range []struct{ path, location string }{
		{"redirect-path", "/tools/legacy/app/x?y=1#top"},
		{"redirect-abs", "/tools/legacy/app/y?q=1"},
		{"redirect-off", "https://other.example/z"},
		{"redirect-relative", "next?q=1"},
		{"redirect-scheme-relative", "//evil.example/z"},
	} {
		resp := doBody(t, method, base+"/tools/legacy/"+tc.path, signedIn(), body)
		if got := resp.Header.Get("Location"); got != tc.location {
			t.Errorf("%s: Location %q, want %q", tc.path, got, tc.location)
		}
	}

	resp := doBody(t, method, base+"/tools/legacy/app/", signedIn(), body)
	wantCookies := []string{"root=1; Path=/tools/legacy/; HttpOnly", "app=2; Path=/tools/legacy/app; SameSite=Lax",
		"plain=3", "elsewhere=4; Path=/tools/legacy/other"}
	if got := resp.Header.Values("Set-Cookie"); !slices.Equal(got, wantCookies) {
		t.Errorf("Set-Cookie\n got %q\nwant %q", got, wantCookies)
	}
	if xfo := resp.Header.Values("X-Frame-Options"); len(xfo) != 0 {
		t.Errorf("X-Frame-Options %q kept", xfo)
	}
	csp := resp.Header.Values("Content-Security-Policy")
	want := []string{"default-src 'self'; img-src *", "sandbox " + legacy.DefaultProxySandbox + "; frame-ancestors 'self'"}
	if !slices.Equal(csp, want) {
		t.Errorf("CSP\n got %q\nwant %q", csp, want)
	}
	if ro := resp.Header.Get("Content-Security-Policy-Report-Only"); ro != "report-uri /r" {
		t.Errorf("CSP report-only %q", ro)
	}
}

// A tool under a base path: redirects and cookie paths under it map to the
// prefix, those outside it do not leak the tool's own layout.
func TestProxyRewritesUnderBasePath(t *testing.T) {
	up := startUpstream(t)
	tool := proxiedTool(up)
	tool.Upstream = up.URL + "/app/"
	srv := startProxy(t, tool)
	resp := do(t, "GET", srv.URL+"/tools/legacy/redirect-abs", signedIn())
	if got := up.last(t).URL.Path; got != "/app/redirect-abs" {
		t.Errorf("tool got %s", got)
	}
	if got := resp.Header.Get("Location"); got != "/tools/legacy/y?q=1" {
		t.Errorf("Location %q", got)
	}
	cookies := resp.Header.Values("Set-Cookie")
	if !slices.Contains(cookies, "app=2; Path=/tools/legacy/; SameSite=Lax") ||
		!slices.Contains(cookies, "elsewhere=4; Path=/tools/legacy/") {
		t.Errorf("Set-Cookie %q", cookies)
	}
}

func TestProxyWebSocket(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	dial := func(origin string) (*websocket.Conn, error) {
		cfg, err := websocket.NewConfig("ws"+strings.TrimPrefix(srv.URL, "http")+"/tools/legacy/ws", origin)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Header = signedIn()
		cfg.Header.Set("X-Forwarded-User", "evil")
		return websocket.DialConfig(cfg)
	}
	ws, err := dial(srv.URL)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.Close()
	if err := websocket.Message.Send(ws, "hello"); err != nil {
		t.Fatal(err)
	}
	var reply string
	if err := websocket.Message.Receive(ws, &reply); err != nil || reply != "echo: hello" {
		t.Fatalf("reply %q, %v", reply, err)
	}
	checkIdentity(t, up.last(t))

	before := len(up.seen())
	if _, err := dial("https://evil.example"); err == nil {
		t.Error("a handshake from another origin went through")
	}
	if len(up.seen()) != before {
		t.Error("a handshake from another origin reached the tool")
	}
}

func TestProxyStreams(t *testing.T) {
	up := startUpstream(t)
	srv := startProxy(t, proxiedTool(up))
	defer up.finish() // before the servers close, which wait for the answer to end
	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/tools/legacy/stream", nil)
	req.Header = signedIn()
	type result struct {
		line string
		body io.ReadCloser
		err  error
	}
	first := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- result{err: err}
			return
		}
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		first <- result{line, resp.Body, err}
	}()
	// The tool holds the rest of its answer until the first line has
	// arrived: a proxy that buffered would never deliver it.
	select {
	case r := <-first:
		if r.err != nil || r.line != "first\n" {
			t.Fatalf("first line %q, %v", r.line, r.err)
		}
		defer r.body.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the first part of a streaming answer was not flushed")
	}
}

func TestNewProxyReportsProblems(t *testing.T) {
	bad := legacy.Tool{ID: "x", Title: "X", Mode: legacy.ModeProxy, Upstream: "not a url"}
	dup := legacy.Tool{ID: "y", Title: "Y", Mode: legacy.ModeProxy, Upstream: "http://10.0.0.5", Secret: secret}
	_, err := legacy.NewProxy([]legacy.Tool{bad, dup, dup}, identify, legacy.ProxyOptions{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`"x": upstream`, `"x": secret`, `"y": id used twice`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := legacy.NewProxy(nil, nil, legacy.ProxyOptions{}); err == nil {
		t.Error("no identify function accepted")
	}
}
