package config

import (
	"fmt"
	"time"
)

// Guard configures the resilience around one source's adapter: its cache,
// retries, circuit breaker, concurrency limit and API budget. Absent keys take
// the defaults below.
type Guard struct {
	// CacheTTL is how long a fetched facet is fresh. It is a pointer because
	// 0s means something (no cache) that an absent key must not.
	CacheTTL *Duration `yaml:"cache_ttl"`
	// StaleTTL is the age up to which a facet past CacheTTL is still shown,
	// marked as refreshing, while it is fetched again in the background.
	// Equal to CacheTTL, nothing stale is shown.
	StaleTTL Duration `yaml:"stale_ttl"`
	// Retries is the number of extra attempts of a read that failed on the
	// system's side. A pointer, since 0 (no retries) differs from absent.
	Retries *int `yaml:"retries"`
	// BreakerFailures is the number of consecutive failures that open the
	// circuit breaker: calls then fail at once instead of waiting on a system
	// that is down.
	BreakerFailures int `yaml:"breaker_failures"`
	// BreakerOpen is how long the breaker stays open before one probe call.
	BreakerOpen Duration `yaml:"breaker_open"`
	// MaxConcurrent bounds the calls in flight to the system.
	MaxConcurrent int `yaml:"max_concurrent"`
	// BudgetShare is the share of the system's API allocation above which
	// cached data is served, however old, and refreshes wait.
	BudgetShare float64 `yaml:"budget_share"`
}

// Defaults of a source's guard.
const (
	DefaultCacheTTL        = 60 * time.Second
	DefaultStaleTTL        = 10 * time.Minute
	DefaultRetries         = 2
	DefaultBreakerFailures = 5
	DefaultBreakerOpen     = 30 * time.Second
	DefaultMaxConcurrent   = 16
	DefaultBudgetShare     = 0.9
)

// maxRetries bounds retries: each one is another call to a system that is
// already failing, from every user at once.
const maxRetries = 5

func (g *Guard) applyDefaults() {
	if g.CacheTTL == nil {
		d := Duration(DefaultCacheTTL)
		g.CacheTTL = &d
	}
	if g.StaleTTL == 0 {
		g.StaleTTL = Duration(max(DefaultStaleTTL, g.CacheTTL.D()))
	}
	if g.Retries == nil {
		n := DefaultRetries
		g.Retries = &n
	}
	if g.BreakerFailures == 0 {
		g.BreakerFailures = DefaultBreakerFailures
	}
	if g.BreakerOpen == 0 {
		g.BreakerOpen = Duration(DefaultBreakerOpen)
	}
	if g.MaxConcurrent == 0 {
		g.MaxConcurrent = DefaultMaxConcurrent
	}
	if g.BudgetShare == 0 {
		g.BudgetShare = DefaultBudgetShare
	}
}

// validateGuard checks a source's guard block, after defaults; p is its path,
// e.g. "sources[0].guard".
func (v *validator) validateGuard(g *Guard, p string) {
	cache := g.CacheTTL.D()
	if cache < 0 {
		v.at(p+".cache_ttl", p+".cache_ttl", "must not be negative", "use a duration such as 60s, or 0s to turn the cache off")
	}
	if g.StaleTTL.D() < cache {
		v.at(p+".stale_ttl", p+".stale_ttl", fmt.Sprintf("%s is shorter than cache_ttl (%s)", g.StaleTTL.D(), cache),
			fmt.Sprintf("set stale_ttl to at least cache_ttl (%s); equal to it, nothing stale is shown", cache))
	}
	if n := *g.Retries; n < 0 || n > maxRetries {
		v.at(p+".retries", p+".retries", fmt.Sprintf("%d is not between 0 and %d", n, maxRetries),
			"each retry is another call to a system that is already failing; 2 is usual")
	}
	if g.BreakerFailures < 1 {
		v.at(p+".breaker_failures", p+".breaker_failures", "must be at least 1", "use a small count such as 5")
	}
	if g.BreakerOpen.D() <= 0 {
		v.at(p+".breaker_open", p+".breaker_open", "must be positive", "use a duration such as 30s")
	}
	if g.MaxConcurrent < 1 {
		v.at(p+".max_concurrent", p+".max_concurrent", "must be at least 1", "use the number of calls the system may take at once, e.g. 16")
	}
	if s := g.BudgetShare; s <= 0 || s > 1 {
		v.at(p+".budget_share", p+".budget_share", fmt.Sprintf("%g is not a share between 0 (excluded) and 1", s),
			"write the share of the API allocation as a fraction, e.g. 0.9 for 90%")
	}
}
