package rest

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"net/url"
	"sync"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// defaultSourceTimeout bounds a call when the source configures no timeout.
const defaultSourceTimeout = 10 * time.Second

var _ adapters.Adapter = (*Adapter)(nil)

// Adapter presents the records of a JSON-over-HTTP system as customers, as
// its settings map them.
type Adapter struct {
	source   string
	base     *url.URL
	http     *http.Client
	headers  http.Header
	auth     *authorizer
	maxBody  int64
	timeout  time.Duration
	currency string
	health   *urlTemplate
	search   *searchPlan
	facets   []*facetPlan
	log      *slog.Logger
	now      func() time.Time

	// hinted holds the facets whose mapping was found to select nothing,
	// so that the hint is logged once.
	hinted sync.Map
}

// Type returns the registry entry of the REST adapter.
func Type() adapters.Type {
	return adapters.Type{
		NewSettings: func() adapters.Settings { return &Settings{} },
		New:         New,
	}
}

// New builds the adapter of a source. It does no network I/O.
func New(src adapters.Source) (adapters.Adapter, error) {
	return newAdapter(src)
}

func newAdapter(src adapters.Source) (*Adapter, error) {
	s, err := adapters.SettingsOf[Settings]("rest", src)
	if err != nil {
		return nil, err
	}
	timeout := cmp.Or(src.Timeout, defaultSourceTimeout)
	headers := http.Header{}
	for k, v := range s.Headers {
		headers.Set(textproto.CanonicalMIMEHeaderKey(k), v)
	}
	return &Adapter{
		source:   src.Name,
		base:     s.base,
		http:     httpClient(src.HTTP, s.base),
		headers:  headers,
		auth:     newAuthorizer(s.Auth, tokenClient(src.HTTP), timeout),
		maxBody:  int64(s.MaxBody),
		timeout:  timeout,
		currency: s.Currency,
		health:   s.health,
		search:   s.search,
		facets:   s.facets,
		log:      src.Log(),
		now:      time.Now,
	}, nil
}

// Facets lists the configured facets, in display order.
func (a *Adapter) Facets() []adapters.FacetSpec {
	out := make([]adapters.FacetSpec, len(a.facets))
	for i, f := range a.facets {
		out[i] = f.spec
	}
	return out
}

// Check calls the health endpoint, if one is configured.
func (a *Adapter) Check(ctx context.Context) adapters.Health {
	h := adapters.Health{CheckedAt: a.now()}
	if err := ctx.Err(); err != nil {
		h.Message = fmt.Sprintf("rest: check: %v", err)
		return h
	}
	if a.health == nil {
		h.OK = true
		h.Message = "no health endpoint configured; not called"
		return h
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	u, err := a.health.expand("")
	if err == nil {
		var resp *http.Response
		if resp, err = a.send(ctx, u, false); err == nil {
			resp.Body.Close()
		}
	}
	if err != nil {
		h.Message = fmt.Sprintf("rest: check: %v", err)
		return h
	}
	h.OK = true
	h.Message = "connected to " + a.base.Host
	return h
}

// hint logs, once per facet, that a mapping selected nothing.
func (a *Adapter) hint(ctx context.Context, name, key string) {
	if _, done := a.hinted.LoadOrStore(name, true); done {
		return
	}
	a.log.WarnContext(ctx, "rest: the items expression selected nothing; the panel shows no records",
		"facet", name, "key", key, "hint", "check the expression against an answer of the system, e.g. with curl and jq")
}
