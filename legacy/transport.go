package legacy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// keepAliveTransport carries the proxy's requests to tools. Most of what a
// browser asks of a tool is a request without a body (pages, scripts,
// styles, images); for a plain-HTTP tool, keepAliveTransport sends those on
// a pool of kept-alive HTTP/1.1 connections of its own, in the calling
// goroutine: no goroutine hand-offs and no per-request context or timer,
// which make net/http's Transport several times slower than the tool behind
// it on a small page. The framing on the wire is net/http's own
// (Request.Write and ReadResponse).
//
// Everything else goes through ReverseProxy on fallback, a tuned
// http.Transport: a request with a body (it may be answered before it is
// sent whole), a WebSocket or other upgrade, and any tool served over https
// (where HTTP/2 may be spoken).
type keepAliveTransport struct {
	fallback      *http.Transport
	dial          func(ctx context.Context, network, addr string) (net.Conn, error)
	maxIdle       int           // kept connections per tool address
	idleTimeout   time.Duration // a connection idle longer is closed, not reused
	headerTimeout time.Duration // how long a tool may take to start its answer

	mu   sync.Mutex
	idle map[string][]*toolConn // by host:port, the most recently used last
}

// toolConn is one kept-alive connection to a tool.
type toolConn struct {
	net.Conn
	addr      string
	br        *bufio.Reader
	bw        *bufio.Writer
	idleSince time.Time
}

func newKeepAliveTransport(o ProxyOptions) *keepAliveTransport {
	dialer := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
	return &keepAliveTransport{
		fallback: &http.Transport{
			// Tools are reached directly: an environment proxy meant for
			// the internet must not see requests carrying identity
			// assertions.
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
			IdleConnTimeout:       o.IdleConnTimeout,
			TLSHandshakeTimeout:   o.TLSHandshakeTimeout,
			ResponseHeaderTimeout: o.ResponseHeaderTimeout,
			ExpectContinueTimeout: time.Second,
		},
		dial:          dialer.DialContext,
		maxIdle:       o.MaxIdleConnsPerHost,
		idleTimeout:   o.IdleConnTimeout,
		headerTimeout: o.ResponseHeaderTimeout,
		idle:          map[string][]*toolConn{},
	}
}

// roundTrip sends req, a bodiless plain-HTTP request, on a kept connection;
// ctx governs it instead of req's own context.
func (t *keepAliveTransport) roundTrip(ctx context.Context, req *http.Request) (*http.Response, error) {
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	for attempt := 0; ; attempt++ {
		c, reused, err := t.get(ctx, addr)
		if err != nil {
			return nil, err
		}
		res, silent, err := t.exchange(ctx, req, c)
		if err == nil {
			return res, nil
		}
		c.Close()
		// A kept connection that the tool had already closed fails before
		// any answer: the request is sent again on a fresh one, as
		// net/http's Transport does, when sending it twice is harmless.
		if reused && silent && !timedOut(err) && attempt == 0 && ctx.Err() == nil && idempotent(req) {
			continue
		}
		return nil, err
	}
}

// bodiless reports whether a request has no body, trailer or upgrade: what
// keepAliveTransport carries itself (to a plain-HTTP tool).
func bodiless(req *http.Request) bool {
	return (req.Body == nil || req.Body == http.NoBody) && req.ContentLength <= 0 &&
		len(req.Trailer) == 0 && req.Header.Get("Upgrade") == ""
}

// timedOut reports a tool that kept silent past the header timeout: that is
// its answer, not a connection it had closed, and waiting again would only
// double the wait.
func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

// aLongTimeAgo is a deadline that has passed: setting it interrupts a
// blocked read or write at once.
var aLongTimeAgo = time.Unix(1, 0)

