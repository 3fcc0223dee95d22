package legacy

import (
	"context"
	"errors"
	"net"
	"net/http/httptrace"
	"sync"
	"time"
)

// net/http's Transport reuses an HTTP/1.1 connection once an answer has
// been read to its end as framed, and drops it when the tool sends anything
// more while no request is waiting: an extra answer, a body after a HEAD
// answer, more bytes than the Content-Length said. It decides that in the
// connection's read loop, which puts the connection back into the idle pool
// first and looks at what follows second. A request that takes the
// connection in between (under load, or when that loop's thread is
// descheduled) is counted as waiting, and gets those bytes as its answer:
// another request's, perhaps another user's.
//
// toolConn closes that gap without reading HTTP itself. A request that
// takes a connection waits until the read loop is blocked reading the
// connection, which it only is once everything received before has been
// consumed (or until the loop has closed the connection because something
// was left over); from then until the request is written, bytes that come
// from the tool cannot be its answer, and they close the connection. Either
// way the request fails before it was sent, which net/http retries on a new
// connection when the request has no body. Bytes that a tool sends on its
// own while the request is on its way are indistinguishable from an answer
// to it, for any HTTP/1.1 client.

// toolConn is a plain TCP connection to a tool, as the Transport dials it.
type toolConn struct {
	net.Conn
	mu       sync.Mutex
	reading  bool          // a Read waits for the tool: nothing received is left unread
	awaiting bool          // taken by a request that has not been written yet
	closed   bool          //
	wake     chan struct{} // closed at the next Read or Close, for a request waiting to use the connection
}

// errUnsolicited is what a Read returns for bytes the tool sent before it
// was asked anything.
var errUnsolicited = errors.New("legacy: the tool sent bytes before it was asked anything; the connection is closed")

// parkTimeout bounds how long a request waits for the read loop to reach
// the connection; it always does at once, but a connection that somehow
// does not get there is closed rather than waited on.
const parkTimeout = 5 * time.Second

func dialTool(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &toolConn{Conn: c}, nil
	}
}

func (c *toolConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	c.reading = true
	c.wakeLocked()
	c.mu.Unlock()
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.reading = false
	unsolicited := n > 0 && c.awaiting
	c.mu.Unlock()
	if unsolicited {
		c.Close()
		return 0, errUnsolicited
	}
	return n, err
}

func (c *toolConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.awaiting = false // what comes from now on may be the answer
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func (c *toolConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.wakeLocked()
	c.mu.Unlock()
	return c.Conn.Close()
}

func (c *toolConn) wakeLocked() {
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
}

// take is called when a request is given the connection, before anything
// of it is written: it returns once the Transport's read loop waits on the
// connection, or once the connection is closed.
func (c *toolConn) take() {
	var timeout <-chan time.Time
	for {
		c.mu.Lock()
		switch {
		case c.closed:
			c.mu.Unlock()
			return
		case c.reading:
			c.awaiting = true
			c.mu.Unlock()
			return
		}
		if c.wake == nil {
			c.wake = make(chan struct{})
		}
		wake := c.wake
		c.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(parkTimeout)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-wake:
		case <-timeout:
			c.Close()
			return
		}
	}
}

// toolTrace hands each connection a request gets to take. It is installed
// in every proxied request's context; ReverseProxy composes its own trace
// with it, which leaves this one as it is.
var toolTrace = httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
	if c, ok := info.Conn.(*toolConn); ok {
		c.take()
	}
}}
