package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

type guardTestSettings struct{}

func (guardTestSettings) Validate() []adapters.Problem { return nil }

func guardTestKinds() *adapters.Registry {
	r := adapters.NewRegistry()
	r.Add("plain", adapters.Type{NewSettings: func() adapters.Settings { return &guardTestSettings{} }})
	return r
}

// guardDoc is a valid configuration whose one source has the given guard block.
func guardDoc(guard string) string {
	return `
server:
  public_url: https://atrium.example.com
auth:
  issuer: https://idp.example.com
  client_id: atrium
store:
  path: /tmp/atrium.db
sources:
  - name: crm
    type: plain
` + guard
}

func loadGuard(t *testing.T, guard string) (Guard, error) {
	t.Helper()
	l, err := Load([]byte(guardDoc(guard)), guardTestKinds(), func(string) (string, bool) { return "", false })
	if err != nil {
		return Guard{}, err
	}
	return l.Sources[0].Guard, nil
}

func TestGuardDefaults(t *testing.T) {
	g, err := loadGuard(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if g.CacheTTL == nil || g.CacheTTL.D() != DefaultCacheTTL || g.StaleTTL.D() != DefaultStaleTTL ||
		g.Retries == nil || *g.Retries != DefaultRetries || g.BreakerFailures != DefaultBreakerFailures ||
		g.BreakerOpen.D() != DefaultBreakerOpen || g.MaxConcurrent != DefaultMaxConcurrent ||
		g.BudgetShare != DefaultBudgetShare {
		t.Errorf("defaults not applied: %+v", g)
	}
}

func TestGuardValues(t *testing.T) {
	g, err := loadGuard(t, `    guard:
      cache_ttl: 0s
      stale_ttl: 5m
      retries: 0
      breaker_failures: 3
      breaker_open: 1m
      max_concurrent: 4
      budget_share: 0.75
`)
	if err != nil {
		t.Fatal(err)
	}
	if g.CacheTTL == nil || *g.CacheTTL != 0 {
		t.Errorf("cache_ttl: 0s read as %v, want an explicit zero (no cache)", g.CacheTTL)
	}
	if *g.Retries != 0 || g.StaleTTL.D() != 5*time.Minute || g.BreakerFailures != 3 ||
		g.BreakerOpen.D() != time.Minute || g.MaxConcurrent != 4 || g.BudgetShare != 0.75 {
		t.Errorf("values not read: %+v", g)
	}
}

func TestGuardStaleDefaultFollowsALongCacheTTL(t *testing.T) {
	g, err := loadGuard(t, "    guard:\n      cache_ttl: 30m\n")
	if err != nil {
		t.Fatal(err)
	}
	if g.StaleTTL.D() != 30*time.Minute {
		t.Errorf("stale_ttl defaulted to %v under a 30m cache_ttl, want 30m", g.StaleTTL.D())
	}
}

func TestGuardProblems(t *testing.T) {
	_, err := loadGuard(t, `    guard:
      cache_ttl: 5m
      stale_ttl: 1m
      retries: 9
      breaker_failures: -1
      breaker_open: -5s
      max_concurrent: -2
      budget_share: 1.5
      cache_tll: 1m
`)
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want *Problems, got %v", err)
	}
	want := []struct{ path, text string }{
		{"sources[0].guard.stale_ttl", "shorter than cache_ttl"},
		{"sources[0].guard.retries", "not between 0 and 5"},
		{"sources[0].guard.breaker_failures", "at least 1"},
		{"sources[0].guard.breaker_open", "must be positive"},
		{"sources[0].guard.max_concurrent", "at least 1"},
		{"sources[0].guard.budget_share", "not a share"},
		{"sources[0].guard.cache_tll", `did you mean "cache_ttl"?`},
	}
	for _, w := range want {
		found := false
		for _, p := range ps.List {
			if p.Path == w.path && strings.Contains(p.String(), w.text) {
				found = true
				if p.Line == 0 || p.Hint == "" {
					t.Errorf("%s: line %d, hint %q; want both", w.path, p.Line, p.Hint)
				}
			}
		}
		if !found {
			t.Errorf("missing problem %s: %s\nall:\n%v", w.path, w.text, err)
		}
	}
	if _, err := loadGuard(t, "    guard:\n      cache_ttl: -1s\n      stale_ttl: 1m\n"); err == nil ||
		!strings.Contains(err.Error(), "cache_ttl: must not be negative") {
		t.Errorf("negative cache_ttl: %v", err)
	}
	if _, err := loadGuard(t, "    guard:\n      budget_share: -0.5\n"); err == nil ||
		!strings.Contains(err.Error(), "budget_share") {
		t.Errorf("negative budget_share: %v", err)
	}
}
