package legacy

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/atrium-dev/atrium/legacy/assertion"
)

// ProxyPrefix is the path every proxied tool is served under.
const ProxyPrefix = "/tools/"

// ProxyOptions tune a Proxy; the zero value is usable.
type ProxyOptions struct {
	// LoginURL is where a navigation without a session is sent, with the
	// page as return_to; default "/auth/login".
	LoginURL string
	// Cookies are more cookie names never forwarded to a tool, beside every
	// name that starts with "atrium" (Atrium's session and login cookies).
	Cookies []string
	// MaxIdleConnsPerHost is the keep-alive pool per tool; default 64, for
	// a busy tool page that loads many assets at once from many browsers.
	MaxIdleConnsPerHost int
	// DialTimeout, TLSHandshakeTimeout, ResponseHeaderTimeout and
	// IdleConnTimeout bound the transport's steps; defaults 5 s, 5 s, 30 s
	// and 90 s. A streaming answer may take as long as it likes once its
	// header has come.
	DialTimeout           time.Duration
	TLSHandshakeTimeout   time.Duration
	ResponseHeaderTimeout time.Duration
	IdleConnTimeout       time.Duration
	// AssertionTTL is the identity assertion's lifetime; default 60 s. One
	// assertion serves a user's requests to a tool for a quarter of it, so
	// a tool always receives one with three quarters of its life left.
	AssertionTTL time.Duration
	Logger       *slog.Logger
	Now          func() time.Time
}

// Proxy serves proxied tools at /tools/{id}/…, as the signed-in user: it is
// the http.Handler for ProxyPrefix. It answers a request only after the path
// is safe, the user is known and allowed, and then forwards it with every
// identity the browser sent replaced by the user's.
type Proxy struct {
	tools     map[string]*proxiedTool
	identify  func(*http.Request) (User, bool)
	opts      ProxyOptions
	transport *keepAliveTransport
	logger    *slog.Logger
	// issued holds the assertions lately signed, by tool and user.
	issued *otter.Cache[string, issuedAssertion]
	// buffers lend the 32 KB copy buffers of answers, which would
	// otherwise be allocated for every request.
	buffers bufferPool
}

type issuedAssertion struct {
	token string
	renew time.Time // sign a fresh one from then on
}

// issuedAssertions bounds the assertions kept for reuse.
const issuedAssertions = 10_000

type proxiedTool struct {
	tool     Tool
	upstream *url.URL
	base     string // the upstream's path, without its trailing slash
	prefix   string // the tool's prefix without its trailing slash, /tools/{id}
	strip    map[string]bool
	rp       *httputil.ReverseProxy
	modify   func(*http.Response) error // the tool's answer mapped onto the prefix
}

var _ http.Handler = (*Proxy)(nil)

