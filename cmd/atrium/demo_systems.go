package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/demo/billing"
	"github.com/atrium-dev/atrium/demo/desk"
	"github.com/atrium-dev/atrium/demo/erp"
	"github.com/atrium-dev/atrium/demo/legacytool"
)

// company is one demo company as the CRM knows it.
type company struct {
	ID, Name, Domain, City, Country string
}

// demoCompanies lists the CRM's accounts with a website.
func demoCompanies(data *sfsim.Dataset) []company {
	var out []company
	for _, r := range data.Records("Account", "Name", "Website", "BillingCity", "BillingCountry") {
		c := company{ID: str(r["Id"]), Name: str(r["Name"]), City: str(r["BillingCity"]), Country: str(r["BillingCountry"])}
		if u, err := url.Parse(str(r["Website"])); err == nil && u.Host != "" {
			c.Domain = strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		}
		if c.Domain != "" {
			out = append(out, c)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// demoSystems are the demo's billing, support desk, ERP and legacy tool,
// running.
type demoSystems struct {
	billingURL, deskURL, erpPath, toolURL string
	config                                string // their sources, to append to the configuration
	tools                                 string // the legacy tool in its three modes
}

// startDemoSystems starts billing (Stripe's API), the support desk (a REST API
// connected by configuration) and the ERP (a SQLite database) on free loopback
// ports, seeded with the CRM's companies.
func startDemoSystems(ctx context.Context, g *errgroup.Group, dir, public string, companies []company, now time.Time, logger *slog.Logger) (*demoSystems, error) {
	s := &demoSystems{}
	if err := s.startLegacyTool(ctx, g, public); err != nil {
		return nil, err
	}

	// Billing: every company, most carrying their CRM id in metadata.
	var accounts []billing.Account
	for _, c := range companies {
		accounts = append(accounts, billing.Account{Name: c.Name, Domain: c.Domain, SalesforceID: c.ID, City: c.City, Country: c.Country})
	}
	// It also serves the pages its records' links open, in place of Stripe's
	// dashboard and hosted invoices.
	apiKey := "sk_test_" + strings.ToLower(rand.Text())
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.billingURL = "http://" + bln.Addr().String()
	bill, err := billing.New(billing.Options{APIKey: apiKey, Customers: billing.Demo(accounts, now), Now: time.Now,
		URL: s.billingURL, Logger: logger.With("component", "demo-billing")})
	if err != nil {
		bln.Close()
		return nil, fmt.Errorf("demo billing: %w", err)
	}
	g.Go(func() error { return serveHTTP(ctx, bln, bill) })

	// Support desk: two companies in three, known by their domain only.
	var orgs []desk.Org
	for i, c := range companies {
		if i%3 != 2 {
			orgs = append(orgs, desk.Org{Name: c.Name, Domain: c.Domain})
		}
	}
	token := rand.Text()
	dsk := desk.New(desk.Options{Token: token, Orgs: orgs, Now: now})
	dln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.deskURL = "http://" + dln.Addr().String()
	g.Go(func() error { return serveHTTP(ctx, dln, dsk) })

	// ERP: its own customer list, some with the CRM id, some sharing a domain.
	// A --data folder from an earlier run keeps its ERP: it is reused, never
	// overwritten.
	s.erpPath = filepath.Join(dir, "erp.db")
	if _, err := os.Stat(s.erpPath); errors.Is(err, fs.ErrNotExist) {
		if err := erp.Create(ctx, s.erpPath, now, erp.DemoAccounts()); err != nil {
			return nil, fmt.Errorf("demo ERP: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("demo ERP: %w", err)
	}

	s.config = fmt.Sprintf(`
  - name: billing
    type: stripe
    title: Billing
    timeout: 5s
    settings:
      api_key: %q
      base_url: %q
      dashboard_url: %[2]q
  - name: desk
    type: rest
    title: Support desk
    timeout: 5s
%s
  - name: erp
    type: sqldb
    title: ERP
    timeout: 5s
    settings:
%s
`, apiKey, s.billingURL, indent(desk.DemoSettings(s.deskURL, token), "    "), indent(erp.DemoSettings(s.erpPath), "      "))
	return s, nil
}

// indent prefixes every non-empty line of a YAML block.
func indent(block, prefix string) string {
	lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// startLegacyTool runs a web app without an API, embedded three ways: a plain
// frame on its own origin, a frame opened with a signed request, and under
// Atrium's origin through the authenticating proxy.
func (s *demoSystems) startLegacyTool(ctx context.Context, g *errgroup.Group, public string) error {
	canvasSecret, assertionSecret := rand.Text()+rand.Text(), rand.Text()+rand.Text()
	tool, err := legacytool.New(legacytool.Options{CanvasSecret: []byte(canvasSecret), AssertionSecret: []byte(assertionSecret),
		ToolID: "ledger", AllowFrameAncestors: public})
	if err != nil {
		return fmt.Errorf("demo legacy tool: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.toolURL = "http://" + ln.Addr().String()
	g.Go(func() error { return serveHTTP(ctx, ln, tool) })
	s.tools = fmt.Sprintf(`
tools:
  - id: orders-lookup
    title: Order lookup (legacy, framed)
    mode: iframe
    origin: %[1]q
    url: %[2]q
  - id: credit-check
    title: Credit check (legacy, signed request)
    mode: signed
    origin: %[1]q
    url: %[3]q
    secret: %[4]q
  - id: ledger
    title: Ledger (legacy, through Atrium)
    mode: proxy
    upstream: %[1]q
    url: "app/?customer={{.Customer}}"
    secret: %[5]q
`, s.toolURL, s.toolURL+"/frame?customer={{.Customer}}&user={{.User.Email}}", s.toolURL+"/canvas", canvasSecret, assertionSecret)
	return nil
}
