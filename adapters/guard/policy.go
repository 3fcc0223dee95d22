package guard

import (
	"time"

	"github.com/atrium-dev/atrium/config"
)

// Policy says how a source is guarded. Start from DefaultPolicy: in a Policy, a
// zero CacheTTL, StaleTTL or Retries means none (no cache, nothing stale, no
// retries); the other fields take their defaults when zero.
type Policy struct {
	// CacheTTL is how long a fetched facet is served without asking the
	// system; 0 turns the cache off.
	CacheTTL time.Duration
	// StaleTTL is the age up to which a facet past CacheTTL is served, marked
	// stale, while one background refresh fetches it again. Up to CacheTTL,
	// nothing stale is served.
	StaleTTL time.Duration
	// Retries is the number of extra attempts of an idempotent read that failed
	// in a way that may pass (the system unavailable or slow).
	Retries int
	// RetryBase and RetryMax shape the exponential backoff between attempts:
	// the n-th wait is drawn uniformly from [0, min(RetryMax, RetryBase·2ⁿ)]
	// ("full jitter"), so that callers that failed together do not retry
	// together.
	RetryBase, RetryMax time.Duration
	// BreakerFailures is the number of consecutive failures of the system that
	// open the circuit breaker.
	BreakerFailures int
	// BreakerOpen is how long the breaker stays open, failing calls at once,
	// before it lets one probe call through.
	BreakerOpen time.Duration
	// MaxConcurrent bounds the calls in flight to the system (a bulkhead), so
	// that a slow system holds at most that many of Atrium's goroutines and
	// connections.
	MaxConcurrent int
	// BudgetShare is the share of the system's API allocation above which the
	// guard serves any cached facet, however old, and calls the system only
	// for what it has nothing cached of.
	BudgetShare float64
}

// Defaults of the retry backoff; the others come from config, which documents
// them for operators.
const (
	DefaultRetryBase = 100 * time.Millisecond
	DefaultRetryMax  = 2 * time.Second
)

// DefaultPolicy returns the policy of a source whose configuration says nothing.
func DefaultPolicy() Policy {
	return Policy{
		CacheTTL:        config.DefaultCacheTTL,
		StaleTTL:        config.DefaultStaleTTL,
		Retries:         config.DefaultRetries,
		RetryBase:       DefaultRetryBase,
		RetryMax:        DefaultRetryMax,
		BreakerFailures: config.DefaultBreakerFailures,
		BreakerOpen:     config.DefaultBreakerOpen,
		MaxConcurrent:   config.DefaultMaxConcurrent,
		BudgetShare:     config.DefaultBudgetShare,
	}
}

// PolicyFrom turns a source's guard configuration into a Policy. Keys the
// configuration leaves out keep their defaults, whether or not the loader has
// applied them.
func PolicyFrom(c config.Guard) Policy {
	p := DefaultPolicy()
	if c.CacheTTL != nil {
		p.CacheTTL = c.CacheTTL.D()
	}
	p.StaleTTL = max(p.StaleTTL, p.CacheTTL)
	if c.StaleTTL != 0 {
		p.StaleTTL = c.StaleTTL.D()
	}
	if c.Retries != nil {
		p.Retries = *c.Retries
	}
	if c.BreakerFailures != 0 {
		p.BreakerFailures = c.BreakerFailures
	}
	if c.BreakerOpen != 0 {
		p.BreakerOpen = c.BreakerOpen.D()
	}
	if c.MaxConcurrent != 0 {
		p.MaxConcurrent = c.MaxConcurrent
	}
	if c.BudgetShare != 0 {
		p.BudgetShare = c.BudgetShare
	}
	return p
}

// normalized fills the fields whose zero value means nothing with their
// defaults, and clamps the others into range.
func (p Policy) normalized() Policy {
	d := DefaultPolicy()
	p.CacheTTL = max(p.CacheTTL, 0)
	p.StaleTTL = max(p.StaleTTL, p.CacheTTL)
	p.Retries = max(p.Retries, 0)
	if p.RetryBase <= 0 {
		p.RetryBase = d.RetryBase
	}
	if p.RetryMax <= 0 {
		p.RetryMax = d.RetryMax
	}
	p.RetryMax = max(p.RetryMax, p.RetryBase)
	if p.BreakerFailures <= 0 {
		p.BreakerFailures = d.BreakerFailures
	}
	if p.BreakerOpen <= 0 {
		p.BreakerOpen = d.BreakerOpen
	}
	if p.MaxConcurrent <= 0 {
		p.MaxConcurrent = d.MaxConcurrent
	}
	if p.BudgetShare <= 0 || p.BudgetShare > 1 {
		p.BudgetShare = d.BudgetShare
	}
	return p
}
