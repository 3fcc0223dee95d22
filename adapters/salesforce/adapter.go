package salesforce

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// Facet names.
const (
	FacetAccount       = "account"
	FacetContacts      = "contacts"
	FacetOpportunities = "opportunities"
	FacetCases         = "cases"
)

// defaultSourceTimeout bounds a call when the source configures no timeout.
const defaultSourceTimeout = 10 * time.Second

var _ adapters.Adapter = (*Adapter)(nil)

// Adapter presents a Salesforce org's accounts as customers.
type Adapter struct {
	source        string
	client        *Client
	maxRows       int
	batchSize     int
	currency      string
	multiCurrency bool
	log           *slog.Logger
	now           func() time.Time
}

// Type returns the registry entry of the Salesforce adapter.
func Type() adapters.Type {
	return adapters.Type{
		NewSettings: func() adapters.Settings { return &Settings{} },
		New:         New,
	}
}

// New builds the adapter of a source. It does no network I/O: the first call
// authenticates, and Check reports an org that cannot be reached.
func New(src adapters.Source) (adapters.Adapter, error) {
	return newAdapter(src)
}

func newAdapter(src adapters.Source) (*Adapter, error) {
	s, err := adapters.SettingsOf[Settings]("salesforce", src)
	if err != nil {
		return nil, err
	}
	log := src.Log()
	client, err := NewClient(Config{
		LoginURL:    s.LoginURL,
		Credentials: s.credentials(),
		APIVersion:  s.APIVersion,
		HTTP:        src.HTTP,
		Timeout:     cmp.Or(src.Timeout, defaultSourceTimeout),
		Logger:      log,
	})
	if err != nil {
		return nil, fmt.Errorf("salesforce: source %q: %w", src.Name, err)
	}
	return &Adapter{
		source:        src.Name,
		client:        client,
		maxRows:       s.MaxRows,
		batchSize:     s.BatchSize,
		currency:      s.Currency,
		multiCurrency: s.MultiCurrency,
		log:           log,
		now:           time.Now,
	}, nil
}

// Client returns the adapter's REST client, e.g. to read its API usage.
func (a *Adapter) Client() *Client { return a.client }

// Usage reports the org's API usage as Salesforce last stated it, so that a
// guard can spare the daily allocation.
func (a *Adapter) Usage() (used, limit int, seen time.Time) { return a.client.Usage() }

var _ adapters.UsageReporter = (*Adapter)(nil)

// CanonicalID returns the 18-character form of an account id in its true case
// (see Canonical), or an error matching adapters.ErrNotFound when id is no
// Salesforce id.
func (a *Adapter) CanonicalID(id string) (string, error) { return Canonical(id) }

var _ adapters.IDChecker = (*Adapter)(nil)

// Facets lists the facets of an account, in display order.
func (a *Adapter) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{
		{Name: FacetAccount, Title: "Account", Header: true},
		{Name: FacetContacts, Title: "Contacts"},
		{Name: FacetOpportunities, Title: "Opportunities"},
		{Name: FacetCases, Title: "Cases"},
	}
}

// Check runs the cheapest query there is and reports the org's API usage.
func (a *Adapter) Check(ctx context.Context) adapters.Health {
	h := adapters.Health{CheckedAt: a.now()}
	_, err := a.client.query(ctx, "SELECT Id FROM Account LIMIT 1", QueryOptions{})
	h.APIUsed, h.APILimit, _ = a.client.Usage()
	if err != nil {
		h.Message = fmt.Sprintf("salesforce: check: %v", err)
		return h
	}
	h.OK = true
	h.Message = fmt.Sprintf("connected to %s (API v%s)", a.client.InstanceURL(), a.client.apiVersion)
	return h
}

// queryOptions returns the options of a query read up to limit records
// (zero: all).
func (a *Adapter) queryOptions(limit int) QueryOptions {
	return QueryOptions{BatchSize: a.batchSize, MaxRecords: limit}
}

// recordURL opens a record in Lightning Experience.
func (a *Adapter) recordURL(object, id string) string {
	return a.client.InstanceURL() + "/lightning/r/" + object + "/" + id + "/view"
}

// currencyOf returns a record's currency: its own in a multi-currency org, the
// org's otherwise.
func (a *Adapter) currencyOf(isoCode string) string {
	if a.multiCurrency && isoCode != "" {
		return isoCode
	}
	return a.currency
}

// currencyField is the SELECT item for a record's currency, if the org has it.
func (a *Adapter) currencyField() string {
	if a.multiCurrency {
		return ", CurrencyIsoCode"
	}
	return ""
}
