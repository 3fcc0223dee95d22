package legacy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestProxyTransportIsTuned(t *testing.T) {
	identify := func(*http.Request) (User, bool) { return User{}, false }
	p, err := NewProxy(nil, identify, ProxyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ka := p.transport
	tr := ka.fallback
	if tr.MaxIdleConnsPerHost != 64 || tr.TLSHandshakeTimeout != 5*time.Second ||
		tr.ResponseHeaderTimeout != 30*time.Second || tr.IdleConnTimeout != 90*time.Second || tr.Proxy != nil ||
		tr.DialContext == nil {
		t.Errorf("default fallback transport %+v", tr)
	}
	if ka.maxIdle != 64 || ka.headerTimeout != 30*time.Second || ka.idleTimeout != 90*time.Second {
		t.Errorf("default keep-alive transport %+v", ka)
	}
	p, _ = NewProxy(nil, identify, ProxyOptions{MaxIdleConnsPerHost: 256, ResponseHeaderTimeout: time.Minute})
	if ka := p.transport; ka.fallback.MaxIdleConnsPerHost != 256 ||
		ka.fallback.ResponseHeaderTimeout != time.Minute || ka.maxIdle != 256 || ka.headerTimeout != time.Minute {
		t.Errorf("configured transport %+v", ka)
	}
}

// countingServer is a tool that counts the connections opened to it.
type countingServer struct {
	*httptest.Server
	conns atomic.Int64
}

func startCounting(t *testing.T, h http.Handler) *countingServer {
	t.Helper()
	s := &countingServer{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func testTransport(t *testing.T, headerTimeout time.Duration) *keepAliveTransport {
	t.Helper()
	ka := newKeepAliveTransport(ProxyOptions{MaxIdleConnsPerHost: 4, DialTimeout: 5 * time.Second,
		IdleConnTimeout: time.Minute, ResponseHeaderTimeout: headerTimeout})
	t.Cleanup(ka.CloseIdleConnections)
	return ka
}

func roundTrip(t *testing.T, ka *keepAliveTransport, method, url string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	res, err := ka.roundTrip(req.Context(), req)
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

// Bodiless requests of every kind share one kept connection: answers with
// a length, chunked answers, HEAD, 204 and 304.
func TestKeepAliveReusesOneConnection(t *testing.T) {
	up := startCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			fmt.Fprint(w, "page "+r.URL.Path)
		}
	}))
	ka := testTransport(t, time.Minute)
	for i := range 20 {
		if _, body := roundTrip(t, ka, "GET", fmt.Sprintf("%s/p%d", up.URL, i)); body != fmt.Sprintf("page /p%d", i) {
			t.Fatalf("answer %q", body)
		}
	}
	if _, body := roundTrip(t, ka, "GET", up.URL+"/chunked"); body != "part one, part two" {
		t.Fatalf("chunked answer %q", body)
	}
	for _, c := range []struct{ method, path string }{{"HEAD", "/p"}, {"GET", "/empty"}, {"GET", "/same"}} {
		if _, body := roundTrip(t, ka, c.method, up.URL+c.path); body != "" {
			t.Fatalf("%s %s: body %q", c.method, c.path, body)
		}
	}
	if _, body := roundTrip(t, ka, "GET", up.URL+"/last"); body != "page /last" {
		t.Fatalf("answer %q", body)
	}
	if n := up.conns.Load(); n != 1 {
		t.Errorf("%d connections for 25 requests one after the other, want 1", n)
	}
}

// An answer closed before its end, and one marked Connection: close, leave
// their connection closed instead of kept: the next request dials anew.
func TestKeepAliveDropsUnfinishedAndClosingConnections(t *testing.T) {
	up := startCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		fmt.Fprint(w, strings.Repeat("x", 64<<10))
	}))
	ka := testTransport(t, time.Minute)
	req, _ := http.NewRequest("GET", up.URL+"/big", nil)
	res, err := ka.roundTrip(req.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Body.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	res.Body.Close() // most of the answer unread
	roundTrip(t, ka, "GET", up.URL+"/close")
	roundTrip(t, ka, "GET", up.URL+"/after")
	if n := up.conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3 (none of the first two reusable)", n)
	}
}

// rawTool answers on raw TCP what a test scripts, and counts connections.
type rawTool struct {
	ln    net.Listener
	conns atomic.Int64
	wg    sync.WaitGroup
}

// startRaw serves each request with answer(n), n counting requests across
// connections from 1; after writing it, the connection is closed when
// closeAfter says so.
func startRaw(t *testing.T, answer func(n int64) string, closeAfter func(n int64) bool) *rawTool {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rt := &rawTool{ln: ln}
	var requests atomic.Int64
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rt.conns.Add(1)
			rt.wg.Add(1)
			go func() {
				defer rt.wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					req.Body.Close()
					n := requests.Add(1)
					if _, err := io.WriteString(c, answer(n)); err != nil || closeAfter(n) {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); rt.wg.Wait() })
	return rt
}

