package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/handlers"
	"github.com/atrium-dev/atrium/static"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/web"
)

// Portal is the whole portal in this process, wired from the same
// configuration document as `atrium serve`, plus the sequential baseline of
// the customer page at SequentialPath.
type Portal struct {
	URL     string
	Up      *Upstream
	Handler http.Handler
	// Client carries the session cookie once SignIn has run. It follows no
	// redirects, so a lost session shows as a 303 instead of a login page.
	Client *http.Client
	// Source is the guarded Salesforce source the composer uses.
	Source customer.Source

	opts    []PortalOption
	closers []func()
}

// Registry lists the system kinds of the portal, as cmd/atrium's does.
func Registry() *adapters.Registry {
	r := adapters.NewRegistry()
	r.Add("salesforce", salesforce.Type())
	return r
}

// PortalOption changes how the portal's server is assembled.
type PortalOption func(*web.Deps)

// WithoutFragments keeps no rendered panels: every page is rendered whole,
// as before they were kept, for comparison.
func WithoutFragments() PortalOption { return func(d *web.Deps) { d.FragmentBytes = -1 } }

// StartPortal starts the upstream systems and a portal in front of them whose
// source cache lives cacheTTL (0: off). Close releases everything.
func StartPortal(ctx context.Context, cacheTTL time.Duration, opts ...PortalOption) (p *Portal, err error) {
	p = &Portal{opts: opts}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	p.closers = append(p.closers, cancel)
	// Warn level, as the portal process of the wrk measurements runs: the
	// access log line of each request is built but not written.
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))

	dir, err := os.MkdirTemp("", "atrium-bench-")
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, func() { os.RemoveAll(dir) })
	srv := httptest.NewUnstartedServer(nil)
	p.closers = append(p.closers, srv.Close)
	p.URL = "http://" + srv.Listener.Addr().String()
	if p.Up, err = StartUpstream(p.URL, logger); err != nil {
		return nil, err
	}
	p.closers = append(p.closers, p.Up.Close)
	keyFile := filepath.Join(dir, "salesforce.key")
	if err := os.WriteFile(keyFile, p.Up.KeyPEM, 0o600); err != nil {
		return nil, err
	}
	doc := p.Up.Config(PortalConfig{
		Addr: srv.Listener.Addr().String(), PublicURL: p.URL, StorePath: filepath.Join(dir, "atrium.db"),
		KeyFile: keyFile, SessionSecret: strings.Repeat("s", 64), CacheTTL: cacheTTL,
	})
	l, err := config.Load([]byte(doc), Registry(), nil)
	if err != nil {
		return nil, fmt.Errorf("bench: portal configuration: %w", err)
	}
	e, err := p.wire(ctx, l, logger)
	if err != nil {
		return nil, err
	}
	p.Handler = e
	srv.Config.Handler = e
	srv.Start()

	p.Client = NewClient(256)
	return p, nil
}

// wire assembles the portal as cmd/atrium's serve does: store, relying party,
// sessions, guarded sources, composer, web server.
func (p *Portal) wire(ctx context.Context, l *config.Loaded, logger *slog.Logger) (*echo.Echo, error) {
	st, err := store.OpenSQLite(ctx, l.Store.Path)
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, func() { st.Close() })
	rp := auth.NewRP(auth.RPConfig{
		Issuer: l.Auth.Issuer, ClientID: l.Auth.ClientID, ClientSecret: l.Auth.ClientSecret,
		RedirectURL: p.URL + "/auth/callback", Scopes: l.Auth.Scopes, GroupsClaim: l.Auth.GroupsClaim,
		HTTP: &http.Client{Timeout: 10 * time.Second}, Logger: logger,
	})
	go rp.Discover(ctx)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rp.WaitReady(wctx); err != nil {
		return nil, fmt.Errorf("bench: identity provider not discovered: %w", err)
	}
	sessions, err := auth.NewManager(auth.ManagerConfig{
		Store: st, RP: rp, HashKey: []byte(l.Server.SessionSecret), TTL: l.Server.SessionTTL.D(),
		Recheck: l.Server.SessionRecheck.D(), PostLogoutURL: p.URL + "/auth/signed-out", Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	if err := p.composeSource(l, logger); err != nil {
		return nil, err
	}
	assets, err := static.New()
	if err != nil {
		return nil, err
	}
	d := web.Deps{
		Logger: logger, Sessions: sessions, RP: rp, Issuer: l.Auth.Issuer,
		Composer: customer.NewComposer(p.Source, logger), Store: st, Assets: assets,
		PageBudget: l.Customer.PageBudget.D(),
	}
	for _, o := range p.opts {
		o(&d)
	}
	e, err := web.New(d)
	if err != nil {
		return nil, err
	}
	seq := &Sequential{Frame: FrameOf(assets), Source: p.Source}
	e.GET(SequentialPath+":id", seq.Show)
	return e, nil
}

// composeSource builds the primary source's adapter inside its guard, as
// cmd/atrium's buildComposer does (with the guard's own in-process cache). The
// benchmarks' portal has that one source, so no linked sources or identity
// rules.
func (p *Portal) composeSource(l *config.Loaded, logger *slog.Logger) error {
	reg := Registry()
	for i, s := range l.Sources {
		if s.Name != l.Customer.Primary {
			continue
		}
		typ, _ := reg.Lookup(s.Type)
		policy := guard.PolicyFrom(s.Guard)
		a, err := typ.New(adapters.Source{
			Name: s.Name, Title: s.Title, Timeout: s.Timeout.D(), Settings: l.Settings[i],
			HTTP: sourceHTTPClient(policy.MaxConcurrent), Logger: logger,
		})
		if err != nil {
			return fmt.Errorf("bench: source %s: %w", s.Name, err)
		}
		g := guard.Wrap(a, s.Name, policy, guard.WithLogger(logger), guard.WithTimeout(s.Timeout.D()))
		p.closers = append(p.closers, func() { _ = g.Close() })
		p.Source = customer.Source{Name: s.Name, Title: s.Title, Timeout: s.Timeout.D(), Adapter: g}
		return nil
	}
	return errors.New("bench: customer.primary names no source")
}

// sourceHTTPClient matches the client cmd/atrium gives adapters.
func sourceHTTPClient(maxConcurrent int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   max(maxConcurrent, 2),
		MaxConnsPerHost:       max(maxConcurrent, 2),
		IdleConnTimeout:       90 * time.Second,
	}}
}

// FrameOf is the page frame web.New builds from the static assets.
func FrameOf(a *static.Assets) handlers.Frame {
	return handlers.Frame{Assets: components.Assets{
		Icon: a.URL("img/favicon.svg"),
		CSS:  a.URL("css/atrium.css"),
		HTMX: a.URL("vendor/htmx.min.js"),
		App:  a.URL("js/atrium.js"),
	}}
}

// SignIn signs the portal's client in as the demo user.
func (p *Portal) SignIn(ctx context.Context) error {
	_, err := SignIn(ctx, p.Client, p.URL, "/")
	return err
}

// Close stops the portal and its upstream systems.
func (p *Portal) Close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
	p.closers = nil
}
