// Package web assembles Atrium's HTTP server: the Echo instance, the middleware
// chain, the route table, the one error handler and graceful shutdown.
package web

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/handlers"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/policy"
	"github.com/atrium-dev/atrium/static"
)

// Deps is what the server is assembled from.
type Deps struct {
	Logger   *slog.Logger
	Sessions *auth.Manager
	RP       *auth.RP
	Issuer   string // the identity provider, allowed as a form-action target
	Composer *customer.Composer
	Store    Pinger // asked by /readyz whether it answers
	Assets   *static.Assets
	// PageBudget is how long a customer page waits for its slowest panel.
	PageBudget time.Duration
	// Policy decides what each viewer may see and do; nil: everyone signed
	// in sees everything, members of AdminGroups may also link customers and
	// read the audit trail. The composer must hold the same rules.
	Policy *policy.Rules
	// AdminGroups are the admins when no Policy is set.
	AdminGroups []string
	// Tools are the legacy tools embedded on customer pages.
	Tools []legacy.Tool
	// Visits keeps the customers each user opened and pinned, for their
	// start page; nil keeps nothing.
	Visits handlers.Visits

	// PublicURL is the address users open. Atrium answers only requests
	// for its host or one of AllowedHosts, and 421 Misdirected Request to
	// any other Host; /healthz and /readyz answer every host, as load
	// balancers probe by address. Empty: every host is answered (for tests
	// of other parts; cmd/atrium always sets it).
	PublicURL    string
	AllowedHosts []string
	// BodyTimeout is how long a client may take to send a request's body
	// (0: 10 s); a slower one is cut off. Proxied tools are exempt for
	// signed-in users: their uploads take what they take.
	BodyTimeout time.Duration
	// Audit, when set, records customer views, link decisions, sign-ins
	// and sign-outs, failed sign-ins and refused requests.
	Audit handlers.Auditor
	// AuditLog, when set, is read by admins at /admin/audit.
	AuditLog handlers.AuditReader
	// FragmentBytes bounds what is kept of rendered customer panels, so that
	// a warm page is written rather than rendered again (0:
	// components.DefaultFragmentBytes; negative: nothing is kept).
	FragmentBytes int
}

// Pinger is the store as readiness sees it: it answers, or not.
type Pinger interface {
	Ping(ctx context.Context) error
}

