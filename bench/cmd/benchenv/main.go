// Command benchenv sets up what bench/run.sh drives wrk against: the demo
// identity provider, the Salesforce simulator behind the fault proxy (no
// faults), and `atrium serve` as its own process on loopback, with many
// sessions already in its store. Once the portal answers and its cache is
// warm, it writes a shell file of variables (the portal's URL and process id,
// a signed-in cookie, the files of session cookies and page paths) and waits
// for SIGTERM or SIGINT, then stops the portal.
//
//	benchenv -atrium BIN -env FILE [-sessions 10000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/bench"
)

const (
	sessionTTL = 12 * time.Hour
	cacheTTL   = 10 * time.Minute
)

// loadAccounts are the customers of the load: every account of the demo org
// but the two made to span several query pages (2,300 contacts; 2,100
// opportunities), whose pages read 2,000-row tables (showing 50 rows of each) and measure something else. The
// ordinary account Acme comes first: its page is the throughput measurement's.
func loadAccounts(all []bench.Account) []bench.Account {
	out := []bench.Account{}
	for _, a := range all {
		switch a.ID {
		case sfsim.DemoAccountManyContacts, sfsim.DemoAccountManyDeals:
		case sfsim.DemoAccountAcme:
			out = append([]bench.Account{a}, out...)
		default:
			out = append(out, a)
		}
	}
	return out
}

func main() {
	atrium := flag.String("atrium", "", "the atrium binary")
	envFile := flag.String("env", "", "where to write the shell variables")
	sessions := flag.Int("sessions", 10000, "sessions to create in the portal's store")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *atrium == "" || *envFile == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: benchenv -atrium BIN -env FILE [-sessions N]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, logger, *atrium, *envFile, *sessions); err != nil {
		logger.Error("benchenv failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, logger *slog.Logger, atrium, envFile string, sessions int) error {
	dir, err := os.MkdirTemp("", "atrium-benchenv-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr, err := bench.FreeAddr()
	if err != nil {
		return err
	}
	public := "http://" + addr
	up, err := bench.StartUpstream(public, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer up.Close()

	cfgFile, cfg, err := up.WriteServeConfig(dir, addr, cacheTTL, "")
	if err != nil {
		return err
	}

	start := time.Now()
	cookies, err := bench.MintSessions(ctx, cfg.StorePath, []byte(cfg.SessionSecret), sessions, sessionTTL)
	if err != nil {
		return err
	}
	mint := time.Since(start)
	logger.Info("sessions stored", "count", len(cookies), "elapsed", mint.Round(time.Millisecond))
	cookiesFile := filepath.Join(dir, "cookies.txt")
	if err := os.WriteFile(cookiesFile, []byte(strings.Join(cookies, "\n")+"\n"), 0o600); err != nil {
		return err
	}

	portal, err := bench.StartProcess(ctx, atrium, []string{"serve", "--config", cfgFile}, filepath.Join(dir, "portal.log"), public+"/readyz")
	if err != nil {
		return err
	}
	defer portal.Stop(logger)

	client := bench.NewClient(16)
	if _, err := bench.SignIn(ctx, client, public, "/"); err != nil {
		return err
	}
	u, _ := url.Parse(public)
	var cookie string
	for _, c := range client.Jar.Cookies(u) {
		if c.Name == auth.SessionCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		return errors.New("benchenv: signing in set no session cookie")
	}

	// Warm the cache with every page of the load, and check each.
	all, err := up.Accounts(ctx)
	if err != nil {
		return err
	}
	accounts := loadAccounts(all)
	if len(accounts) == 0 || accounts[0].ID != sfsim.DemoAccountAcme {
		return errors.New("benchenv: the demo org has no Acme Corporation")
	}
	var paths []string
	pageBytes := 0
	for i, a := range accounts {
		path := "/customers/" + a.ID
		t, err := get(ctx, client, public+path, cookie)
		if err == nil {
			err = bench.CompletePage(t, html.EscapeString(a.Name), bench.PanelSlots()...)
		}
		if err != nil {
			return fmt.Errorf("benchenv: warming %s: %w", path, err)
		}
		if i == 0 {
			pageBytes = len(t.Body)
		}
		paths = append(paths, path)
	}
	pathsFile := filepath.Join(dir, "paths.txt")
	if err := os.WriteFile(pathsFile, []byte(strings.Join(paths, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	start = time.Now()
	if err := checkSessions(ctx, client, public, cookies); err != nil {
		return err
	}
	logger.Info("every stored session signs in", "count", len(cookies), "elapsed", time.Since(start).Round(time.Millisecond))

	vars := [][2]string{
		{"PORTAL_URL", public}, {"PORTAL_PID", fmt.Sprint(portal.PID())},
		{"COOKIE", cookie}, {"COOKIES_FILE", cookiesFile}, {"PATHS_FILE", pathsFile},
		{"PAGE_PATH", paths[0]}, {"PAGE_BYTES", fmt.Sprint(pageBytes)}, {"LOAD_PAGES", fmt.Sprint(len(paths))},
		{"SESSIONS", fmt.Sprint(len(cookies))}, {"MINT_SECONDS", fmt.Sprintf("%.1f", mint.Seconds())},
		{"PORTAL_LOG", filepath.Join(dir, "portal.log")},
	}
	if err := bench.WriteEnv(envFile, vars); err != nil {
		return err
	}
	logger.Info("ready", "portal", public, "pid", portal.PID())
	select {
	case <-ctx.Done():
		return nil
	case <-portal.Done():
		return fmt.Errorf("benchenv: the portal exited: %v", portal.Err())
	}
}

// get loads u with exactly the given Cookie header, whatever the jar holds.
func get(ctx context.Context, client *http.Client, u, cookie string) (bench.Timing, error) {
	c := *client
	c.Jar = nil
	c.Transport = headerTransport{base: client.Transport, cookie: cookie}
	return bench.Load(ctx, &c, u)
}

type headerTransport struct {
	base   http.RoundTripper
	cookie string
}

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Cookie", t.cookie)
	return t.base.RoundTrip(r)
}

// checkSessions opens the signed-in start page once with every cookie, so that
// a cookie the portal would not accept (a 303 to sign in, which wrk counts as
// a success) is found before the load.
func checkSessions(ctx context.Context, client *http.Client, public string, cookies []string) error {
	const workers = 8
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(cookies) && errs[w] == nil; i += workers {
				t, err := get(ctx, client, public+"/", cookies[i])
				if err == nil && t.Status != http.StatusOK {
					err = fmt.Errorf("status %d", t.Status)
				}
				if err != nil {
					errs[w] = fmt.Errorf("benchenv: stored session %d: %w", i, err)
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
