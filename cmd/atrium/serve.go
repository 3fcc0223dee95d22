package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/bus"
	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/handlers"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/static"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/web"
)

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	const usage = "atrium serve --config FILE"
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	path := fs.String("config", "", "configuration file")
	if err := parseArgs(fs, args, 0, usage); err != nil {
		return err
	}
	if *path == "" {
		return usageError{"--config is missing\nusage: " + usage}
	}
	l, err := loadConfig(*path)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, l.Log)
	ln, err := net.Listen("tcp", l.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another process using it? set server.addr)", l.Server.Addr, err)
	}
	return serve(ctx, l, ln, logger)
}

func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve runs the portal on ln as l configures it until ctx ends.
func serve(ctx context.Context, l *config.Loaded, ln net.Listener, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	st, err := store.Open(ctx, l.Store)
	if err != nil {
		return err
	}
	defer st.Close()
	logger.Info("store open", "store", l.Store)

	hashKey, err := cookieHashKey(ctx, st, l.Server.SessionSecret)
	if err != nil {
		return err
	}

	var (
		trail    handlers.Auditor
		auditLog handlers.AuditReader
	)
	if !l.Audit.Disabled {
		t, log, err := openAudit(ctx, l.Audit, st, logger)
		if err != nil {
			return err
		}
		// Written out before the store closes: the records queued at
		// shutdown, and a checkpoint of the head.
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := t.Close(cctx); err != nil {
				logger.Error("audit: close", "err", err)
			}
		}()
		trail, auditLog = t, log
	}

	changes, err := bus.Open(ctx, l.Bus, logger)
	if err != nil {
		return err
	}
	defer changes.Close()

	public := strings.TrimSuffix(l.Server.PublicURL, "/")
	rp := auth.NewRP(auth.RPConfig{
		Issuer:       l.Auth.Issuer,
		ClientID:     l.Auth.ClientID,
		ClientSecret: l.Auth.ClientSecret,
		RedirectURL:  public + "/auth/callback",
		Scopes:       l.Auth.Scopes,
		GroupsClaim:  l.Auth.GroupsClaim,
		HTTP:         &http.Client{Timeout: 10 * time.Second},
		Logger:       logger,
	})
	go rp.Discover(ctx)

	sessions, err := auth.NewManager(auth.ManagerConfig{
		Store:         st,
		Logouts:       st,
		RP:            rp,
		HashKey:       hashKey,
		TTL:           l.Server.SessionTTL.D(),
		IdleTimeout:   l.Server.SessionIdleTimeout.D(),
		Activity:      st,
		Recheck:       l.Server.SessionRecheck.D(),
		Secure:        strings.HasPrefix(public, "https://"),
		PostLogoutURL: public + "/auth/signed-out",
		Bus:           changes,
		Logger:        logger,

		SignInRate: l.Auth.SignInRate, SignInBurst: l.Auth.SignInBurst,
		PendingPerClient: l.Auth.PendingPerAddress, PendingPerBrowser: l.Auth.PendingPerBrowser,
	})
	if err != nil {
		return err
	}
	sessions.FollowEnded(ctx)
	go sessions.SweepExpired(ctx, st, 10*time.Minute)

	cache, closeCache, err := instanceCache(ctx, l.Cache, changes, len(l.Sources), logger)
	if err != nil {
		return err
	}
	defer closeCache()
	// One policy for what is fetched and what is done, decided in one place.
	rules := l.Rules()
	composer, closeSources, err := buildComposer(l, cache, st, logger, customer.WithBus(changes), customer.WithPolicy(rules))
	if err != nil {
		return err
	}
	defer closeSources()
	assets, err := static.New()
	if err != nil {
		return err
	}
	var tools []legacy.Tool
	for _, t := range l.Tools {
		tool := t.Legacy()
		tool.PortalURL = public // named in signed requests, for the tools' Canvas SDK
		tools = append(tools, tool)
	}
	e, err := web.New(web.Deps{
		Logger: logger, Sessions: sessions, RP: rp, Issuer: l.Auth.Issuer,
		Composer: composer, Store: st, Assets: assets, PageBudget: l.Customer.PageBudget.D(),
		Policy: rules, Tools: tools, Visits: st,
		PublicURL: public, AllowedHosts: l.Server.AllowedHosts, BodyTimeout: l.Server.BodyTimeout.D(),
		Audit: trail, AuditLog: auditLog,
	})
	if err != nil {
		return err
	}
	logger.Info("atrium listening", "addr", ln.Addr().String(), "public_url", public)
	return web.Serve(ctx, e, ln, l.Server.ShutdownTimeout.D())
}

