package legacy

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/url"
	"slices"
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
	// PublicURL is Atrium's public URL (server.public_url). Tools are told
	// its host and scheme in X-Forwarded-Host and X-Forwarded-Proto, never
	// the Host a client sent; a request that changes things must come from
	// its origin. Empty: neither header is sent, and such a request's
	// Origin is compared with the request's Host instead.
	PublicURL string
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
	// Allow, when set, is a decision beyond the tool's groups (Atrium's
	// policy on tools): a user it refuses is refused like one outside the
	// groups.
	Allow func(r *http.Request, u User, t Tool) bool
	// Refused, when set, is told of each request refused with 403, e.g. to
	// audit it.
	Refused func(r *http.Request, u User, t Tool)
	Logger  *slog.Logger
	Now     func() time.Time
}

func (o ProxyOptions) withDefaults() ProxyOptions {
	o.LoginURL = cmp.Or(o.LoginURL, "/auth/login")
	o.MaxIdleConnsPerHost = cmp.Or(o.MaxIdleConnsPerHost, 64)
	o.DialTimeout = cmp.Or(o.DialTimeout, 5*time.Second)
	o.TLSHandshakeTimeout = cmp.Or(o.TLSHandshakeTimeout, 5*time.Second)
	o.ResponseHeaderTimeout = cmp.Or(o.ResponseHeaderTimeout, 30*time.Second)
	o.IdleConnTimeout = cmp.Or(o.IdleConnTimeout, 90*time.Second)
	o.AssertionTTL = cmp.Or(o.AssertionTTL, time.Minute)
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Logger = cmp.Or(o.Logger, slog.Default())
	return o
}

// Proxy serves proxied tools at /tools/{id}/…, as the signed-in user: it is
// the http.Handler for ProxyPrefix. It answers a request only after the
// path, the method and the request's origin pass the guards and the user is
// known and allowed, and then forwards it through httputil.ReverseProxy on
// net/http's Transport, with every identity the browser sent replaced by
// the user's.
type Proxy struct {
	tools     map[string]*proxiedTool
	identify  func(*http.Request) (User, bool)
	opts      ProxyOptions
	transport *http.Transport
	logger    *slog.Logger
	// origin is Atrium's public origin, scheme://host[:port], or empty;
	// forwardedHost and forwardedProto are its parts as tools are told
	// them (nil: not told).
	origin                        string
	forwardedHost, forwardedProto []string
	// buffers lend the 32 KB copy buffers of answers, which would
	// otherwise be allocated for every request.
	buffers bufferPool
}

// issuedAssertion is an assertion kept for reuse, with the identity headers
// of its user, each a ready header value. The slices are shared by every
// request they serve: they are only ever replaced in a header, never
// changed in place.
type issuedAssertion struct {
	identity                   User      // whom it names
	renew                      time.Time // sign a fresh one from then on
	token, user, email, groups []string
}

// issuedAssertions bounds the assertions kept for reuse, per tool.
const issuedAssertions = 10_000

type proxiedTool struct {
	tool     Tool
	upstream *url.URL
	base     string   // the upstream's path, without its trailing slash
	prefix   string   // the tool's prefix without its trailing slash, /tools/{id}
	strip    []string // the tool's strip_headers
	allow    string   // the Allow header of a 405
	// prefixHeader and policy are header values shared by every request,
	// like issuedAssertion's.
	prefixHeader, policy []string
	rp                   *httputil.ReverseProxy
	// issued holds the assertions lately signed for the tool, by the
	// user's subject; an entry serves only the identity it names.
	issued *otter.Cache[string, *issuedAssertion]
}

var _ http.Handler = (*Proxy)(nil)

