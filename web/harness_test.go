package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/demo/idp"
	"github.com/atrium-dev/atrium/static"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/web"
)

// portalSetup changes how startPortal assembles the portal; the zero value
// is the portal of startFull with the fake CRM and no tools.
type portalSetup struct {
	// deps and manager change the server's and the sessions' settings.
	deps    func(*web.Deps)
	manager func(*auth.ManagerConfig)
	// routes adds test-only routes to the assembled server: they run behind
	// the whole middleware chain, as Atrium's own routes do.
	routes func(*echo.Echo)
	// idp changes the identity provider's options.
	idp func(*idp.Options)
	// idpHandler wraps the identity provider's handler, e.g. to rewrite its
	// token answers as an attacker in the middle would.
	idpHandler func(http.Handler) http.Handler
}

// testLogs collects what the portal logs, from its goroutines.
type testLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *testLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *testLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startPortal runs the portal as web.New assembles it, behind a real HTTP
// server, with the demo identity provider, and returns it with its logs.
func startPortal(t *testing.T, s portalSetup) (*portal, *testLogs) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logs := &testLogs{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))

	srv := httptest.NewUnstartedServer(nil)
	public := "http://" + srv.Listener.Addr().String()
	idpSrv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + idpSrv.Listener.Addr().String()
	opts := idp.Options{Issuer: issuer, Users: idp.DemoUsers(), Logger: logger, Clients: []idp.Client{{
		ID: "atrium", Secret: "s3cret", RedirectURIs: []string{public + "/auth/callback"},
		PostLogoutRedirectURIs: []string{public + "/auth/signed-out"},
	}}}
	if s.idp != nil {
		s.idp(&opts)
	}
	provider, err := idp.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	idpSrv.Config.Handler = provider
	if s.idpHandler != nil {
		idpSrv.Config.Handler = s.idpHandler(provider)
	}
	idpSrv.Start()
	t.Cleanup(idpSrv.Close)

	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rp := auth.NewRP(auth.RPConfig{Issuer: issuer, ClientID: "atrium", ClientSecret: "s3cret",
		RedirectURL: public + "/auth/callback", Scopes: []string{"openid", "profile", "email", "groups"}, GroupsClaim: "groups", Logger: logger})
	go rp.Discover(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := rp.WaitReady(wctx); err != nil {
		t.Fatal("identity provider not discovered:", err)
	}
	mc := auth.ManagerConfig{Store: st, Logouts: st, RP: rp, HashKey: hashKey, TTL: time.Hour, Recheck: 5 * time.Second,
		PostLogoutURL: public + "/auth/signed-out", Logger: logger}
	if s.manager != nil {
		s.manager(&mc)
	}
	sessions, err := auth.NewManager(mc)
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	src := customer.Source{Name: "crm", Title: "CRM", Timeout: 10 * time.Second, Adapter: fakeCRM{}}
	d := web.Deps{Logger: logger, Sessions: sessions, RP: rp, Issuer: issuer, PublicURL: public,
		Composer: customer.NewComposer(src, logger, customer.WithDecisions(st)), Store: st, Assets: assets,
		AdminGroups: []string{"admins"}, Visits: st}
	if s.deps != nil {
		s.deps(&d)
	}
	e, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	if s.routes != nil {
		s.routes(e)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)

	return &portal{url: public, issuer: issuer, client: newBrowser(), store: st}, logs
}

// newBrowser is a client with its own cookies that reports redirects
// instead of following them.
func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// readAll reads and closes a response body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
