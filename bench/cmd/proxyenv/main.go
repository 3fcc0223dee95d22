// Command proxyenv sets up what bench/run.sh drives wrk against to compare
// Atrium's proxied tools with oauth2-proxy: a small HTML upstream, the demo
// identity provider with a client for each proxy, `atrium serve` with one
// proxied tool on that upstream, oauth2-proxy in front of the same upstream,
// and a bare httputil.ReverseProxy on the same tuned transport as Atrium's
// (legacy.NewTransport) without any authentication, the limit an
// authenticating proxy can reach; each as its own process on loopback (the
// bare proxy is proxyenv itself, run with -bare). It signs in to
// oauth2-proxy through the provider's form, stores a signed-in session in
// Atrium's store, checks that every proxy answers the upstream's page,
// writes a shell file of variables (the URLs, the cookies, the process ids,
// oauth2-proxy's command line) and waits for SIGTERM or SIGINT.
//
//	proxyenv -atrium BIN -oauth2-proxy BIN -env FILE
//	proxyenv -bare ADDR -upstream URL    (the bare proxy, started by the above)
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/atrium-dev/atrium/bench"
	"github.com/atrium-dev/atrium/demo/idp"
	"github.com/atrium-dev/atrium/legacy"
)

const (
	toolID     = "ledger"
	peerClient = "oauth2-proxy-bench"
	// pageMarker is in the upstream's page and in no login or error page.
	pageMarker = "atrium-bench-upstream-page"
)

