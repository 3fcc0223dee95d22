package legacy_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atrium-dev/atrium/legacy"
)

// twoUsers signs in Alice or Bob by their session cookie.
func twoUsers(r *http.Request) (legacy.User, bool) {
	c, err := r.Cookie("atrium_session")
	if err != nil {
		return legacy.User{}, false
	}
	switch c.Value {
	case "alice":
		return legacy.User{Subject: "alice", Email: "alice@example.com"}, true
	case "bob":
		return legacy.User{Subject: "bob", Email: "bob@example.com"}, true
	}
	return legacy.User{}, false
}

// rawTool is a tool on a raw TCP listener that answers each request as its
// path says, well or badly. Every answer names the user the proxy said it
// was for (X-Forwarded-User) and the request's marker (?m=), so an answer
// handed to the wrong request shows.
type rawTool struct {
	ln    net.Listener
	conns atomic.Int64
	wg    sync.WaitGroup
}

func startRawTool(t *testing.T) *rawTool {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rt := &rawTool{ln: ln}
	rt.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rt.conns.Add(1)
			rt.wg.Go(func() { serveRaw(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); rt.wg.Wait() })
	return rt
}

func (rt *rawTool) url() string { return "http://" + rt.ln.Addr().String() }

// mark is what the tool answers to a request: whose it is and which.
func mark(user, m string) string { return "user=" + user + " m=" + m }

func okResponse(body string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

func serveRaw(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
		body := mark(req.Header.Get("X-Forwarded-User"), req.URL.Query().Get("m"))
		var answer string
		hangUp := false
		switch req.URL.Path {
		case "/extra": // a complete answer, then one more nobody asked for
			answer = okResponse(body) + okResponse(body+" (extra)")
		case "/head-body": // a body after a HEAD answer: response splitting
			split := okResponse(body + " (split)")
			answer = fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(split), split)
		case "/long": // a Content-Length larger than the body
			answer = fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body)+50, body)
			hangUp = true
		case "/short": // a Content-Length smaller than the body
			answer = fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n%s", body)
		case "/cut": // the connection closed in the middle of the body
			answer = fmt.Sprintf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n3\r\nab", len(body), body)
			hangUp = true
		case "/early": // an informational answer before the answer
			answer = "HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n" + okResponse(body)
		case "/garbage": // no HTTP at all
			answer = "hello, this is not HTTP\r\n\r\n"
			hangUp = true
		default:
			answer = okResponse(body)
		}
		if _, err := io.WriteString(c, answer); err != nil || hangUp {
			return
		}
	}
}

// outcome is what a browser made of one answer.
type outcome struct {
	status int
	body   string
	err    error // reading the answer failed
}

// browser is one user's browser: its own connections to Atrium.
type browser struct {
	user   string
	client *http.Client
}

func newBrowser(t *testing.T, user string) *browser {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &browser{user: user, client: &http.Client{Transport: tr}}
}

func (b *browser) do(t *testing.T, method, url string) outcome {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", "atrium_session="+b.user)
	res, err := b.client.Do(req)
	if err != nil {
		return outcome{err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return outcome{status: res.StatusCode, body: string(body), err: err}
}

// Two users take turns; one of them meets a tool's broken answer each turn.
// The broken answer fails only the request it answers, and no one is ever
// handed an answer meant for another request, whatever the tool sent.
func TestProxyNeverMixesAnswersOfAMisbehavingTool(t *testing.T) {
	for _, tc := range []struct {
		path, method string
		// want checks the outcome of the broken request itself.
		want func(o outcome, own string) string
	}{
		{"/extra", "GET", wantOwn},
		{"/head-body", "HEAD", func(o outcome, _ string) string {
			if o.err != nil || o.status != http.StatusOK || o.body != "" {
				return fmt.Sprintf("HEAD: %d %q %v, want 200 without a body", o.status, o.body, o.err)
			}
			return ""
		}},
		{"/long", "GET", wantAborted},
		{"/short", "GET", func(o outcome, own string) string {
			if o.err != nil || o.status != http.StatusOK || o.body != own[:5] {
				return fmt.Sprintf("%d %q %v, want 200 and the 5 bytes the tool announced", o.status, o.body, o.err)
			}
			return ""
		}},
		{"/cut", "GET", wantAborted},
		{"/early", "GET", wantOwn},
		{"/garbage", "GET", wantBrokenPage},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			tool := startRawTool(t)
			p, err := legacy.NewProxy([]legacy.Tool{{ID: "raw", Title: "Raw tool", Mode: legacy.ModeProxy,
				Upstream: tool.url(), Secret: secret}}, twoUsers, legacy.ProxyOptions{Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(p)
			t.Cleanup(srv.Close)
			t.Cleanup(p.CloseIdleConnections)
			alice, bob := newBrowser(t, "alice"), newBrowser(t, "bob")
			for i := range 6 {
				broken, other := alice, bob
				if i%2 == 1 {
					broken, other = bob, alice
				}
				m := fmt.Sprintf("%s-%d", broken.user, i)
				if problem := tc.want(broken.do(t, tc.method, srv.URL+"/tools/raw"+tc.path+"?m="+m), mark(broken.user, m)); problem != "" {
					t.Errorf("turn %d, %s's %s %s: %s", i, broken.user, tc.method, tc.path, problem)
				}
				for _, b := range []*browser{other, broken} {
					m := fmt.Sprintf("%s-%d-next", b.user, i)
					if problem := wantOwn(b.do(t, "GET", srv.URL+"/tools/raw/ok?m="+m), mark(b.user, m)); problem != "" {
						t.Errorf("turn %d, %s's next request after %s: %s", i, b.user, tc.path, problem)
					}
				}
			}
		})
	}
}

func wantOwn(o outcome, own string) string {
	if o.err != nil || o.status != http.StatusOK || o.body != own {
		return fmt.Sprintf("%d %q %v, want 200 %q", o.status, o.body, o.err, own)
	}
	return ""
}

// wantAborted wants an answer that breaks off, never one that looks whole.
func wantAborted(o outcome, _ string) string {
	if o.err == nil {
		return fmt.Sprintf("%d %q arrived as a whole answer, want it broken off", o.status, o.body)
	}
	return ""
}

// wantBrokenPage wants a 502 whose page says what happened and what to do.
func wantBrokenPage(o outcome, _ string) string {
	if o.err != nil || o.status != http.StatusBadGateway ||
		!strings.Contains(o.body, "Raw tool sent an answer Atrium could not read") || !strings.Contains(o.body, "Try again") {
		return fmt.Sprintf("%d %q %v, want 502 saying the answer was broken and what to do", o.status, o.body, o.err)
	}
	return ""
}
