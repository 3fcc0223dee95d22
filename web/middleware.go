package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/handlers"
	"github.com/atrium-dev/atrium/internal/idheader"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/policy"
)

// Keys of values kept in the Echo context.
const (
	keyRequestID = handlers.KeyRequestID
	keySession   = handlers.KeySession
)

type requestIDKey struct{}

// RequestIDFrom returns the request id carried by ctx.
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// requestID gives every request a fresh id. An inbound X-Request-Id is not
// trusted: it would let a client write arbitrary text into our logs.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := rand.Text()[:16]
		c.Set(keyRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		r := c.Request()
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		return next(c)
	}
}

// stripIdentityHeaders drops every identity or routing header a client sent
// (idheader names them): some proxies and tools take them as proof of who the
// user is, so a client must never be able to send one through Atrium. Names
// are compared without regard to case, as a map filled by hand may hold a name
// in any case; nothing is allocated.
func stripIdentityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		for name := range h {
			if idheader.Is(name) {
				delete(h, name)
			}
		}
		return next(c)
	}
}

// errWrongHost answers a request for a host Atrium does not serve.
var errWrongHost = errors.New("web: request for a host this server does not serve")

// allowedHosts returns the hosts Atrium answers for: the public URL's and the
// extra ones, in the form hostAllowed compares; nil (every host) without a
// public URL.
func allowedHosts(publicURL string, extra []string) ([]string, error) {
	if publicURL == "" {
		return nil, nil
	}
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("web: public URL %q has no host", publicURL)
	}
	hosts := []string{canonicalHost(u.Host)}
	for _, h := range extra {
		hosts = append(hosts, canonicalHost(h))
	}
	return hosts, nil
}

// canonicalHost lower-cases a Host and drops a default port, which browsers
// leave out.
func canonicalHost(h string) string {
	h = strings.ToLower(h)
	for _, p := range []string{":80", ":443"} {
		h = strings.TrimSuffix(h, p)
	}
	return h
}

// hostAllowed reports whether host (as sent, any case, maybe with a default
// port) is one of allowed. It does not allocate.
func hostAllowed(host string, allowed []string) bool {
	for _, p := range []string{":80", ":443"} {
		host = strings.TrimSuffix(host, p)
	}
	for _, a := range allowed {
		if strings.EqualFold(host, a) {
			return true
		}
	}
	return false
}

// checkHost answers only requests for one of hosts (nil: every host), so
// that another name pointed at Atrium (DNS rebinding, a stray proxy) never
// reaches a page or a cookie. Health and readiness answer every host: load
// balancers probe them by address.
func checkHost(hosts []string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if hosts == nil {
			return next
		}
		return func(c echo.Context) error {
			r := c.Request()
			if hostAllowed(r.Host, hosts) || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
				return next(c)
			}
			return errWrongHost
		}
	}
}

// securityHeaders sets a per-request CSP nonce and the headers every answer
// carries. formAction lists extra origins forms may post or redirect to (the
// identity provider, for the logout redirect).
func securityHeaders(formAction, frameSrc string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			h := c.Response().Header()
			// A proxied tool keeps its own policy (the proxy confines it),
			// and renders no page of Atrium's that would need a nonce.
			if !strings.HasPrefix(r.URL.Path, legacy.ProxyPrefix) {
				b := make([]byte, 18)
				_, _ = rand.Read(b)
				nonce := base64.RawStdEncoding.EncodeToString(b)
				c.SetRequest(r.WithContext(templ.WithNonce(r.Context(), nonce)))
				h.Set("Content-Security-Policy", fmt.Sprintf("default-src 'self'; script-src 'nonce-%s' 'strict-dynamic'; "+
					"style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "+
					"frame-src%s; base-uri 'none'; form-action 'self'%s; frame-ancestors 'self'", nonce, frameSrc, formAction))
				h.Set("X-Frame-Options", "SAMEORIGIN")
			}
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			return next(c)
		}
	}
}

