package guard

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/atrium-dev/atrium/adapters"
)

// UnavailableError is the answer of a source whose circuit breaker is open: the
// system failed repeatedly, and the guard does not call it before Until. It
// matches adapters.ErrUnavailable.
type UnavailableError struct {
	Source string
	// Until is when the breaker lets a probe call through.
	Until time.Time
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s: %v after repeated failures; next attempt at %s",
		e.Source, adapters.ErrUnavailable, e.Until.Format(time.TimeOnly))
}

// Is makes errors.Is(err, adapters.ErrUnavailable) hold.
func (e *UnavailableError) Is(target error) bool { return target == adapters.ErrUnavailable }

// RetryAt returns when the source will be tried again, for a page that says
// "Salesforce is unavailable, retrying at 14:05".
func (e *UnavailableError) RetryAt() time.Time { return e.Until }

// BreakerState is the state of a source's circuit breaker.
type BreakerState int

const (
	// BreakerClosed: calls go through.
	BreakerClosed BreakerState = iota
	// BreakerHalfOpen: one probe call goes through; its outcome closes or
	// reopens the breaker.
	BreakerHalfOpen
	// BreakerOpen: calls fail at once.
	BreakerOpen
)

func (s BreakerState) String() string {
	switch s {
	case BreakerHalfOpen:
		return "half-open"
	case BreakerOpen:
		return "open"
	}
	return "closed"
}

func newBreaker(g *Guarded) *gobreaker.CircuitBreaker[any] {
	failures := uint32(g.p.BreakerFailures)
	return gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:    g.name,
		Timeout: g.p.BreakerOpen,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= failures
		},
		// A call that its callers abandoned says nothing about the system.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		// A record not found, a refusal or a malformed request are answers of a
		// working system: only a system that does not answer opens the breaker.
		IsSuccessful:  func(err error) bool { return !unhealthy(err) },
		OnStateChange: g.breakerChanged,
	})
}

// breakerChanged runs under the breaker's lock: it must not call the breaker.
func (g *Guarded) breakerChanged(_ string, from, to gobreaker.State) {
	switch to {
	case gobreaker.StateOpen:
		now := g.now()
		g.openedAt.Store(&now)
		g.log.Warn("guard: circuit breaker opened; failing calls at once",
			"source", g.name, "from", from.String(), "until", now.Add(g.p.BreakerOpen))
	case gobreaker.StateClosed:
		g.log.Info("guard: circuit breaker closed; the system answers again", "source", g.name)
	}
}

func (g *Guarded) breakerState() BreakerState {
	switch g.breaker.State() {
	case gobreaker.StateOpen:
		return BreakerOpen
	case gobreaker.StateHalfOpen:
		return BreakerHalfOpen
	}
	return BreakerClosed
}

// unavailable is the error of a call the breaker refused.
func (g *Guarded) unavailable() *UnavailableError {
	until := g.now()
	if at := g.openedAt.Load(); at != nil {
		// Past the open period a probe is under way: its outcome is due now.
		until = later(until, at.Add(g.p.BreakerOpen))
	}
	return &UnavailableError{Source: g.name, Until: until}
}

// neverRetried are answers that another attempt would only repeat.
var neverRetried = []error{
	adapters.ErrBadRequest, adapters.ErrForbidden, adapters.ErrLimitExceeded,
	adapters.ErrAuth, adapters.ErrNotFound, adapters.ErrBadResponse,
	context.Canceled,
}

// unhealthy reports whether err says the system is down or too slow, rather
// than that it answered no: only such failures are retried and open the breaker.
func unhealthy(err error) bool {
	if err == nil {
		return false
	}
	for _, never := range neverRetried {
		if errors.Is(err, never) {
			return false
		}
	}
	return errors.Is(err, adapters.ErrUnavailable) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