// NewProxy returns the proxy of the proxied tools among tools (the others
// are ignored). identify says who the request's user is, and false when no
// one is signed in. Every problem of every proxied tool is reported at once.
func NewProxy(tools []Tool, identify func(*http.Request) (User, bool), opts ProxyOptions) (*Proxy, error) {
	if identify == nil {
		return nil, errors.New("legacy: proxy: no identify function")
	}
	opts = opts.withDefaults()
	p := &Proxy{tools: map[string]*proxiedTool{}, identify: identify, opts: opts,
		transport: NewTransport(opts), logger: opts.Logger}
	var errs []error
	if opts.PublicURL != "" {
		if u, err := publicOrigin(opts.PublicURL); err != nil {
			errs = append(errs, err)
		} else {
			p.origin = u.String()
			p.forwardedHost, p.forwardedProto = []string{u.Host}, []string{u.Scheme}
		}
	}
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
		prefix := strings.TrimSuffix(t.Prefix(), "/")
		pt := &proxiedTool{tool: t, upstream: upstream, base: strings.TrimSuffix(upstream.EscapedPath(), "/"),
			prefix: prefix, strip: t.StripHeaders, allow: strings.Join(append(standardMethods[:len(standardMethods):len(standardMethods)], t.Methods...), ", "),
			prefixHeader: []string{prefix}, policy: []string{"sandbox " + t.FrameSandbox() + "; frame-ancestors 'self'"},
			issued: otter.Must(&otter.Options[string, *issuedAssertion]{
				MaximumSize: issuedAssertions,
				Executor:    func(fn func()) { fn() }, // no goroutine of its own
			})}
		pt.rp = &httputil.ReverseProxy{
			Rewrite:        p.rewrite(pt),
			ModifyResponse: p.modifyResponse(pt),
			ErrorHandler:   p.upstreamError(pt),
			Transport:      p.transport,
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

// ExtraMethods returns the request methods some tool takes beyond GET,
// HEAD, OPTIONS, POST, PUT, PATCH and DELETE (Tool.Methods): a router in
// front of the proxy must send those to it too.
func (p *Proxy) ExtraMethods() []string {
	var out []string
	for _, pt := range p.tools {
		for _, m := range pt.tool.Methods {
			if !slices.Contains(out, m) && !slices.Contains(standardMethods, m) {
				out = append(out, m)
			}
		}
	}
	slices.Sort(out)
	return out
}

// CloseIdleConnections closes the kept-alive connections to tools that no
// request uses, at shutdown.
func (p *Proxy) CloseIdleConnections() { p.transport.CloseIdleConnections() }

// forwardKey holds, in a request's context, the *issuedAssertion
// ServeHTTP chose for it, handed to Rewrite.
type forwardKey struct{}

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
		http.Error(w, "Bad request: Atrium does not forward this address: its path holds "+err.Error()+
			", which the tool's server could read as another path. Open the tool from its panel on the customer page.", http.StatusBadRequest)
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
	if !pt.tool.Allowed(user) || p.opts.Allow != nil && !p.opts.Allow(r, user, pt.tool) {
		if p.opts.Refused != nil {
			p.opts.Refused(r, user, pt.tool)
		}
		http.Error(w, "Forbidden: your role may not use this tool. Ask an Atrium admin for access.", http.StatusForbidden)
		return
	}
	if !pt.allowsMethod(r.Method) {
		w.Header().Set("Allow", pt.allow)
		http.Error(w, "Method not allowed: "+pt.tool.Title+" does not take "+r.Method+" requests through Atrium. "+
			"If the tool needs them, an administrator can list the method in the tool's methods in Atrium's configuration.", http.StatusMethodNotAllowed)
		return
	}
	if (!safeMethod(r.Method) || isUpgrade(r)) && !p.sameOrigin(r) {
		p.logger.LogAttrs(r.Context(), slog.LevelWarn, "legacy: refused a request from another origin",
			slog.String("tool", id), slog.String("method", r.Method),
			slog.String("sec_fetch_site", r.Header.Get("Sec-Fetch-Site")), slog.String("origin", r.Header.Get("Origin")))
		http.Error(w, "Forbidden: this request to "+pt.tool.Title+" comes from a page outside Atrium, so Atrium did not send it on. "+
			"Open the tool from its panel on the customer page and do it there.", http.StatusForbidden)
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
	a, err := p.assertion(pt, user)
	if err != nil {
		p.logger.LogAttrs(r.Context(), slog.LevelError, "legacy: assertion", slog.String("tool", id), slog.String("err", err.Error()))
		http.Error(w, "Internal error: Atrium could not sign the request to this tool. Try again; if it persists, tell your administrator (the log names the tool).", http.StatusInternalServerError)
		return
	}
	ctx := context.WithValue(r.Context(), forwardKey{}, a)
	trace := &toolTrace
	if httptrace.ContextClientTrace(ctx) != nil {
		tr := toolTrace // WithClientTrace would compose the other into it
		trace = &tr
	}
	ctx = httptrace.WithClientTrace(ctx, trace)
	pt.rp.ServeHTTP(newFlushingWriter(w), r.WithContext(ctx))
}

// flushingWriter sends each write of the tool's answer on at once, so a tool
// streaming progress, server-sent events or a slow download is seen as it
// writes, while a small answer still leaves in one write, header included.
// ReverseProxy flushes answers without a length or of type
// text/event-stream itself; this covers the rest.
type flushingWriter struct {
	http.ResponseWriter
	f  http.Flusher             // w itself, as net/http's and Echo's writers are
	rc *http.ResponseController // otherwise
}

func newFlushingWriter(w http.ResponseWriter) *flushingWriter {
	if f, ok := w.(http.Flusher); ok {
		return &flushingWriter{ResponseWriter: w, f: f}
	}
	return &flushingWriter{ResponseWriter: w, rc: http.NewResponseController(w)}
}

func (w *flushingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	if err != nil {
		return n, err
	}
	if w.f != nil {
		w.f.Flush()
		return n, nil
	}
	return n, w.rc.Flush()
}

// Unwrap lets ReverseProxy reach the connection underneath, to hand a
// WebSocket over.
func (w *flushingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// assertion returns the identity assertion for user's requests to the tool:
// the one signed lately while it has three quarters of its life left, else
// a fresh one.
func (p *Proxy) assertion(pt *proxiedTool, user User) (*issuedAssertion, error) {
	now := p.opts.Now()
	if a, ok := pt.issued.GetIfPresent(user.Subject); ok && now.Before(a.renew) && a.identity.equal(user) {
		return a, nil
	}
	token, err := assertion.Sign(pt.tool.Secret, pt.tool.ID,
		assertion.Identity{Subject: user.Subject, Email: user.Email, Name: user.Name, Groups: user.Groups},
		now, p.opts.AssertionTTL, rand.Text())
	if err != nil {
		return nil, err
	}
	a := &issuedAssertion{identity: user, renew: now.Add(p.opts.AssertionTTL / 4), token: []string{token},
		user: []string{user.Subject}, email: []string{user.Email}, groups: []string{strings.Join(user.Groups, ",")}}
	pt.issued.Set(user.Subject, a)
	return a, nil
}

// bufferPool is httputil.BufferPool on a sync.Pool of 32 KB arrays: a
// buffer goes back as the pointer to its array, without an allocation.
type bufferPool struct{ pool sync.Pool }

const copyBufferSize = 32 << 10

func (b *bufferPool) Get() []byte {
	if v, ok := b.pool.Get().(*[copyBufferSize]byte); ok {
		return v[:]
	}
	return new([copyBufferSize]byte)[:]
}

func (b *bufferPool) Put(buf []byte) {
	if cap(buf) == copyBufferSize {
		b.pool.Put((*[copyBufferSize]byte)(buf[:copyBufferSize]))
	}
}
