package stripe

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/adapters"
)

// Facet names.
const (
	FacetCustomer      = "customer"
	FacetInvoices      = "invoices"
	FacetSubscriptions = "subscriptions"
)

// Field names of the customer facet beyond the canonical ones of package
// adapters.
const (
	FieldBillingEmail = "billing_email"
	FieldCurrency     = "currency"
	FieldBalance      = "balance"
	FieldDelinquent   = "delinquent"
	FieldCreated      = "created"
)

// ExternalIDSystem prefixes the CRM id of a customer's metadata in the
// external-id key of a match: "salesforce:001…".
const ExternalIDSystem = "salesforce"

// defaultSourceTimeout bounds a call when the source configures no timeout.
const defaultSourceTimeout = 10 * time.Second

var _ adapters.Adapter = (*Adapter)(nil)

// Adapter presents a Stripe account's customers, with their invoices and
// subscriptions.
type Adapter struct {
	source      string
	api         *stripego.Client
	key         string
	metadataKey string
	maxRows     int
	dashboard   string
	testMode    bool
	timeout     time.Duration
	log         *slog.Logger
	now         func() time.Time
}

// Type returns the registry entry of the Stripe adapter.
func Type() adapters.Type {
	return adapters.Type{
		NewSettings: func() adapters.Settings { return &Settings{} },
		New:         New,
	}
}

// New builds the adapter of a source. It does no network I/O: Check reports
// an account that cannot be reached.
func New(src adapters.Source) (adapters.Adapter, error) {
	return newAdapter(src)
}

func newAdapter(src adapters.Source) (*Adapter, error) {
	s, err := adapters.SettingsOf[Settings]("stripe", src)
	if err != nil {
		return nil, err
	}
	log := src.Log()
	backend := stripego.GetBackendWithConfig(stripego.APIBackend, &stripego.BackendConfig{
		URL:        stripego.String(s.BaseURL),
		HTTPClient: httpClient(src.HTTP),
		// The SDK sleeps between its retries without watching the context;
		// the guard around every adapter retries reads with backoff instead.
		MaxNetworkRetries: stripego.Int64(0),
		EnableTelemetry:   stripego.Bool(false),
		LeveledLogger:     sdkLogger{log},
	})
	api := stripego.NewClient(s.key, stripego.WithBackends(&stripego.Backends{
		API: backend, Connect: backend, Uploads: backend, MeterEvents: backend,
	}))
	return &Adapter{
		source:      src.Name,
		api:         api,
		key:         s.key,
		metadataKey: s.MatchMetadataKey,
		maxRows:     s.MaxRows,
		dashboard:   s.DashboardURL,
		testMode:    s.testMode(),
		timeout:     cmp.Or(src.Timeout, defaultSourceTimeout),
		log:         log,
		now:         time.Now,
	}, nil
}

// Facets lists the facets of a customer, in display order.
func (a *Adapter) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{
		{Name: FacetCustomer, Title: "Billing", Header: true},
		{Name: FacetInvoices, Title: "Invoices"},
		{Name: FacetSubscriptions, Title: "Subscriptions"},
	}
}

// Check lists one customer: the cheapest call that proves the key may read
// what the adapter reads.
func (a *Adapter) Check(ctx context.Context) adapters.Health {
	h := adapters.Health{CheckedAt: a.now()}
	err := a.call(ctx, "check", func(ctx context.Context) error {
		params := &stripego.CustomerListParams{}
		params.Limit = stripego.Int64(1)
		params.Single = true
		for _, err := range a.api.V1Customers.List(ctx, params) {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		h.Message = err.Error()
		return h
	}
	h.OK = true
	mode := "live"
	if a.testMode {
		mode = "test"
	}
	h.Message = "connected to Stripe (" + mode + " mode)"
	return h
}

// call runs one adapter call against Stripe within the source's timeout, and
// turns what went wrong into an error of the adapter.
func (a *Adapter) call(ctx context.Context, op string, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	ctx, x := withExchange(ctx)
	return failure(ctx, op, fn(ctx), x, a.key)
}

// dashboardURL opens an object in the Stripe dashboard (or the one the
// settings name), under /test for a test-mode key. kind is the dashboard's path: customers, invoices,
// subscriptions.
func (a *Adapter) dashboardURL(kind, id string) string {
	mode := ""
	if a.testMode {
		mode = "/test"
	}
	return a.dashboard + mode + "/" + kind + "/" + id
}

// sdkLogger passes the SDK's own messages to the source's logger at debug
// level: every failure also comes back as an error, which its caller logs
// once. The SDK's debug messages quote whole response bodies, which hold
// customer data, so they are dropped.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Debugf(string, ...any) {}

func (l sdkLogger) Infof(format string, v ...any) { l.put(format, v) }

func (l sdkLogger) Warnf(format string, v ...any) { l.put(format, v) }

func (l sdkLogger) Errorf(format string, v ...any) { l.put(format, v) }

func (l sdkLogger) put(format string, v []any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug("stripe-go: " + fmt.Sprintf(format, v...))
	}
}