// page is the upstream's answer to every path: a small HTML page, about the
// size of a legacy tool's minimal screen.
var page = []byte(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Ledger</title></head>
<body>
<main id="` + pageMarker + `">
<h1>Ledger</h1>
<p>Open invoices for the selected customer appear here. This page stands for a
legacy tool's screen behind a proxy: a few hundred bytes of HTML, no assets.</p>
<table><tr><th>Invoice</th><th>Due</th><th>Amount</th></tr>
<tr><td>INV-1001</td><td>2026-02-01</td><td>1,250.00</td></tr></table>
</main>
</body>
</html>
`)

func main() {
	atrium := flag.String("atrium", "", "the atrium binary")
	peer := flag.String("oauth2-proxy", "", "the oauth2-proxy binary")
	envFile := flag.String("env", "", "where to write the shell variables")
	bareAddr := flag.String("bare", "", "serve only the bare proxy, on this address")
	bareUpstream := flag.String("upstream", "", "the bare proxy's upstream")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *bareAddr != "" {
		if err := serveBare(*bareAddr, *bareUpstream); err != nil {
			logger.Error("bare proxy failed", "err", err)
			os.Exit(1)
		}
		return
	}
	if *atrium == "" || *peer == "" || *envFile == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: proxyenv -atrium BIN -oauth2-proxy BIN -env FILE")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, logger, *atrium, *peer, *envFile); err != nil {
		logger.Error("proxyenv failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, logger *slog.Logger, atrium, peer, envFile string) error {
	dir, err := os.MkdirTemp("", "atrium-proxyenv-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	upLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	upstream := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(servePage)}
	go upstream.Serve(upLn)
	defer upstream.Close()
	upURL := "http://" + upLn.Addr().String()

	atriumAddr, err := bench.FreeAddr()
	if err != nil {
		return err
	}
	peerAddr, err := bench.FreeAddr()
	if err != nil {
		return err
	}
	atriumURL, peerURL := "http://"+atriumAddr, "http://"+peerAddr
	peerSecret := rand.Text()
	up, err := bench.StartUpstream(atriumURL, slog.New(slog.DiscardHandler), idp.Client{
		ID: peerClient, Secret: peerSecret, RedirectURIs: []string{peerURL + "/oauth2/callback"},
	})
	if err != nil {
		return err
	}
	defer up.Close()

	// Atrium: the benchmarks' portal configuration plus one proxied tool.
	tools := fmt.Sprintf(`
tools:
  - id: %s
    title: Ledger
    mode: proxy
    upstream: %q
    url: ""
    secret: %q
`, toolID, upURL+"/", hex.EncodeToString(randomBytes(32)))
	cfgFile, cfg, err := up.WriteServeConfig(dir, atriumAddr, 10*time.Minute, tools)
	if err != nil {
		return err
	}
	cookies, err := bench.MintSessions(ctx, cfg.StorePath, []byte(cfg.SessionSecret), 1, 12*time.Hour)
	if err != nil {
		return err
	}
	atriumCookie := cookies[0]
	portal, err := bench.StartProcess(ctx, atrium, []string{"serve", "--config", cfgFile},
		filepath.Join(dir, "atrium.log"), atriumURL+"/readyz")
	if err != nil {
		return err
	}
	defer portal.Stop(logger)

	// oauth2-proxy: the same provider and upstream, cookie sessions.
	peerArgs := []string{
		"--http-address=" + peerAddr,
		"--provider=oidc", "--oidc-issuer-url=" + up.Issuer,
		"--client-id=" + peerClient, "--client-secret=" + peerSecret,
		"--redirect-url=" + peerURL + "/oauth2/callback",
		"--upstream=" + upURL + "/",
		"--cookie-secret=" + base64.RawURLEncoding.EncodeToString(randomBytes(24))[:32],
		"--cookie-secure=false", "--email-domain=*",
		"--skip-provider-button", "--insecure-oidc-allow-unverified-email",
		"--code-challenge-method=S256",
		// Atrium's portal logs at warn level, so writes no line per
		// request; neither does oauth2-proxy then.
		"--request-logging=false",
	}
	o2p, err := bench.StartProcess(ctx, peer, peerArgs, filepath.Join(dir, "oauth2-proxy.log"), peerURL+"/ping")
	if err != nil {
		return err
	}
	defer o2p.Stop(logger)

	// The bare proxy: proxyenv itself, as a process of its own, so that its
	// CPU time is its own.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bareAddr, err := bench.FreeAddr()
	if err != nil {
		return err
	}
	bareURL := "http://" + bareAddr
	bare, err := bench.StartProcess(ctx, self, []string{"-bare", bareAddr, "-upstream", upURL + "/"},
		filepath.Join(dir, "bare.log"), bareURL+"/")
	if err != nil {
		return err
	}
	defer bare.Stop(logger)

	client := bench.NewClient(0)
	if _, err := bench.SignIn(ctx, client, peerURL, "/"); err != nil {
		return fmt.Errorf("proxyenv: signing in to oauth2-proxy: %w", err)
	}
	u, _ := url.Parse(peerURL)
	var peerCookies []string
	for _, c := range client.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "_oauth2_proxy") {
			peerCookies = append(peerCookies, c.Name+"="+c.Value)
		}
	}
	if len(peerCookies) == 0 {
		return errors.New("proxyenv: signing in to oauth2-proxy set no session cookie")
	}
	peerCookie := strings.Join(peerCookies, "; ")

	toolURL := atriumURL + "/tools/" + toolID + "/"
	checks := []struct{ name, url, cookie string }{
		{"upstream", upURL + "/", ""},
		{"bare proxy", bareURL + "/", ""},
		{"Atrium", toolURL, atriumCookie},
		{"oauth2-proxy", peerURL + "/", peerCookie},
	}
	for _, c := range checks {
		if err := checkPage(ctx, c.url, c.cookie); err != nil {
			return fmt.Errorf("proxyenv: %s: %w", c.name, err)
		}
	}
	shown := make([]string, len(peerArgs))
	for i, a := range peerArgs {
		name, _, _ := strings.Cut(a, "=")
		switch name {
		case "--client-secret", "--cookie-secret":
			a = name + "=…"
		}
		shown[i] = a
	}
	vars := [][2]string{
		{"UPSTREAM_URL", upURL + "/"}, {"BARE_URL", bareURL + "/"}, {"BARE_PID", fmt.Sprint(bare.PID())},
		{"ATRIUM_TOOL_URL", toolURL}, {"ATRIUM_COOKIE", atriumCookie},
		{"ATRIUM_PID", fmt.Sprint(portal.PID())},
		{"O2P_URL", peerURL + "/"}, {"O2P_COOKIE", peerCookie}, {"O2P_PID", fmt.Sprint(o2p.PID())},
		{"O2P_ARGS", strings.Join(shown, " ")}, {"O2P_COOKIE_BYTES", fmt.Sprint(len(peerCookie))},
		{"PAGE_BYTES", fmt.Sprint(len(page))},
	}
	if err := bench.WriteEnv(envFile, vars); err != nil {
		return err
	}
	logger.Info("ready", "upstream", upURL, "atrium", toolURL, "oauth2-proxy", peerURL)
	select {
	case <-ctx.Done():
		return nil
	case <-portal.Done():
		return fmt.Errorf("proxyenv: atrium exited: %v", portal.Err())
	case <-o2p.Done():
		return fmt.Errorf("proxyenv: oauth2-proxy exited: %v", o2p.Err())
	case <-bare.Done():
		return fmt.Errorf("proxyenv: the bare proxy exited: %v", bare.Err())
	}
}

// serveBare serves a bare httputil.ReverseProxy in front of upstream: the
// transport Atrium's proxy uses (legacy.NewTransport, its defaults), pooled
// 32 KB copy buffers as Atrium's proxy has, the server timeouts of Atrium's
// server, and nothing else: no session, no header rules, no assertion.
func serveBare(addr, upstream string) error {
	target, err := url.Parse(upstream)
	if err != nil || target.Host == "" {
		return fmt.Errorf("proxyenv: -upstream %q is not a URL", upstream)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
		},
		Transport:  legacy.NewTransport(legacy.ProxyOptions{}),
		BufferPool: &bufferPool{},
	}
	srv := &http.Server{Addr: addr, Handler: rp, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	return srv.ListenAndServe()
}

func servePage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page)
}

// bufferPool is httputil.BufferPool on a sync.Pool of 32 KB arrays.
type bufferPool struct{ pool sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.pool.Get().(*[32 << 10]byte); ok {
		return v[:]
	}
	return new([32 << 10]byte)[:]
}

func (b *bufferPool) Put(buf []byte) {
	if cap(buf) == 32<<10 {
		b.pool.Put((*[32 << 10]byte)(buf[:32<<10]))
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// checkPage gets u with exactly the given Cookie header and wants the
// upstream's page back: a redirect to sign in would count as a success in wrk.
func checkPage(ctx context.Context, u, cookie string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), pageMarker) {
		return fmt.Errorf("GET %s: status %d, %d bytes, not the upstream's page (Location %q)",
			u, resp.StatusCode, len(b), resp.Header.Get("Location"))
	}
	return nil
}
