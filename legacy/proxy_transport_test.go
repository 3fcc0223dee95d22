package legacy_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/legacy"
)

// countingTool is a tool that counts the connections opened to it and
// those closed.
type countingTool struct {
	*httptest.Server
	opened, closed atomic.Int64
}

func startCountingTool(t *testing.T, h http.HandlerFunc) *countingTool {
	t.Helper()
	s := &countingTool{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.opened.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.closed.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// proxyFor serves a proxy of one tool on upstream, everyone signed in.
func proxyFor(t *testing.T, upstream string, opts legacy.ProxyOptions) (*legacy.Proxy, string) {
	t.Helper()
	opts.Logger = quiet
	p, err := legacy.NewProxy([]legacy.Tool{{ID: "t", Title: "The tool", Mode: legacy.ModeProxy, Upstream: upstream, Secret: secret}},
		func(*http.Request) (legacy.User, bool) { return grace, true }, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(p.CloseIdleConnections)
	return p, srv.URL + "/tools/t/"
}

// waitFor waits for cond, checked every few milliseconds, for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func fetch(t *testing.T, client *http.Client, method, url string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, url, nil)
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, url, err)
	}
	return res, string(b)
}

// Requests of every kind, one after the other, share one kept-alive
// connection to the tool; closing the proxy's idle connections closes it.
func TestProxyKeepsConnectionsAlive(t *testing.T) {
	up := startCountingTool(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			fmt.Fprint(w, "part one, ")
			w.(http.Flusher).Flush()
			fmt.Fprint(w, "part two")
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/same":
			w.WriteHeader(http.StatusNotModified)
		default:
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, b)
		}
	})
	p, base := proxyFor(t, up.URL, legacy.ProxyOptions{})
	client := &http.Client{}
	for i := range 10 {
		if _, body := fetch(t, client, "GET", fmt.Sprintf("%sp%d", base, i)); body != fmt.Sprintf("GET /p%d ", i) {
			t.Fatalf("answer %q", body)
		}
	}
	if _, body := fetch(t, client, "GET", base+"chunked"); body != "part one, part two" {
		t.Fatalf("chunked answer %q", body)
	}
	for _, c := range []struct{ method, path string }{{"HEAD", "p"}, {"GET", "empty"}, {"GET", "same"}} {
		if _, body := fetch(t, client, c.method, base+c.path); body != "" {
			t.Fatalf("%s %s: body %q", c.method, c.path, body)
		}
	}
	res, err := client.Post(base+"form", "text/plain", strings.NewReader("x=1"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "POST /form x=1" {
		t.Fatalf("answer %q", b)
	}
	if n := up.opened.Load(); n != 1 {
		t.Errorf("%d connections for 15 requests one after the other, want 1", n)
	}
	p.CloseIdleConnections()
	waitFor(t, "the idle connection closed", func() bool { return up.closed.Load() == 1 })
}

// A tool that does not start its answer within ResponseHeaderTimeout gets
// a 504 that says so; a browser that leaves ends the tool's request at
// once. Neither connection is used again.
func TestProxyHeaderTimeoutAndBrowserLeaving(t *testing.T) {
	release := make(chan struct{})
	left := make(chan struct{}, 1)
	var reached atomic.Int64
	up := startCountingTool(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			reached.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
				left <- struct{}{}
				return
			}
		}
		fmt.Fprint(w, "ok")
	})
	defer close(release)
	_, base := proxyFor(t, up.URL, legacy.ProxyOptions{ResponseHeaderTimeout: 200 * time.Millisecond})
	// Without a header timeout the slow request would wait for good.
	client := &http.Client{Timeout: 10 * time.Second}
	fetch(t, client, "GET", base+"fast") // the slow request goes on a kept connection
	res, body := fetch(t, client, "GET", base+"slow")
	if res.StatusCode != http.StatusGatewayTimeout || !strings.Contains(body, "The tool did not answer within 200ms") {
		t.Errorf("slow tool: %d %q, want 504 saying so", res.StatusCode, body)
	}
	select {
	case <-left:
	case <-time.After(5 * time.Second):
		t.Fatal("the tool's request went on after the timeout")
	}

	// The browser leaves long before the default header timeout (30 s).
	_, base = proxyFor(t, up.URL, legacy.ProxyOptions{})
	before := reached.Load()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"slow", nil)
	done := make(chan error, 1)
	go func() {
		res, err := client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the request reached the tool", func() bool { return reached.Load() > before })
	cancel()
	select {
	case <-left:
	case <-time.After(5 * time.Second):
		t.Fatal("a request whose browser left still waits at the tool")
	}
	if err := <-done; err == nil {
		t.Error("the abandoned request got an answer")
	}
	if _, body := fetch(t, client, "GET", base+"fast"); body != "ok" {
		t.Errorf("after: %q", body)
	}
}

// A tool that cannot be reached gets a page that says so.
func TestProxyUnreachableTool(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, base := proxyFor(t, "http://"+addr, legacy.ProxyOptions{})
	res, body := fetch(t, &http.Client{}, "GET", base+"x")
	if res.StatusCode != http.StatusBadGateway || !strings.Contains(body, "The tool cannot be reached. Try again") {
		t.Errorf("%d %q", res.StatusCode, body)
	}
}

// Headers of one connection are not passed on, either way, including those
// the Connection header names; "Te: trailers" is, and trailers come back.
func TestProxyDropsHopByHopHeaders(t *testing.T) {
	var got http.Header
	up := startCountingTool(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Connection", "X-Tool-Hop")
		w.Header().Set("X-Tool-Hop", "1")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("Trailer", "X-Checksum")
		fmt.Fprint(w, "body")
		w.Header().Set("X-Checksum", "abc")
	})
	_, base := proxyFor(t, up.URL, legacy.ProxyOptions{})
	req, _ := http.NewRequest("GET", base+"page", nil)
	req.Header.Set("Connection", "X-Client-Hop")
	req.Header.Set("X-Client-Hop", "1")
	req.Header.Set("Keep-Alive", "timeout=5")
	req.Header.Set("Te", "trailers, deflate")
	req.Header.Set("X-Kept", "yes")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "body" {
		t.Fatalf("body %q", b)
	}
	if got.Get("X-Client-Hop") != "" || got.Get("Keep-Alive") != "" || got.Get("Te") != "trailers" || got.Get("X-Kept") != "yes" {
		t.Errorf("tool got %v", got)
	}
	if res.Header.Get("X-Tool-Hop") != "" || res.Header.Get("Keep-Alive") != "" {
		t.Errorf("browser got %v", res.Header)
	}
	if res.Trailer.Get("X-Checksum") != "abc" {
		t.Errorf("trailer %v", res.Trailer)
	}
}

// Answers are copied through pooled buffers: a request does not cost the
// 32 KB copy buffer ReverseProxy would otherwise allocate for it.
func TestProxyPoolsCopyBuffers(t *testing.T) {
	up := startCountingTool(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	p, _ := proxyFor(t, up.URL, legacy.ProxyOptions{})
	serve := func() {
		r := httptest.NewRequest("GET", "/tools/t/page", nil)
		w := httptest.NewRecorder()
		p.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	serve()
	const n = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		serve()
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 32<<10 {
		t.Errorf("%d bytes allocated per request, want fewer than a 32 KB copy buffer", per)
	}
}