// NewProxy returns the proxy of the proxied tools among tools (the others
// are ignored). identify says who the request's user is, and false when no
// one is signed in. Every problem of every proxied tool is reported at once.
func NewProxy(tools []Tool, identify func(*http.Request) (User, bool), opts ProxyOptions) (*Proxy, error) {
	if identify == nil {
		return nil, errors.New("legacy: proxy: no identify function")
	}
	opts.LoginURL = cmp.Or(opts.LoginURL, "/auth/login")
	opts.MaxIdleConnsPerHost = cmp.Or(opts.MaxIdleConnsPerHost, 64)
	opts.DialTimeout = cmp.Or(opts.DialTimeout, 5*time.Second)
	opts.TLSHandshakeTimeout = cmp.Or(opts.TLSHandshakeTimeout, 5*time.Second)
	opts.ResponseHeaderTimeout = cmp.Or(opts.ResponseHeaderTimeout, 30*time.Second)
	opts.IdleConnTimeout = cmp.Or(opts.IdleConnTimeout, 90*time.Second)
	opts.AssertionTTL = cmp.Or(opts.AssertionTTL, time.Minute)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Proxy{tools: map[string]*proxiedTool{}, identify: identify, opts: opts,
		transport: newKeepAliveTransport(opts), logger: cmp.Or(opts.Logger, slog.Default()),
		issued: otter.Must(&otter.Options[string, issuedAssertion]{
			MaximumSize: issuedAssertions,
			Executor:    func(fn func()) { fn() }, // no goroutine of its own
		})}
	var errs []error
	for _, t := range tools {
		if t.Mode != ModeProxy {
			continue
		}
		for _, pr := range t.Validate() {
			errs = append(errs, fmt.Errorf("legacy: tool %q: %s: %s", t.ID, pr.Key, pr.Message))
		}
		if _, dup := p.tools[t.ID]; dup {
			errs = append(errs, fmt.Errorf("legacy: tool %q: id used twice", t.ID))
		}
		upstream, err := url.Parse(t.Upstream)
		if err != nil {
			continue // reported by Validate
		}
		pt := &proxiedTool{tool: t, upstream: upstream, base: strings.TrimSuffix(upstream.EscapedPath(), "/"),
			prefix: strings.TrimSuffix(t.Prefix(), "/"), strip: map[string]bool{}}
		for _, h := range t.StripHeaders {
			pt.strip[strings.ToLower(h)] = true
		}
		pt.modify = p.modifyResponse(pt)
		pt.rp = &httputil.ReverseProxy{
			Rewrite:        p.rewrite(pt),
			ModifyResponse: pt.modify,
			ErrorHandler:   p.upstreamError(pt),
			Transport:      p.transport.fallback,
			BufferPool:     &p.buffers,
			// Every write is flushed by flushingWriter instead of by
			// ReverseProxy, whose FlushInterval -1 also sends the header
			// on its own, from a timer, before the body: two writes and a
			// goroutine for every answer.
			FlushInterval: 0,
			ErrorLog:      slog.NewLogLogger(p.logger.Handler(), slog.LevelWarn),
		}
		p.tools[t.ID] = pt
		if t.UnconfinedProxy() {
			p.logger.Warn("legacy: proxied tool runs scripts on Atrium's origin, trusted as Atrium's own code",
				slog.String("tool", t.ID), slog.String("sandbox", t.FrameSandbox()))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// CloseIdleConnections closes the transport's idle connections, at shutdown.
func (p *Proxy) CloseIdleConnections() { p.transport.CloseIdleConnections() }

type forwardKey struct{}

// forward is what ServeHTTP decided for the request, handed to Rewrite.
type forward struct {
	user      User
	assertion string
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	escaped := r.URL.EscapedPath()
	rest, ok := strings.CutPrefix(escaped, ProxyPrefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := checkRequestPath(r); err != nil {
		p.logger.LogAttrs(r.Context(), slog.LevelWarn, "legacy: refused path",
			slog.String("path", escaped), slog.String("err", err.Error()))
		http.Error(w, "Bad request: this address leaves the tool (it contains .. or an encoded slash). Open the tool from its panel on the customer page.", http.StatusBadRequest)
		return
	}
	user, ok := p.identify(r)
	if !ok {
		if isNavigation(r) {
			http.Redirect(w, r, p.opts.LoginURL+"?"+url.Values{"return_to": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
			return
		}
		http.Error(w, "Unauthorized: your Atrium session has ended. Reload the customer page to sign in again.", http.StatusUnauthorized)
		return
	}
	id, _, hasSlash := strings.Cut(rest, "/")
	pt := p.tools[id]
	if pt == nil {
		http.NotFound(w, r)
		return
	}
	if !pt.tool.Allowed(user) {
		http.Error(w, "Forbidden: your groups may not use this tool. Ask an Atrium admin for access.", http.StatusForbidden)
		return
	}
	if !hasSlash {
		target := pt.tool.Prefix()
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusPermanentRedirect)
		return
	}
	if isUpgrade(r) && !sameOriginOrOpaque(r) {
		http.Error(w, "Forbidden: a connection from another site may not use this tool.", http.StatusForbidden)
		return
	}
	token, err := p.assertion(pt, user)
	if err != nil {
		p.logger.LogAttrs(r.Context(), slog.LevelError, "legacy: assertion", slog.String("tool", id), slog.String("err", err.Error()))
		http.Error(w, "Internal error: Atrium could not sign the request to this tool. Try again; if it persists, tell your administrator (the log names the tool).", http.StatusInternalServerError)
		return
	}
	fw := forward{user: user, assertion: token}
	if pt.upstream.Scheme == "http" && bodiless(r) {
		p.forward(w, r, pt, fw)
		return
	}
	ctx := context.WithValue(r.Context(), forwardKey{}, fw)
	pt.rp.ServeHTTP(flushingWriter{w, http.NewResponseController(w)}, r.WithContext(ctx))
}

// flushingWriter sends each write of the tool's answer on at once, so a tool
// streaming progress, server-sent events or a slow download is seen as it
// writes, while a small answer still leaves in one write, header included.
// ReverseProxy flushes answers without a length or of type
// text/event-stream itself; this covers the rest.
type flushingWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (w flushingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	if err == nil {
		err = w.rc.Flush()
	}
	return n, err
}

// Unwrap lets ReverseProxy reach the connection underneath, to hand a
// WebSocket over.
func (w flushingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// assertion returns the identity assertion for user's requests to the tool:
// the one signed lately while it has three quarters of its life left, else
// a fresh one.
func (p *Proxy) assertion(pt *proxiedTool, user User) (string, error) {
	key := user.key(pt.tool.ID)
	now := p.opts.Now()
	if a, ok := p.issued.GetIfPresent(key); ok && now.Before(a.renew) {
		return a.token, nil
	}
	token, err := assertion.Sign(pt.tool.Secret, pt.tool.ID,
		assertion.Identity{Subject: user.Subject, Email: user.Email, Name: user.Name, Groups: user.Groups},
		now, p.opts.AssertionTTL, rand.Text())
	if err != nil {
		return "", err
	}
	p.issued.Set(key, issuedAssertion{token: token, renew: now.Add(p.opts.AssertionTTL / 4)})
	return token, nil
}

// bufferPool is httputil.BufferPool on a sync.Pool of 32 KB buffers.
type bufferPool struct{ pool sync.Pool }

const copyBufferSize = 32 << 10

func (b *bufferPool) Get() []byte {
	if v, ok := b.pool.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, copyBufferSize)
}

func (b *bufferPool) Put(buf []byte) {
	if cap(buf) == copyBufferSize {
		buf = buf[:copyBufferSize]
		b.pool.Put(&buf)
	}
}

// checkRequestPath refuses a path that could lead out of the tool's prefix
// once a server behind the proxy decodes or normalizes it. The raw request
// line is checked too, as the URL's escaped path is a re-encoding.
func checkRequestPath(r *http.Request) error {
	if err := checkPath(r.URL.EscapedPath()); err != nil {
		return err
	}
	raw, _, _ := strings.Cut(r.RequestURI, "?")
	if strings.HasPrefix(raw, "/") {
		return checkPath(raw)
	}
	return nil
}

// checkPath refuses dot segments (plain or encoded), encoded slashes and
// backslashes, double encoding (%25), encoded NUL, backslashes and empty
// segments.
func checkPath(escaped string) error {
	lower := strings.ToLower(escaped)
	for _, bad := range []string{"%2f", "%5c", "%25", "%00", "\\"} {
		if strings.Contains(lower, bad) {
			return fmt.Errorf("path holds %q", bad)
		}
	}
	if hasDotSegment(lower) {
		return errors.New("path holds a . or .. segment")
	}
	if strings.Contains(lower, "//") {
		return errors.New("path holds an empty segment")
	}
	return nil
}

// isNavigation reports whether the browser is loading a page (which can
// follow a redirect to the login page) rather than a script fetching data
// (which needs a status it can act on).
func isNavigation(r *http.Request) bool {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || isUpgrade(r) {
		return false
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	if r.Header.Get("X-Requested-With") != "" || r.Header.Get("HX-Request") != "" {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

func isUpgrade(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" && headerHasToken(r.Header, "Connection", "upgrade")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// sameOriginOrOpaque reports whether a WebSocket handshake comes from
// Atrium's own pages, or from a sandboxed tool frame (origin "null"), or
// from no browser at all. A handshake carries the user's cookies from any
// page of the same site, so without this check a page on another origin of
// that site could talk to a tool as the user.
func sameOriginOrOpaque(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// upstreamError answers when the tool cannot be reached.
func (p *Proxy) upstreamError(pt *proxiedTool) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		if r.Context().Err() != nil {
			return // the browser left; no one reads the answer
		}
		status := http.StatusBadGateway
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			status = http.StatusGatewayTimeout
		}
		p.logger.LogAttrs(r.Context(), slog.LevelWarn, "legacy: tool did not answer",
			slog.String("tool", pt.tool.ID), slog.Int("status", status), slog.String("err", err.Error()))
		http.Error(w, pt.tool.Title+" did not answer. Try again in a moment.", status)
	}
}