func (rt *rawTool) url() string { return "http://" + rt.ln.Addr().String() }

const okAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// A tool that closes a kept connection without saying so: the next
// idempotent request is sent again on a fresh connection, a POST is not.
func TestKeepAliveRetriesIdempotentRequestsOnAClosedConnection(t *testing.T) {
	tool := startRaw(t, func(int64) string { return okAnswer }, func(int64) bool { return true })
	ka := testTransport(t, time.Minute)
	roundTrip(t, ka, "GET", tool.url()+"/a")
	// The tool closes its end at once; give the close time to arrive
	// before the connection is reused, as it would between two clicks.
	waitFor(t, func() bool { return peerClosed(ka) })
	if _, body := roundTrip(t, ka, "GET", tool.url()+"/b"); body != "ok" {
		t.Fatalf("answer %q", body)
	}
	if n := tool.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the kept one the tool closed, then a fresh one)", n)
	}
	waitFor(t, func() bool { return peerClosed(ka) })
	req, _ := http.NewRequest("POST", tool.url()+"/c", nil)
	if _, err := ka.roundTrip(req.Context(), req); err == nil {
		t.Error("a POST on a closed kept connection was sent again")
	}
}

// peerClosed reports whether the one kept connection has been closed by
// the tool: a read returns at once with EOF.
func peerClosed(ka *keepAliveTransport) bool {
	ka.mu.Lock()
	defer ka.mu.Unlock()
	for _, conns := range ka.idle {
		for _, c := range conns {
			_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
			_, err := c.br.Peek(1)
			_ = c.SetReadDeadline(time.Time{})
			return errors.Is(err, io.EOF)
		}
	}
	return false
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// 100 Continue and 103 Early Hints come before the answer and are skipped.
func TestKeepAliveSkipsInformationalAnswers(t *testing.T) {
	tool := startRaw(t, func(int64) string {
		return "HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n" + okAnswer
	}, func(int64) bool { return false })
	ka := testTransport(t, time.Minute)
	res, body := roundTrip(t, ka, "GET", tool.url()+"/")
	if res.StatusCode != 200 || body != "ok" {
		t.Fatalf("answer %d %q", res.StatusCode, body)
	}
	roundTrip(t, ka, "GET", tool.url()+"/")
	if n := tool.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// A tool that does not start its answer within ResponseHeaderTimeout gets
// a timeout error (the proxy answers 504); a browser that leaves ends the
// wait at once. Neither connection is kept.
func TestKeepAliveTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	up := startCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		fmt.Fprint(w, "ok")
	}))
	defer close(release)
	ka := testTransport(t, 200*time.Millisecond)
	roundTrip(t, ka, "GET", up.URL+"/fast") // the slow request goes on a kept connection
	req, _ := http.NewRequest("GET", up.URL+"/slow", nil)
	_, err := ka.roundTrip(req.Context(), req)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("error %v, want a timeout", err)
	}
	if n := up.conns.Load(); n != 1 {
		t.Fatalf("%d connections, want 1: a timeout on a kept connection is not retried", n)
	}

	ka = testTransport(t, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, "GET", up.URL+"/slow", nil)
	errc := make(chan error, 1)
	go func() {
		_, err := ka.roundTrip(req.Context(), req)
		errc <- err
	}()
	waitFor(t, func() bool { return up.conns.Load() == 2 })
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a request whose browser left still waits for the tool")
	}
	roundTrip(t, ka, "GET", up.URL+"/fast")
	if n := up.conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3 (nothing kept from the abandoned ones)", n)
	}
}

// A kept connection idle for longer than IdleConnTimeout is closed, not
// reused: the tool may have dropped it meanwhile.
func TestKeepAliveClosesConnectionsIdleTooLong(t *testing.T) {
	up := startCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	ka := testTransport(t, time.Minute)
	roundTrip(t, ka, "GET", up.URL+"/a")
	ka.mu.Lock()
	for _, conns := range ka.idle {
		for _, c := range conns {
			c.idleSince = time.Now().Add(-2 * time.Minute)
		}
	}
	ka.mu.Unlock()
	roundTrip(t, ka, "GET", up.URL+"/b")
	if n := up.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the one idle too long not reused)", n)
	}
	total := 0
	for _, conns := range ka.idle {
		total += len(conns)
	}
	if total != 1 {
		t.Errorf("%d connections kept, want 1 (the stale one closed)", total)
	}
}
