// Package bench measures Atrium's speed and memory against its targets. The Go
// benchmarks here run the portal in process, in front of the Salesforce
// simulator behind a fault proxy that adds latency to chosen queries; the wrk
// and memory measurements run `atrium serve` as its own process, set up by
// bench/cmd/benchenv. bench/run.sh runs everything and writes
// docs/benchmarks.md through bench/cmd/benchreport.
//
// Nothing here runs in the test command: the package has benchmarks only.
package bench

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/demo/idp"
	"github.com/atrium-dev/atrium/internal/faultproxy"
)

// Who the benchmarks are, at the identity provider and at the simulated org.
const (
	ClientID     = "atrium-bench"
	consumerKey  = "atrium-bench-connected-app"
	UserName     = "alice"
	UserPassword = "demo-alice"
)

// Upstream is what a portal talks to in a benchmark: the Salesforce simulator
// holding the demo data, the fault proxy in front of it, and the demo identity
// provider. Everything listens on free loopback ports.
type Upstream struct {
	Sim   *sfsim.Server
	Proxy *faultproxy.Proxy
	// SalesforceURL is the fault proxy's address. The simulator hands it out as
	// its instance URL, so every call of the portal, token requests included,
	// passes the proxy and can be delayed and counted.
	SalesforceURL string
	Issuer        string
	ClientSecret  string
	// KeyPEM is the private key of the connected app (JWT bearer flow).
	KeyPEM []byte

	servers []*http.Server
}

// DataDate is the date the demo data is seeded relative to: fixed, so that
// every run serves and renders the same records.
func DataDate() time.Time { return time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC) }

// StartUpstream starts the simulator, the fault proxy and the identity
// provider, registering portalURL as the provider's client, beside the other
// clients given (e.g. a peer proxy measured against the portal).
func StartUpstream(portalURL string, logger *slog.Logger, others ...idp.Client) (*Upstream, error) {
	u := &Upstream{ClientSecret: rand.Text()}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	u.KeyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	proxyLn, err := listen()
	if err != nil {
		return nil, err
	}
	u.SalesforceURL = "http://" + proxyLn.Addr().String()
	u.Sim = sfsim.New(sfsim.Options{
		URL: u.SalesforceURL, ConsumerKey: consumerKey, Username: sfsim.DemoUsername,
		PublicKey: &key.PublicKey, Data: sfsim.DemoData(DataDate()), Logger: logger,
	})
	simLn, err := listen()
	if err != nil {
		proxyLn.Close()
		return nil, err
	}
	u.serve(simLn, u.Sim)
	if u.Proxy, err = faultproxy.New("http://" + simLn.Addr().String()); err != nil {
		proxyLn.Close()
		u.Close()
		return nil, err
	}
	u.serve(proxyLn, u.Proxy)

	idpLn, err := listen()
	if err != nil {
		u.Close()
		return nil, err
	}
	u.Issuer = "http://" + idpLn.Addr().String()
	provider, err := idp.New(idp.Options{
		Issuer: u.Issuer, Users: idp.DemoUsers(), Logger: logger,
		Clients: append([]idp.Client{{
			ID: ClientID, Secret: u.ClientSecret,
			RedirectURIs:           []string{portalURL + "/auth/callback"},
			PostLogoutRedirectURIs: []string{portalURL + "/auth/signed-out"},
		}}, others...),
	})
	if err != nil {
		idpLn.Close()
		u.Close()
		return nil, err
	}
	u.serve(idpLn, provider)
	return u, nil
}

// SetLatencies makes the fault proxy delay the SOQL queries whose first FROM
// names each object (Account, Contacts, Opportunity, Case), and resets its
// call counters.
func (u *Upstream) SetLatencies(byObject map[string]time.Duration) {
	u.Proxy.Clear()
	var rules []faultproxy.Rule
	for object, d := range byObject {
		rules = append(rules, faultproxy.Rule{
			Match: faultproxy.SOQLFrom(object),
			Fault: faultproxy.Fault{Kind: faultproxy.Latency, Latency: d},
		})
	}
	u.Proxy.Set(rules...)
}

// Account is a customer of the demo org.
type Account struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

