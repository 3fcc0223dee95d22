package legacy

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var forwardSecret = []byte("0123456789abcdef0123456789abcdef")

// startForwardProxy serves a proxy for one tool on up, everyone signed in.
func startForwardProxy(t *testing.T, up string) (*Proxy, string) {
	t.Helper()
	tool := Tool{ID: "t", Title: "T", Mode: ModeProxy, Upstream: up, Secret: forwardSecret}
	p, err := NewProxy([]Tool{tool}, func(*http.Request) (User, bool) {
		return User{Subject: "u1", Email: "u1@example.com", Groups: []string{"sales"}}, true
	}, ProxyOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(p.CloseIdleConnections)
	return p, srv.URL + "/tools/t/"
}

// Requests without a body take the proxy's own lane, on one kept connection;
// a request with a body takes ReverseProxy's, on net/http's Transport.
func TestProxyLanes(t *testing.T) {
	up := startCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, b)
	}))
	p, base := startForwardProxy(t, up.URL)
	client := &http.Client{}
	for i := range 10 {
		res, err := client.Get(fmt.Sprintf("%sp%d", base, i))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != fmt.Sprintf("GET /p%d ", i) {
			t.Fatalf("answer %q", b)
		}
	}
	ka := p.transport
	if n := up.conns.Load(); n != 1 || len(ka.idle) != 1 {
		t.Fatalf("%d connections to the tool, %d kept, for 10 GETs; want 1 and 1", n, len(ka.idle))
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
	if n := up.conns.Load(); n != 2 {
		t.Errorf("%d connections to the tool, want 2 (the POST on net/http's Transport)", n)
	}
	for addr, conns := range ka.idle {
		if len(conns) != 1 {
			t.Errorf("%d connections kept to %s, want 1: the request with a body went on the kept connections", len(conns), addr)
		}
	}
}

// Headers of one connection are not passed on, either way, including those
// the Connection header names; "Te: trailers" is, and trailers come back.
func TestProxyOwnLaneDropsHopByHopHeaders(t *testing.T) {
	var got http.Header
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Connection", "X-Tool-Hop")
		w.Header().Set("X-Tool-Hop", "1")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("Trailer", "X-Checksum")
		fmt.Fprint(w, "body")
		w.Header().Set("X-Checksum", "abc")
	}))
	t.Cleanup(up.Close)
	_, base := startForwardProxy(t, up.URL)
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
	if got.Get("X-Client-Hop") != "" || got.Get("Keep-Alive") != "" || got.Get("Te") != "trailers" ||
		got.Get("X-Kept") != "yes" || got.Get("User-Agent") != "Go-http-client/1.1" {
		t.Errorf("tool got %v", got)
	}
	if res.Header.Get("X-Tool-Hop") != "" || res.Header.Get("Keep-Alive") != "" {
		t.Errorf("browser got %v", res.Header)
	}
	if res.Trailer.Get("X-Checksum") != "abc" {
		t.Errorf("trailer %v", res.Trailer)
	}
}

// A tool whose answer breaks off leaves the browser with a broken answer,
// never one that looks complete.
func TestProxyOwnLaneAbortsABrokenAnswer(t *testing.T) {
	tool := startRaw(t, func(int64) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"
	}, func(int64) bool { return true })
	_, base := startForwardProxy(t, tool.url())
	res, err := http.Get(base + "page")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if b, err := io.ReadAll(res.Body); err == nil {
		t.Errorf("a broken answer arrived whole: %q", b)
	}
}