// accessLog writes one structured line per request.
func accessLog(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // answer now, so the logged status is the one sent
			}
			r := c.Request()
			level := slog.LevelInfo
			status := c.Response().Status
			if status >= 500 {
				level = slog.LevelError
			}
			if !logger.Enabled(r.Context(), level) {
				return nil
			}
			attrs := []slog.Attr{
				slog.String("request_id", RequestIDFrom(r.Context())),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Duration("elapsed", time.Since(start)),
				slog.Int64("bytes", c.Response().Size),
				slog.String("remote", c.RealIP()),
			}
			if s, ok := c.Get(keySession).(auth.Session); ok {
				attrs = append(attrs, slog.String("user", s.Principal.Subject))
			}
			if err != nil {
				attrs = append(attrs, slog.String("err", err.Error()))
			}
			logger.LogAttrs(r.Context(), level, "request", attrs...)
			return nil
		}
	}
}

// bodyDeadline gives a client d to send a request's body, from the moment
// its header has been read (the server cuts headers at ReadHeaderTimeout). A
// body trickled slower is cut off, and its connection closed, instead of
// holding the connection; even an answer that reads no body waits for it,
// as the server reads what is left before answering. The deadline ends with
// the body: once it has been read, net/http clears the connection's read
// deadline to watch for a client that goes away, so a page streaming for
// longer is not cut. Requests without a body (GETs, WebSocket upgrades) get
// no deadline.
func bodyDeadline(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if b := c.Request().Body; b != nil && b != http.NoBody {
				_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(d))
			}
			return next(c)
		}
	}
}

// liftBodyDeadlineForTools lifts the body deadline of a signed-in user's
// request to a proxied tool: an upload may be slow, and the proxy streams it.
// A visitor without a session is refused by the proxy before any body is
// read, so keeps the deadline.
func liftBodyDeadlineForTools(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := c.Get(keySession).(auth.Session); ok && strings.HasPrefix(c.Request().URL.Path, legacy.ProxyPrefix) {
			_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Time{})
		}
		return next(c)
	}
}

// loadSession attaches the session, if any, to the request.
func loadSession(m *auth.Manager, pol *policy.Rules) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if s, ok := m.Current(c.Request()); ok {
				c.Set(keySession, s)
				p := s.Principal
				c.Set(handlers.KeyViewer, pol.Viewer(p.Subject, p.Email, p.Name, p.Groups))
				r := c.Request()
				c.SetRequest(r.WithContext(auth.WithPrincipal(r.Context(), s.Principal)))
			}
			return next(c)
		}
	}
}

// noStore keeps an answer out of every cache, the browser's included: a
// page of a signed-in user must not come back from the cache (the Back
// button after signing out), nor a sign-in step be replayed from one.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requireSession sends visitors without a session to sign in: a page navigation
// is redirected, an htmx request gets 401 with HX-Redirect (a login page inside
// a fragment would be useless), anything else gets 401. Every answer it lets
// through, or gives, is kept out of caches.
func requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		if _, ok := c.Get(keySession).(auth.Session); ok {
			return next(c)
		}
		r := c.Request()
		if r.Header.Get("HX-Request") == "true" {
			back := r.URL.RequestURI()
			if cur := r.Header.Get("HX-Current-URL"); cur != "" {
				back = cur
			}
			c.Response().Header().Set("HX-Redirect", loginURL(localPart(back)))
			return c.NoContent(http.StatusUnauthorized)
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return c.Redirect(http.StatusSeeOther, loginURL(r.URL.RequestURI()))
		}
		return echo.NewHTTPError(http.StatusUnauthorized, "sign in first")
	}
}

// requireCSRF checks the CSRF token on every state-changing request.
func requireCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		s, _ := c.Get(keySession).(auth.Session)
		if err := auth.CheckCSRF(c.Request(), s); err != nil {
			return &echo.HTTPError{Code: http.StatusForbidden, Message: "The form expired or came from another site. Reload the page and try again.", Internal: err}
		}
		return next(c)
	}
}