// exchange writes req on c and reads the answer's header. silent reports,
// on error, that the tool sent nothing back (so the request may be sent
// again). The answer's body, once read to its end, gives c back to the pool.
func (t *keepAliveTransport) exchange(ctx context.Context, req *http.Request, c *toolConn) (res *http.Response, silent bool, err error) {
	// The browser leaving ends the exchange: the pending read or write
	// fails at once, and the connection is not kept.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(aLongTimeAgo) })
	fail := func(err error) (*http.Response, bool, error) {
		stop()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, false, ctxErr
		}
		return nil, silent, err
	}
	if t.headerTimeout > 0 {
		_ = c.SetReadDeadline(time.Now().Add(t.headerTimeout))
	}
	if err := req.Write(c.bw); err != nil {
		silent = true
		return fail(err)
	}
	if err := c.bw.Flush(); err != nil {
		silent = true
		return fail(err)
	}
	if _, err := c.br.Peek(1); err != nil {
		silent = true
		return fail(err)
	}
	for {
		res, err = http.ReadResponse(c.br, req)
		if err != nil {
			return fail(err)
		}
		// 1xx answers other than 101 (100 Continue, 103 Early Hints)
		// precede the real one and carry no body.
		if res.StatusCode < 100 || res.StatusCode >= 200 || res.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	if t.headerTimeout > 0 {
		_ = c.SetReadDeadline(time.Time{}) // a body may stream for as long as it likes
	}
	keep := !res.Close && res.StatusCode != http.StatusSwitchingProtocols
	if res.Body == http.NoBody {
		t.release(c, keep, stop)
		return res, false, nil
	}
	res.Body = &toolBody{body: res.Body, conn: c, keep: keep, stop: stop, t: t}
	return res, false, nil
}

// toolBody is an answer's body on a kept connection: read to its end, it
// gives the connection back; closed before that, it closes the connection
// (what is left unread could be any length).
type toolBody struct {
	body io.ReadCloser
	conn *toolConn
	keep bool
	stop func() bool
	t    *keepAliveTransport
	done bool
}

func (b *toolBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	n, err := b.body.Read(p)
	if err == io.EOF {
		b.done = true
		b.t.release(b.conn, b.keep, b.stop)
	} else if err != nil {
		b.done = true
		b.t.release(b.conn, false, b.stop)
	}
	return n, err
}

func (b *toolBody) Close() error {
	if !b.done {
		b.done = true
		b.t.release(b.conn, false, b.stop)
	}
	return nil
}

// release ends an exchange on c: c goes back to the pool when keep holds
// and the browser did not leave meanwhile, else it is closed.
func (t *keepAliveTransport) release(c *toolConn, keep bool, stop func() bool) {
	if !stop() { // the browser left: the deadline may already be in the past
		keep = false
	}
	if keep {
		c.idleSince = time.Now()
		t.mu.Lock()
		if len(t.idle[c.addr]) < t.maxIdle {
			t.idle[c.addr] = append(t.idle[c.addr], c)
			c = nil
		}
		t.mu.Unlock()
	}
	if c != nil {
		c.Close()
	}
}

// get returns a kept connection to addr (reused true), or a new one. Kept
// connections idle for longer than idleTimeout are closed on the way.
func (t *keepAliveTransport) get(ctx context.Context, addr string) (c *toolConn, reused bool, err error) {
	var stale []*toolConn
	t.mu.Lock()
	conns := t.idle[addr]
	// The least recently used are at the front.
	n := 0
	for n < len(conns) && t.idleTimeout > 0 && time.Since(conns[n].idleSince) > t.idleTimeout {
		n++
	}
	if n > 0 {
		stale = append(stale, conns[:n]...)
		conns = slices.Delete(conns, 0, n)
	}
	if len(conns) > 0 {
		c = conns[len(conns)-1]
		conns = conns[:len(conns)-1]
	}
	t.idle[addr] = conns
	t.mu.Unlock()
	for _, s := range stale {
		s.Close()
	}
	if c != nil {
		return c, true, nil
	}
	nc, err := t.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	return &toolConn{Conn: nc, addr: addr, br: bufio.NewReaderSize(nc, 4<<10), bw: bufio.NewWriterSize(nc, 4<<10)}, false, nil
}

// CloseIdleConnections closes every kept connection.
func (t *keepAliveTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = map[string][]*toolConn{}
	t.mu.Unlock()
	for _, conns := range idle {
		for _, c := range conns {
			c.Close()
		}
	}
	t.fallback.CloseIdleConnections()
}
