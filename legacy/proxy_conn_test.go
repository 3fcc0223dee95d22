package legacy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"testing"
	"time"
)

// scriptedTool answers GET /extra with its answer and one more, GET /late
// with its answer and, once told, one more; anything else with its answer.
// Each answer's body is the request's ?m= marker.
type scriptedTool struct {
	ln   net.Listener
	late chan struct{} // a receive lets /late's extra answer go
	wg   sync.WaitGroup
}

func startScriptedTool(t *testing.T) *scriptedTool {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st := &scriptedTool{ln: ln, late: make(chan struct{})}
	st.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			st.wg.Go(func() { st.serve(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); st.wg.Wait() })
	return st
}

func answer(body string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

func (st *scriptedTool) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		m := req.URL.Query().Get("m")
		out := answer(m)
		if req.URL.Path == "/extra" {
			out += answer(m + " (extra)")
		}
		if _, err := io.WriteString(c, out); err != nil {
			return
		}
		if req.URL.Path == "/late" {
			<-st.late
			if _, err := io.WriteString(c, answer(m+" (late extra)")); err != nil {
				return
			}
		}
	}
}

// get sends GET url on tr with the proxy's trace, then more's (whose hooks
// run first), and returns the body.
func get(t *testing.T, tr http.RoundTripper, url string, more *httptrace.ClientTrace) string {
	t.Helper()
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{GotConn: toolTrace.GotConn})
	if more != nil {
		ctx = httptrace.WithClientTrace(ctx, more)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", url, err)
	}
	return string(b)
}

// waitUntil waits for cond, checked every millisecond, for up to 5 s.
func waitUntil(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

func (c *toolConn) state() (reading, waited, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reading, c.wake != nil, c.closed
}

// net/http's Transport puts a connection back into its pool before it looks
// for bytes left over from the answer. This holds its read loop right
// there (PutIdleConn) until the next request has been written, or has been
// made to wait for the read loop: without toolConn's wait, the next request
// gets the left-over answer.
func TestTransportWaitsForLeftOverBytesToBeSeen(t *testing.T) {
	tool := startScriptedTool(t)
	tr := NewTransport(ProxyOptions{})
	t.Cleanup(tr.CloseIdleConnections)
	base := "http://" + tool.ln.Addr().String()

	var conn *toolConn
	parked, wrote := make(chan struct{}), make(chan struct{})
	var once sync.Once
	hold := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { conn, _ = info.Conn.(*toolConn) },
		PutIdleConn: func(error) {
			// The read loop, with the extra answer unread, waits here.
			close(parked)
			waitUntil(func() bool {
				select {
				case <-wrote:
					return true
				default:
				}
				_, waited, _ := conn.state()
				return waited
			})
		},
	}
	first := make(chan string, 1)
	go func() { first <- get(t, tr, base+"/extra?m=first", hold) }()
	<-parked
	next := &httptrace.ClientTrace{WroteHeaders: func() { once.Do(func() { close(wrote) }) }}
	if got := get(t, tr, base+"/ok?m=next", next); got != "next" {
		t.Errorf("the next request got %q, want its own answer", got)
	}
	if got := <-first; got != "first" {
		t.Errorf("first answer %q", got)
	}
}

// Bytes a tool sends after a request took the connection but before that
// request was written cannot be its answer: they close the connection,
// and the request goes on a fresh one.
func TestTransportRefusesBytesBeforeTheRequest(t *testing.T) {
	tool := startScriptedTool(t)
	tr := NewTransport(ProxyOptions{})
	t.Cleanup(tr.CloseIdleConnections)
	base := "http://" + tool.ln.Addr().String()

	var conn *toolConn
	if got := get(t, tr, base+"/late?m=first", &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { conn, _ = info.Conn.(*toolConn) },
	}); got != "first" {
		t.Fatalf("first answer %q", got)
	}
	var once sync.Once
	next := &httptrace.ClientTrace{WroteHeaderField: func(string, []string) {
		// The next request has the connection and is being written, but
		// nothing of it has reached the tool yet: the tool's late extra
		// answer arrives now.
		once.Do(func() {
			tool.late <- struct{}{}
			if !waitUntil(func() bool { reading, _, closed := conn.state(); return closed || !reading }) {
				t.Error("the read loop never took the late bytes")
			}
		})
	}}
	if got := get(t, tr, base+"/ok?m=next", next); got != "next" {
		t.Errorf("the next request got %q, want its own answer", got)
	}
	if _, _, closed := conn.state(); !closed {
		t.Error("the connection that carried the late bytes was kept")
	}
}

// A request waits, before it is written, until the read loop is reading
// the connection; a closed connection lets it go at once.
func TestToolConnTakeWaitsForTheReadLoop(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	c := &toolConn{Conn: a}
	taken := make(chan struct{})
	go func() { c.take(); close(taken) }()
	if !waitUntil(func() bool { _, waited, _ := c.state(); return waited }) {
		t.Fatal("take did not wait")
	}
	select {
	case <-taken:
		t.Fatal("taken before the read loop reads")
	default:
	}
	read := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 8)); read <- err }()
	<-taken
	if _, err := io.WriteString(b, "early"); err != nil {
		t.Fatal(err)
	}
	if err := <-read; err != errUnsolicited {
		t.Errorf("bytes before the request: %v, want errUnsolicited", err)
	}
	c2 := &toolConn{Conn: b}
	c2.Close()
	c2.take() // returns at once
	if c2.awaiting {
		t.Error("a closed connection awaits a request")
	}
}
