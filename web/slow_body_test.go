package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/web"
)

const bodyTimeout = 300 * time.Millisecond

// slowPost opens a connection and sends a POST whose body, of length
// declared, stops after its first part: a client trickling its body.
func slowPost(t *testing.T, p *portal, path, cookies string, declared int, first string) net.Conn {
	t.Helper()
	u, _ := url.Parse(p.url)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n",
		path, u.Host, p.url, declared)
	if cookies != "" {
		fmt.Fprintf(conn, "Cookie: %s\r\n", cookies)
	}
	fmt.Fprintf(conn, "\r\n%s", first)
	return conn
}

// answerOrClose waits, up to a limit far beyond the body deadline, for the
// server to answer or close the connection; it returns the status (0 when
// closed without one) and how long it took.
func answerOrClose(t *testing.T, conn net.Conn) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	took := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server held the connection of a trickled body for %v", took)
	}
	if err != nil {
		return 0, took
	}
	resp.Body.Close()
	return resp.StatusCode, took
}

func cookieHeader(p *portal) string {
	u, _ := url.Parse(p.url)
	var parts []string
	for _, c := range p.client.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// A request body trickled slower than the body deadline is cut off: the
// server answers (or closes) within the deadline instead of holding the
// connection, whether the route reads the body or not.
func TestTrickledBodiesAreCutOff(t *testing.T) {
	p, _ := startPortal(t, portalSetup{deps: func(d *web.Deps) { d.BodyTimeout = bodyTimeout }})
	for name, path := range map[string]string{
		"refused without reading it": "/auth/logout", // 401: no session
		"read by the route":          "/customers/C1/links",
	} {
		t.Run(name, func(t *testing.T) {
			if strings.HasPrefix(path, "/customers/") && !p.signedIn(t) {
				p.login(t, "/", "dave", "demo-dave")
			}
			conn := slowPost(t, p, path, cookieHeader(p), 100, "a")
			status, took := answerOrClose(t, conn)
			if took > bodyTimeout+2*time.Second {
				t.Errorf("answered %d after %v, with a body deadline of %v", status, took, bodyTimeout)
			}
		})
	}
}

// The deadline ends with the body: a signed-in upload to a proxied tool may
// pause longer than the deadline, and a route that has read its body may
// answer later than it without its request being cancelled.
func TestBodyDeadlineSparesToolUploadsAndLongAnswers(t *testing.T) {
	received := make(chan struct{}, 1)
	tool := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var first [1]byte
		if _, err := io.ReadFull(r.Body, first[:]); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		received <- struct{}{}
		rest, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "got %d bytes", 1+len(rest))
	})
	up := httptest.NewServer(tool)
	defer up.Close()
	bodyRead, answered := make(chan struct{}), make(chan struct{})
	p, _ := startPortal(t, portalSetup{
		deps: func(d *web.Deps) {
			d.BodyTimeout = bodyTimeout
			d.Tools = []legacy.Tool{{ID: "files", Title: "Files", Mode: legacy.ModeProxy, Upstream: up.URL, URL: "app/", Secret: []byte(secret)}}
		},
		routes: func(e *echo.Echo) {
			e.POST("/test/slow-answer", func(c echo.Context) error {
				if _, err := io.ReadAll(c.Request().Body); err != nil {
					return err
				}
				close(bodyRead)
				<-answered // until the body deadline has passed
				if err := c.Request().Context().Err(); err != nil {
					return c.String(http.StatusInternalServerError, "request cancelled: "+err.Error())
				}
				return c.String(http.StatusOK, "still here")
			})
		},
	})
	p.login(t, "/", "alice", "demo-alice")

	// witness waits until a trickled body started now has been cut off:
	// by then a deadline set earlier would have fired too.
	witness := func() {
		t.Helper()
		if _, took := answerOrClose(t, slowPost(t, p, "/auth/logout", "", 10, "a")); took > bodyTimeout+2*time.Second {
			t.Fatalf("the witness was cut off after %v", took)
		}
	}

	t.Run("tool upload", func(t *testing.T) {
		conn := slowPost(t, p, "/tools/files/app/upload", cookieHeader(p), 5, "a")
		<-received
		witness()
		if _, err := io.WriteString(conn, "bcde"); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(body) != "got 5 bytes" {
			t.Fatalf("upload paused past the body deadline: %d %q", resp.StatusCode, body)
		}
	})

	t.Run("long answer", func(t *testing.T) {
		type result struct {
			status int
			body   string
		}
		done := make(chan result, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodPost, p.url+"/test/slow-answer", strings.NewReader("x=1"))
			resp, err := p.client.Do(req)
			if err != nil {
				done <- result{body: err.Error()}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			done <- result{resp.StatusCode, string(b)}
		}()
		<-bodyRead
		witness()
		close(answered)
		if r := <-done; r.status != http.StatusOK {
			t.Fatalf("an answer after the body deadline: %d %q", r.status, r.body)
		}
	})
}