// Accounts lists the demo org's accounts by name, asking the simulator through
// the Salesforce adapter's own client.
func (u *Upstream) Accounts(ctx context.Context) ([]Account, error) {
	s := &salesforce.Settings{
		Flow: salesforce.FlowJWT, LoginURL: u.SalesforceURL, Audience: u.SalesforceURL,
		ClientID: consumerKey, Username: sfsim.DemoUsername, PrivateKey: string(u.KeyPEM),
	}
	if probs := s.Validate(); len(probs) > 0 {
		return nil, fmt.Errorf("bench: salesforce settings: %v", probs)
	}
	a, err := salesforce.New(adapters.Source{Name: "salesforce", Title: "Salesforce", Timeout: 10 * time.Second,
		Settings: s, HTTP: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		return nil, err
	}
	sf, ok := a.(*salesforce.Adapter)
	if !ok {
		return nil, fmt.Errorf("bench: the salesforce adapter is a %T", a)
	}
	res, err := sf.Client().Query(ctx, "SELECT Id, Name FROM Account ORDER BY Name", salesforce.QueryOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(res.Records))
	for i, r := range res.Records {
		if err := r.Decode(&out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Close stops every server.
func (u *Upstream) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range u.servers {
		_ = s.Shutdown(ctx)
	}
}

func (u *Upstream) serve(ln net.Listener, h http.Handler) {
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	u.servers = append(u.servers, s)
	go func() {
		if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("bench: upstream server stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
}

func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// FreeAddr returns a loopback address that was free a moment ago, for a
// process that must be told its address before it listens.
func FreeAddr() (string, error) {
	ln, err := listen()
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// PortalConfig is what varies between the benchmarks' portals.
type PortalConfig struct {
	Addr          string // where the portal listens
	PublicURL     string
	StorePath     string
	KeyFile       string // the connected app's key, written from Upstream.KeyPEM
	SessionSecret string // at least 32 characters
	// CacheTTL is the guard's cache_ttl; 0 turns the cache off.
	CacheTTL time.Duration
}

// WriteServeConfig writes into dir what `atrium serve` needs to run as the
// benchmarks' portal at addr against u: the connected app's key and the
// configuration, with a fresh session secret, followed by extra (more YAML,
// such as tools). It returns the configuration file and what it was written
// from.
func (u *Upstream) WriteServeConfig(dir, addr string, cacheTTL time.Duration, extra string) (string, PortalConfig, error) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // never fails
	c := PortalConfig{
		Addr: addr, PublicURL: "http://" + addr, StorePath: filepath.Join(dir, "atrium.db"),
		KeyFile: filepath.Join(dir, "salesforce.key"), SessionSecret: hex.EncodeToString(secret), CacheTTL: cacheTTL,
	}
	if err := os.WriteFile(c.KeyFile, u.KeyPEM, 0o600); err != nil {
		return "", c, err
	}
	file := filepath.Join(dir, "atrium.yaml")
	if err := os.WriteFile(file, []byte(u.Config(c)+extra), 0o600); err != nil {
		return "", c, err
	}
	return file, c, nil
}

// Config returns the `atrium serve` configuration of a portal against u. The
// in-process portal of StartPortal loads the same document.
func (u *Upstream) Config(c PortalConfig) string {
	stale := max(c.CacheTTL*2, time.Minute)
	return fmt.Sprintf(`
server:
  addr: %q
  public_url: %q
  session_secret: %q
auth:
  issuer: %q
  client_id: %q
  client_secret: %q
  scopes: [openid, profile, email, groups]
store:
  path: %q
log:
  level: warn
customer:
  primary: salesforce
sources:
  - name: salesforce
    type: salesforce
    title: Salesforce
    timeout: 5s
    guard:
      cache_ttl: %s
      stale_ttl: %s
    settings:
      flow: jwt
      login_url: %q
      audience: %q
      client_id: %q
      username: %q
      private_key_file: %q
`, c.Addr, c.PublicURL, c.SessionSecret, u.Issuer, ClientID, u.ClientSecret, c.StorePath,
		c.CacheTTL, stale, u.SalesforceURL, u.SalesforceURL, consumerKey, sfsim.DemoUsername, c.KeyFile)
}
