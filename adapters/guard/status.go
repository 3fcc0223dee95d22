package guard

import "time"

// Status is the state of a guarded source, for the admin console.
type Status struct {
	Source  string
	Breaker BreakerState
	// RetryAt is when an open breaker lets a probe through; zero otherwise.
	RetryAt time.Time
	// OverBudget is set while the API budget holds calls back.
	OverBudget        bool
	APIUsed, APILimit int
	// CacheEntries is the number of cached facets; -1 when the cache cannot
	// tell.
	CacheEntries int
	// InFlight counts the calls to the system running now.
	InFlight int
	// Refreshing counts the background refreshes running now.
	Refreshing int
}

// Status reports the source's state.
func (g *Guarded) Status() Status {
	s := Status{Source: g.name, Breaker: g.breakerState(), InFlight: int(g.inFlight.Load())}
	if s.Breaker == BreakerOpen {
		s.RetryAt = g.unavailable().Until
	}
	if g.usage != nil {
		s.APIUsed, s.APILimit, _ = g.usage.Usage()
		s.OverBudget = g.overBudget()
	}
	switch c := g.cache.(type) {
	case nil:
	case interface{ Len() int }:
		s.CacheEntries = c.Len()
	default:
		s.CacheEntries = -1
	}
	g.mu.Lock()
	s.Refreshing = len(g.refreshing)
	g.mu.Unlock()
	return s
}
