package guard

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/internal/testenv"
)

func newRedisCache(t *testing.T, logger *slog.Logger) (*RedisCache, *redis.Client) {
	t.Helper()
	srv := testenv.StartRedis(t)
	opts, err := redis.ParseURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return NewRedisCache(rdb, "atrium-test:", logger), rdb
}

func TestRedisCacheRoundTripsEveryKindOfValue(t *testing.T) {
	c, rdb := newRedisCache(t, nil)
	ctx := context.Background()
	when := time.Date(2026, 11, 26, 14, 2, 0, 0, time.UTC)
	f := &adapters.Facet{Source: "salesforce", Name: "opportunities", FetchedAt: when, URL: "https://x/lightning/r/Account/001/view",
		Fields: map[string]adapters.Value{adapters.FieldName: adapters.Text("Acme"), adapters.FieldAnnualRevenue: {Kind: adapters.KindMoney, Number: 1.5e6, Currency: "EUR", Valid: true}},
		Tables: []adapters.Table{{Name: "opportunities", Total: 2100,
			Columns: []adapters.Column{{Key: "close", Title: "Close date", Kind: adapters.KindDate}},
			Rows:    []adapters.Row{{Cells: []adapters.Value{{Kind: adapters.KindDate, Time: when, Valid: true}}, URL: "https://x/o", Emphasis: true}},
			Summary: []adapters.Metric{{Label: "Open pipeline", Value: adapters.Value{Kind: adapters.KindMoney, Number: 228000, Currency: "USD", Valid: true}}}}}}
	k := Key{Source: "salesforce", ID: "001Dn00000Acme1IAB", Facet: "opportunities"}
	if _, ok := c.Get(ctx, k); ok {
		t.Fatal("hit before Set")
	}
	c.Set(ctx, k, Entry{Facet: f, Stored: when}, time.Minute)
	got, ok := c.Get(ctx, k)
	if !ok {
		t.Fatal("miss after Set")
	}
	if !got.Stored.Equal(when) || got.Facet.Fields[adapters.FieldAnnualRevenue].Currency != "EUR" ||
		got.Facet.Tables[0].Total != 2100 || !got.Facet.Tables[0].Rows[0].Cells[0].Time.Equal(when) ||
		!got.Facet.Tables[0].Rows[0].Emphasis || got.Facet.Tables[0].Summary[0].Value.Number != 228000 {
		t.Fatalf("round trip changed the entry: %+v", got.Facet)
	}
	// The TTL is Redis's own: the key expires without Atrium's help.
	ttl, err := rdb.TTL(ctx, "atrium-test:facet:salesforce:001Dn00000Acme1IAB:opportunities").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL = %v, %v", ttl, err)
	}
	c.Set(ctx, Key{Source: "s", ID: "x", Facet: "f"}, Entry{Facet: f, Stored: when}, 0)
	if _, ok := c.Get(ctx, Key{Source: "s", ID: "x", Facet: "f"}); ok {
		t.Error("a zero TTL stored an entry")
	}
}

func TestRedisCacheDownIsAMiss(t *testing.T) {
	var logs strings.Builder
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	c := NewRedisCache(rdb, "x:", slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	c.Set(ctx, Key{Source: "s", ID: "1", Facet: "f"}, Entry{Facet: &adapters.Facet{}, Stored: time.Now()}, time.Minute)
	if _, ok := c.Get(ctx, Key{Source: "s", ID: "1", Facet: "f"}); ok {
		t.Fatal("hit from an unreachable Redis")
	}
	if !strings.Contains(logs.String(), "Redis get failed") {
		t.Errorf("the failure was not logged: %s", logs.String())
	}
}

// Two instances sharing Redis: what one fetched, the other serves without
// calling the system.
func TestInstancesShareFetchesThroughRedis(t *testing.T) {
	c, _ := newRedisCache(t, nil)
	calls := 0
	a := &countingAdapter{fetch: func(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		calls++
		return &adapters.Facet{Source: "crm", Name: req.Facet, FetchedAt: time.Now()}, nil
	}}
	p := DefaultPolicy()
	one := Wrap(a, "crm", p, WithCache(c))
	defer one.Close()
	two := Wrap(a, "crm", p, WithCache(c))
	defer two.Close()
	ctx := context.Background()
	if _, err := one.Fetch(ctx, adapters.FetchRequest{ID: "C1", Facet: "contacts"}); err != nil {
		t.Fatal(err)
	}
	f, err := two.Fetch(ctx, adapters.FetchRequest{ID: "C1", Facet: "contacts"})
	if err != nil || f.Name != "contacts" {
		t.Fatalf("second instance: %+v, %v", f, err)
	}
	if calls != 1 {
		t.Fatalf("the system was called %d times, want 1", calls)
	}
}

// countingAdapter answers Fetch from a function.
type countingAdapter struct {
	fetch func(context.Context, adapters.FetchRequest) (*adapters.Facet, error)
}

func (a *countingAdapter) Search(context.Context, adapters.Query) ([]adapters.Match, error) {
	return nil, nil
}
func (a *countingAdapter) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "account", Header: true}, {Name: "contacts"}}
}
func (a *countingAdapter) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	return a.fetch(ctx, req)
}
func (a *countingAdapter) Check(context.Context) adapters.Health { return adapters.Health{OK: true} }
