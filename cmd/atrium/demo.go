package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/demo/idp"
)

const (
	demoClientID    = "atrium-demo"
	demoSFConsumer  = "atrium-demo-connected-app"
	demoDefaultAddr = "127.0.0.1:8080"
)

// demoOptions are the flags of `atrium demo`.
type demoOptions struct {
	addr     string
	dataDir  string
	logLevel string
	// ready, when set, receives the portal's URL once everything listens.
	ready func(url string)
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("demo", flag.ContinueOnError)
	var o demoOptions
	flags.StringVar(&o.addr, "addr", demoDefaultAddr, "where the portal listens")
	flags.StringVar(&o.dataDir, "data", "", "folder for the demo database (default: a temporary folder, removed at exit)")
	flags.StringVar(&o.logLevel, "log-level", "warn", "debug, info, warn or error")
	if err := parseArgs(flags, args, 0, "atrium demo [--addr HOST:PORT] [--data DIR] [--log-level LEVEL]"); err != nil {
		return err
	}
	return demo(ctx, o, stdout, stderr)
}

// demoMarker marks a --data folder as the demo's own.
const demoMarker = ".atrium-demo"

// useDataDir makes dir the demo's folder: it creates it, or takes it when it
// is empty or an earlier demo's, which is then reused. A folder holding
// anything else is refused: the demo would write beside those files, replace
// one named like its key, and mix its sessions and link decisions into an
// atrium.db of a real installation.
func useDataDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create the --data folder: %w", err)
		}
	case err != nil:
		return usageError{fmt.Sprintf("--data %s: %v\n    fix: name a folder Atrium may write, new or empty", dir, errors.Unwrap(err))}
	case len(entries) > 0 && !slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == demoMarker }):
		return usageError{fmt.Sprintf("--data %s holds files that atrium demo did not write\n"+
			"    fix: name a new or empty folder; the demo keeps its data there and reuses it on later runs", dir)}
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("This folder holds the data of atrium demo.\n"), 0o600)
}

// demo runs the identity provider, the simulated systems and the portal in this
// process. Only the portal listens on a chosen address; the others take free
// loopback ports so they never collide with what already runs on the machine.
func demo(ctx context.Context, o demoOptions, stdout, stderr io.Writer) error {
	dir := o.dataDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "atrium-demo-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := useDataDir(dir); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w\n  another program may be using it: choose another address, e.g. atrium demo --addr 127.0.0.1:8181", o.addr, err)
	}
	defer ln.Close()
	public := "http://" + ln.Addr().String()

	logger := newLogger(stderr, config.Log{Level: o.logLevel, Format: "text"})
	g, ctx := errgroup.WithContext(ctx)

	// Identity provider.
	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	issuer := "http://" + idpLn.Addr().String()
	clientSecret := rand.Text()
	provider, err := idp.New(idp.Options{
		Issuer: issuer,
		Users:  idp.DemoUsers(),
		Clients: []idp.Client{{
			ID: demoClientID, Secret: clientSecret,
			RedirectURIs:           []string{public + "/auth/callback"},
			PostLogoutRedirectURIs: []string{public + "/auth/signed-out"},
			BackChannelLogoutURI:   public + "/auth/backchannel-logout",
		}},
		Logger: logger.With("component", "demo-idp"),
	})
	if err != nil {
		return fmt.Errorf("demo identity provider: %w", err)
	}
	g.Go(func() error { return serveHTTP(ctx, idpLn, provider) })

	// Salesforce simulator, signed in to with the JWT bearer flow like a real org.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	keyFile := filepath.Join(dir, "salesforce-demo.key")
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(key)})
	if err := os.WriteFile(keyFile, pemKey, 0o600); err != nil {
		return err
	}
	sfLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sfURL := "http://" + sfLn.Addr().String()
	now := time.Now()
	data := sfsim.DemoData(now)
	sim := sfsim.New(sfsim.Options{
		URL: sfURL, ConsumerKey: demoSFConsumer, Username: sfsim.DemoUsername,
		PublicKey: &key.PublicKey, Data: data,
		Logger: logger.With("component", "salesforce-simulator"),
	})
	g.Go(func() error { return serveHTTP(ctx, sfLn, sim) })

	// The other systems hold the same companies, linked as real ones are: by
	// ids some of them carry, by email and website domains.
	systems, err := startDemoSystems(ctx, g, dir, public, demoCompanies(data), now, logger)
	if err != nil {
		return err
	}

	// The portal, configured through the same loader as `atrium serve`.
	doc := demoConfig(public, issuer, clientSecret, sfURL, keyFile, filepath.Join(dir, "atrium.db")) + systems.config + systems.tools
	l, err := config.Load([]byte(doc), registry(), nil)
	if err != nil {
		return fmt.Errorf("demo configuration: %w", err)
	}
	g.Go(func() error { return serve(ctx, l, ln, logger) })

	printDemoBanner(stdout, public, issuer, sfURL, systems)
	if o.ready != nil {
		o.ready(public)
	}
	err = g.Wait()
	if errors.Is(err, context.Canceled) || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func demoConfig(public, issuer, secret, sfURL, keyFile, dbPath string) string {
	return fmt.Sprintf(`
server:
  addr: 127.0.0.1:0
  public_url: %q
auth:
  issuer: %q
  client_id: %q
  client_secret: %q
  scopes: [openid, profile, email, groups]
store:
  path: %q
policy:
  contact: dave (an Atrium admin)
  roles:
    sales: [sales]
    support: [support]
    finance: [finance]
    admin: [admins]
  actions:
    link: [admin]
    audit.read: [admin]
  fields:
    # Money in billing (invoice amounts, balances, subscription prices, the
    # overdue total) and what a customer is billed at: finance's.
    - {field: billing/*/kind:money, roles: [finance, admin]}
    - {field: billing/*/amount, roles: [finance, admin]}
    - {field: billing/customer/billing_email, roles: [finance, admin]}
    - {field: salesforce/*/annual_revenue, roles: [finance, admin]}
customer:
  primary: salesforce
  golden:
    - {field: billing_email, label: Billing email, sources: [billing]}
    - {field: vat_id, label: VAT id, sources: [erp]}
sources:
  - name: salesforce
    type: salesforce
    title: Salesforce
    timeout: 5s
    settings:
      flow: jwt
      login_url: %q
      audience: %q
      client_id: %q
      username: %q
      private_key_file: %q
`, public, issuer, demoClientID, secret, dbPath, sfURL, sfURL, demoSFConsumer, sfsim.DemoUsername, keyFile)
}

func mustPKCS8(k *rsa.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err) // cannot fail for a freshly generated RSA key
	}
	return b
}

// serveHTTP serves h on ln until ctx ends.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return nil
}

func printDemoBanner(w io.Writer, public, issuer, sfURL string, systems *demoSystems) {
	fmt.Fprintf(w, "\nAtrium demo is running.\n\n  Open %s\n\n  Sign in as one of these demo users:\n\n", public)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "    username\tpassword\temail\tgroups")
	for _, u := range idp.DemoUsers() {
		groups := strings.Join(u.Groups, ", ")
		if groups == "" {
			groups = "(none: sees no customers yet)"
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", u.Username, u.Password, u.Email, groups)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n  Identity provider:     %s\n  Salesforce simulator:  %s\n  Billing (Stripe API):  %s\n  Support desk:          %s\n  ERP database:          %s\n  Legacy tool:           %s\n\nPress Ctrl+C to stop.\n",
		issuer, sfURL, systems.billingURL, systems.deskURL, systems.erpPath, systems.toolURL)
}