// New returns the configured Echo instance.
func New(d Deps) (*echo.Echo, error) {
	if d.PageBudget <= 0 {
		d.PageBudget = 10 * time.Second
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Server.ReadHeaderTimeout = 10 * time.Second
	e.Server.IdleTimeout = 120 * time.Second
	e.IPExtractor = echo.ExtractIPDirect()

	frame := handlers.Frame{Assets: components.Assets{
		Icon:       d.Assets.URL("img/favicon.svg"),
		CSS:        d.Assets.URL("css/atrium.css"),
		HTMX:       d.Assets.URL("vendor/htmx.min.js"),
		App:        d.Assets.URL("js/atrium.js"),
		CanvasHost: d.Assets.URL("js/canvas-host.js"),
	}}
	pol := d.Policy
	if pol == nil {
		pol = &policy.Rules{Roles: policy.DefaultRoles(d.AdminGroups)}
	}
	e.HTTPErrorHandler = errorHandler(d.Logger, frame, d.Audit, pol.NoAccess())

	formAction := ""
	if u, err := url.Parse(d.Issuer); err == nil && u.Host != "" {
		formAction = " " + u.Scheme + "://" + u.Host
	}
	frameSrc := " 'self'"
	for _, o := range legacy.FrameOrigins(d.Tools) {
		frameSrc += " " + o
	}
	for _, o := range legacy.FormActionOrigins(d.Tools) {
		formAction += " " + o // a signed request is posted into the tool's frame
	}
	hosts, err := allowedHosts(d.PublicURL, d.AllowedHosts)
	if err != nil {
		return nil, err
	}
	e.Use(requestID, middleware.Recover(), accessLog(d.Logger), bodyDeadline(cmp.Or(d.BodyTimeout, 10*time.Second)), stripIdentityHeaders,
		securityHeaders(formAction, frameSrc), checkHost(hosts), middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
			Limit: "1M",
			// A proxied tool takes what it takes (uploads included).
			Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, legacy.ProxyPrefix) },
		}), loadSession(d.Sessions, pol), liftBodyDeadlineForTools)

	e.GET("/healthz", handlers.Healthz)
	ready := &handlers.Readiness{Checks: map[string]func(context.Context) error{
		"store": d.Store.Ping,
		"identity_provider": func(context.Context) error {
			if !d.RP.Ready() {
				return errors.New("identity provider not discovered yet")
			}
			return nil
		},
	}}
	e.GET("/readyz", ready.Readyz)
	e.GET(static.Prefix+"*", echo.WrapHandler(d.Assets))
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, d.Assets.URL("img/favicon.svg"))
	})

	a := &handlers.Auth{Frame: frame, Sessions: d.Sessions, Audit: d.Audit}
	e.GET("/auth/login", a.Login, noStore)
	e.GET("/auth/callback", a.Callback, noStore)
	e.GET("/auth/signed-out", a.SignedOut)
	e.POST("/auth/logout", a.Logout, requireSession, requireCSRF)
	e.POST("/auth/backchannel-logout", a.BackChannelLogout) // from the provider, signed: no session, no CSRF token

	// Proxied legacy tools: the proxy checks the session and the tool's groups
	// itself (a login redirect for pages, 401 otherwise), and leaves the
	// tool's own forms to the tool.
	var proxied []legacy.Tool
	for _, t := range d.Tools {
		if t.Mode == legacy.ModeProxy {
			proxied = append(proxied, t)
		}
	}
	if len(proxied) > 0 {
		proxy, err := legacy.NewProxy(proxied, identify, legacy.ProxyOptions{Logger: d.Logger, PublicURL: d.PublicURL,
			Allow: func(_ *http.Request, u legacy.User, t legacy.Tool) bool {
				return pol.Tool(pol.Viewer(u.Subject, u.Email, u.Name, u.Groups), t.ID)
			},
			Refused: func(r *http.Request, u legacy.User, t legacy.Tool) {
				if d.Audit != nil {
					d.Audit.Record(audit.Event{Kind: audit.KindAccessRefused, Outcome: "refused", Client: e.IPExtractor(r),
						Actor:  audit.Actor{Subject: u.Subject, Email: u.Email, Name: u.Name},
						Detail: r.Method + " " + t.Prefix() + ": the tool " + t.Title + " is not for this user's role"})
				}
			}})
		if err != nil {
			return nil, err
		}
		e.Server.RegisterOnShutdown(proxy.CloseIdleConnections)
		e.Any(legacy.ProxyPrefix+"*", echo.WrapHandler(proxy))
		e.Match(proxy.ExtraMethods(), legacy.ProxyPrefix+"*", echo.WrapHandler(proxy)) // WebDAV's MKCOL, …: beyond Any's
	}

	app := e.Group("", requireSession, requireCSRF)
	s := &handlers.Search{Frame: frame, Searcher: d.Composer}
	app.GET("/", (&handlers.Landing{Frame: frame, Sources: d.Composer, Visits: d.Visits, Logger: d.Logger, Policy: pol}).Show)
	app.GET("/search", s.Show)
	var recents *handlers.Recents
	if d.Visits != nil {
		recents = &handlers.Recents{Store: d.Visits, Logger: d.Logger}
		app.POST("/customers/:id/pin", (&handlers.Pins{Frame: frame, IDs: d.Composer, Visits: d.Visits, Logger: d.Logger}).Pin)
	}
	cv := &handlers.Customer{Frame: frame, Composer: d.Composer, Budget: d.PageBudget, Policy: pol, Tools: d.Tools,
		Recents: recents, Audit: d.Audit}
	if d.FragmentBytes >= 0 {
		cv.Fragments = components.NewFragmentCache(d.FragmentBytes)
	}
	app.GET("/customers/:id", cv.Show)
	app.GET("/customers/:id/panels/:source/:facet", cv.Panel)
	app.GET("/customers/:id/panels/:source/:facet/rows", cv.Rows)
	app.GET("/customers/:id/panels/:source/:facet/rows.csv", cv.Export)
	app.GET("/customers/:id/timeline", cv.Timeline)
	lv := &handlers.Links{Frame: frame, Decider: d.Composer, Policy: pol, Audit: d.Audit}
	app.POST("/customers/:id/links", lv.Decide)
	app.GET("/customers/:id/links/split", lv.ConfirmSplit)
	app.POST("/customers/:id/panels/:source/:facet/refresh", (&handlers.PanelRefresh{Refresher: d.Composer}).Refresh)
	rv := &handlers.Record{Frame: frame, Records: d.Composer}
	app.GET("/records/:source/:id", rv.Show)
	if d.AuditLog != nil {
		av := &handlers.AuditView{Frame: frame, Log: d.AuditLog, Policy: pol}
		app.GET("/admin/audit", av.Show)
	}
	return e, nil
}

// identify tells a proxied tool who the signed-in user is.
func identify(r *http.Request) (legacy.User, bool) {
	p, ok := auth.PrincipalFrom(r.Context())
	if !ok {
		return legacy.User{}, false
	}
	return legacy.User{Subject: p.Subject, Email: p.Email, Name: p.Name, Groups: p.Groups}, true
}

// Serve runs the server on ln until ctx ends, then shuts down gracefully, giving
// requests in flight up to grace to finish.
func Serve(ctx context.Context, e *echo.Echo, ln net.Listener, grace time.Duration) error {
	e.Listener = ln
	errc := make(chan error, 1)
	go func() { errc <- e.Start("") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := e.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func loginURL(returnTo string) string {
	return "/auth/login?return_to=" + url.QueryEscape(returnTo)
}

// localPart keeps the path and query of a URL, for return_to.
func localPart(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "/"
	}
	return p.RequestURI()
}