// secrets is the store of generated secrets, as serve uses it.
type secrets interface {
	// Secret returns the named secret, creating it with generate on first
	// use; instances sharing the store agree on one value.
	Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)
}

// cookieHashKey is the key that signs session cookies: server.session_secret
// when set, else one generated once and kept in the store, which every
// instance sharing the store then uses.
func cookieHashKey(ctx context.Context, s secrets, configured string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	return s.Secret(ctx, "session-cookie-hash-key", func() ([]byte, error) {
		b := make([]byte, 64)
		_, err := rand.Read(b)
		return b, err
	})
}

// buildComposer constructs each configured source's adapter, wrapped in its
// guard (cache, coalescing, retries, breaker, bulkhead, API budget). The
// returned function stops the guards' background work.
func buildComposer(l *config.Loaded, cache guard.Cache, decisions customer.Decisions, logger *slog.Logger, extra ...customer.Option) (*customer.Composer, func(), error) {
	reg := registry()
	var (
		primary *customer.Source
		linked  []customer.Source
		guards  []*guard.Guarded
	)
	closeAll := func() {
		for _, g := range guards {
			_ = g.Close()
		}
	}
	for i, s := range l.Sources {
		typ, _ := reg.Lookup(s.Type)
		policy := guard.PolicyFrom(s.Guard)
		srcLog := logger.With("source", s.Name)
		a, err := typ.New(adapters.Source{
			Name: s.Name, Title: s.Title, Timeout: s.Timeout.D(), Settings: l.Settings[i],
			HTTP:   sourceHTTPClient(policy.MaxConcurrent),
			Logger: srcLog,
		})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("source %s: %w", s.Name, err)
		}
		opts := []guard.Option{guard.WithLogger(srcLog), guard.WithTimeout(s.Timeout.D())}
		if cache != nil {
			opts = append(opts, guard.WithCache(cache))
		}
		g := guard.Wrap(a, s.Name, policy, opts...)
		guards = append(guards, g)
		cs := customer.Source{Name: s.Name, Title: s.Title, Timeout: s.Timeout.D(), Adapter: g}
		if s.Name == l.Customer.Primary {
			primary = &cs
		} else {
			linked = append(linked, cs)
		}
	}
	if primary == nil {
		closeAll()
		return nil, nil, errors.New("customer.primary names no configured source")
	}
	var rules []customer.Rule
	for _, r := range l.Identity.Rules {
		rules = append(rules, customer.Rule{Name: r.Name, Kind: keyKinds[r.Match], Confidence: r.Confidence})
	}
	var golden []customer.GoldenField
	for _, g := range l.Customer.Golden {
		label := g.Label
		if label == "" {
			label = strings.ReplaceAll(g.Field, "_", " ")
		}
		golden = append(golden, customer.GoldenField{Field: g.Field, Label: label, Sources: g.Sources})
	}
	opts := append([]customer.Option{customer.WithLinkedSources(linked...), customer.WithRules(rules),
		customer.WithGolden(golden), customer.WithDecisions(decisions)}, extra...)
	return customer.NewComposer(*primary, logger, opts...), closeAll, nil
}

// keyKinds maps identity.rules[].match to key kinds.
var keyKinds = map[string]string{"id": adapters.KeyExternalID, "email": adapters.KeyEmail, "domain": adapters.KeyDomain}

// sourceHTTPClient is the client adapters call their systems with: explicit
// timeouts on every phase, and as many idle connections per host as the guard
// lets calls run at once, so a busy source never churns connections.
func sourceHTTPClient(maxConcurrent int) *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   max(maxConcurrent, 2),
		MaxConnsPerHost:       max(maxConcurrent, 2),
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: t}
}
