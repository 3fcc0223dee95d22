// Package legacytool is the legacy web tool of `atrium demo`: a small
// intranet application with no API, embedded in the customer page in each of
// Atrium's three ways. /frame is opened in a plain frame (it shows what the
// URL told it), /canvas receives a signed request (it trusts only what
// verifies), and /app/ sits behind Atrium's authenticating proxy (it trusts
// only the identity assertion, keeps a cookie of its own, redirects, and
// echoes over a WebSocket).
package legacytool

import (
	"cmp"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/websocket"

	"github.com/atrium-dev/atrium/legacy/assertion"
	"github.com/atrium-dev/atrium/legacy/canvas"
)

// VisitsCookie is the tool's own cookie, counting the visits of /app/.
const VisitsCookie = "legacy_visits"

// Options configure the tool.
type Options struct {
	// CanvasSecret verifies the signed requests posted to /canvas.
	CanvasSecret []byte
	// AssertionSecret verifies the identity assertion on /app/ requests.
	AssertionSecret []byte
	// ToolID is the tool's id in Atrium: the assertion's audience.
	ToolID string
	// AllowFrameAncestors is the CSP frame-ancestors source list of /frame
	// and /canvas, e.g. Atrium's origin; empty means 'none'. The /app/
	// pages always refuse framing: the proxy has to lift that.
	AllowFrameAncestors string
	// Nonces remembers the nonces of accepted signed requests; nil means a
	// store in memory.
	Nonces canvas.NonceStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is the tool, an http.Handler safe for concurrent use.
type Server struct {
	opts Options
	mux  *http.ServeMux
}

var _ http.Handler = (*Server)(nil)

// New returns the tool.
func New(o Options) (*Server, error) {
	var errs []error
	if len(o.CanvasSecret) < canvas.MinSecretLen {
		errs = append(errs, fmt.Errorf("legacytool: canvas secret shorter than %d bytes", canvas.MinSecretLen))
	}
	if len(o.AssertionSecret) < assertion.MinSecretLen {
		errs = append(errs, fmt.Errorf("legacytool: assertion secret shorter than %d bytes", assertion.MinSecretLen))
	}
	if o.ToolID == "" {
		errs = append(errs, errors.New("legacytool: no tool id"))
	}
	if strings.ContainsAny(o.AllowFrameAncestors, ";,\r\n") {
		errs = append(errs, errors.New("legacytool: frame ancestors must be a space-separated source list"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o.AllowFrameAncestors = cmp.Or(o.AllowFrameAncestors, "'none'")
	if o.Nonces == nil {
		o.Nonces = canvas.NewMemoryNonces()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{opts: o, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	s.mux.HandleFunc("GET /frame", s.frame)
	s.mux.HandleFunc("POST /canvas", s.canvas)
	s.mux.HandleFunc("GET /app/{$}", s.asserted(s.app))
	s.mux.HandleFunc("GET /app/echo", s.asserted(s.app))
	s.mux.HandleFunc("GET /app/go", s.asserted(s.appGo))
	s.mux.HandleFunc("GET /app/customer", s.asserted(s.appCustomer))
	s.mux.Handle("GET /app/ws", websocket.Server{Handshake: s.wsHandshake, Handler: echo})
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// home says what the tool is, for someone who opens its port directly.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, s.opts.AllowFrameAncestors, page{Title: "Legacy tool", Kind: "home"})
}

// frame is the plain-frame page: it believes what its URL says, which is
// why a tool opened this way must not be given secrets by URL.
func (s *Server) frame(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.render(w, http.StatusOK, s.opts.AllowFrameAncestors, page{Title: "Customer lookup", Kind: "frame",
		Rows: []row{{"Customer", q.Get("customer")}, {"User", q.Get("user")}, {"Query as received", r.URL.RawQuery}}})
}

// canvas is the signed-request page: it shows who and what the request is
// about, once it verifies.
func (s *Server) canvas(w http.ResponseWriter, r *http.Request) {
	req, err := canvas.Verify(s.opts.CanvasSecret, r.PostFormValue(canvas.FormField), s.opts.Now(), s.opts.Nonces)
	if err != nil {
		s.refuse(w, s.opts.AllowFrameAncestors, "The signed request was not accepted: "+canvasReason(err))
		return
	}
	p := req.Context.Environment.Parameters
	rows := []row{{"Signed in as", req.Context.User.Email}, {"Name", req.Context.User.FullName},
		{"Groups", strings.Join(req.Context.User.Groups, ", ")}, {"Customer", p.CustomerID}}
	for _, name := range slices.Sorted(maps.Keys(p.Links)) {
		rows = append(rows, row{"Record in " + name, p.Links[name]})
	}
	rows = append(rows, row{"Valid until", req.Expires().UTC().Format(time.RFC3339)})
	s.render(w, http.StatusOK, s.opts.AllowFrameAncestors, page{Title: "Customer account (signed)", Kind: "canvas", Rows: rows})
}

func canvasReason(err error) string {
	switch {
	case errors.Is(err, canvas.ErrSignature):
		return "its signature does not match. Check that the tool's canvas secret is the one Atrium signs with."
	case errors.Is(err, canvas.ErrExpired):
		return "it has expired. Reload the customer page."
	case errors.Is(err, canvas.ErrReplayed):
		return "it was already used. Reload the customer page."
	}
	return "it is malformed. Open the tool from a customer page in Atrium."
}

// user verifies the proxy's identity assertion; the X-Forwarded-* headers
// beside it are shown, never trusted.
func (s *Server) user(r *http.Request) (assertion.Claims, error) {
	return assertion.Verify(s.opts.AssertionSecret, s.opts.ToolID, r.Header.Get(assertion.Header), s.opts.Now())
}

// asserted serves an /app/ page only to a request whose identity assertion
// verifies, and refuses any other with a page that says what to do.
func (s *Server) asserted(h func(http.ResponseWriter, *http.Request, assertion.Claims)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.user(r)
		if err != nil {
			s.refuse(w, "'none'", assertionReason(err))
			return
		}
		h(w, r, c)
	}
}

func assertionReason(err error) string {
	if errors.Is(err, assertion.ErrExpired) {
		return "The identity assertion of this request has expired. Reload the customer page in Atrium."
	}
	return "No valid identity assertion came with this request. " +
		"Open the tool from a customer page in Atrium, which signs you in to it."
}

// app is the proxied tool's home: who the user is, the customer, a visit
// count in the tool's own cookie, a redirecting link and an echo form that
// needs no script (GET /app/echo?msg=…). The WebSocket echo at /app/ws
// stays for clients that open it themselves.
func (s *Server) app(w http.ResponseWriter, r *http.Request, c assertion.Claims) {
	visits := 1
	if ck, err := r.Cookie(VisitsCookie); err == nil {
		if n, err := strconv.Atoi(ck.Value); err == nil && n > 0 && n < 1_000_000 {
			visits = n + 1
		}
	}
	http.SetCookie(w, &http.Cookie{Name: VisitsCookie, Value: strconv.Itoa(visits), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
	customer := r.URL.Query().Get("customer")
	p := page{Title: "Customer workbench", Kind: "app", Customer: customer}
	if msg, ok := r.URL.Query()["msg"]; ok && r.URL.Path == "/app/echo" {
		p.Echo = strings.Join(msg, " ")
		p.Reply = "echo: " + p.Echo
	}
	p.Rows = []row{
		{"Signed in as", c.Email}, {"Name", c.Name}, {"Groups", strings.Join(c.Groups, ", ")},
		{"Customer", customer}, {"Visits", strconv.Itoa(visits)},
	}
	s.render(w, http.StatusOK, "'none'", p)
}

// appGo redirects, with an absolute path that knows nothing of any proxy.
func (s *Server) appGo(w http.ResponseWriter, r *http.Request, _ assertion.Claims) {
	http.Redirect(w, r, "/app/customer?customer="+url.QueryEscape(r.URL.Query().Get("customer")), http.StatusFound)
}

// appCustomer is where appGo leads.
func (s *Server) appCustomer(w http.ResponseWriter, r *http.Request, c assertion.Claims) {
	s.render(w, http.StatusOK, "'none'", page{Title: "Customer record", Kind: "record",
		Rows: []row{{"Customer", r.URL.Query().Get("customer")}, {"Opened by", c.Email}}})
}

// wsHandshake admits a WebSocket only with a valid assertion. The origin is
// not checked here: behind the proxy it is Atrium's, or "null" from a
// sandboxed frame, and the proxy checks it.
func (s *Server) wsHandshake(_ *websocket.Config, r *http.Request) error {
	_, err := s.user(r)
	return err
}

// echo sends every message back.
func echo(ws *websocket.Conn) {
	defer ws.Close()
	for {
		var msg string
		if err := websocket.Message.Receive(ws, &msg); err != nil {
			return
		}
		if err := websocket.Message.Send(ws, "echo: "+msg); err != nil {
			return
		}
	}
}

// refuse answers 403 with an error page.
func (s *Server) refuse(w http.ResponseWriter, ancestors, message string) {
	s.render(w, http.StatusForbidden, ancestors, page{Title: "Access denied", Kind: "error", Message: message})
}

// render writes a page with its security headers. The /app/ pages refuse
// framing outright, as many old tools do.
func (s *Server) render(w http.ResponseWriter, status int, ancestors string, p page) {
	p.Nonce = rand.Text()
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", fmt.Sprintf("default-src 'self'; script-src 'nonce-%s'; style-src 'nonce-%s'; "+
		"connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors %s", p.Nonce, p.Nonce, ancestors))
	if ancestors == "'none'" {
		h.Set("X-Frame-Options", "DENY")
	}
	w.WriteHeader(status)
	_ = pages.Execute(w, p)
}
