package customer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// Cause is what happened to a system's part of a page, as a kind: the page
// words each kind in one place, so that a panel, the timeline and a search say
// the same of the same failure.
type Cause int

const (
	// CauseNone: no failure of a system; the Problem's Message and Hint say
	// what it is (a record not linked, a conflict between records).
	CauseNone Cause = iota
	// CauseFailed: the call failed in a way no other cause names.
	CauseFailed
	// CauseBug: the adapter itself failed (it panicked); the log has it.
	CauseBug
	// CauseEmpty: the system answered, with nothing in it.
	CauseEmpty
	// CauseTimeout: the system did not answer within the source's Timeout.
	CauseTimeout
	// CauseCancelled: the page's request ended before the system answered.
	CauseCancelled
	// CauseUnreachable: no connection to the system could be made (refused,
	// no route, no such host).
	CauseUnreachable
	// CauseUnavailable: the system failed on its side (5xx, a connection
	// dropped without an answer).
	CauseUnavailable
	// CauseBreakerOpen: the system failed repeatedly and is not called before
	// RetryAt.
	CauseBreakerOpen
	// CauseOverBudget: the system's API allocation is spent.
	CauseOverBudget
	// CauseForbidden: the integration user may not read this.
	CauseForbidden
	// CauseNotFound: the record does not exist (any more) in the system.
	CauseNotFound
	// CauseAuthFailed: Atrium could not sign in to the system.
	CauseAuthFailed
	// CauseBadConfig: the system rejected the request as malformed, which
	// the connection's configuration (or a bug) causes.
	CauseBadConfig
	// CauseBadAnswer: the answer did not have the documented shape.
	CauseBadAnswer
	// CauseLate: the system had not answered when the page's budget ran out.
	CauseLate
)

var causeNames = [...]string{
	CauseNone: "none", CauseFailed: "failed", CauseBug: "bug", CauseEmpty: "empty", CauseTimeout: "timeout",
	CauseCancelled: "cancelled", CauseUnreachable: "unreachable", CauseUnavailable: "unavailable",
	CauseBreakerOpen: "breaker open", CauseOverBudget: "over budget", CauseForbidden: "forbidden",
	CauseNotFound: "not found", CauseAuthFailed: "sign-in failed", CauseBadConfig: "bad configuration",
	CauseBadAnswer: "unreadable answer", CauseLate: "late",
}

func (c Cause) String() string {
	if c >= 0 && int(c) < len(causeNames) {
		return causeNames[c]
	}
	return fmt.Sprintf("Cause(%d)", int(c))
}

// Problem is why a panel holds no data. A failure of a system has a Cause,
// which the page words; a state that is no failure has CauseNone and its own
// Message and Hint.
type Problem struct {
	Cause Cause
	// Source is the title of the system the problem is about.
	Source string
	// Timeout is how long the system was waited for (CauseTimeout).
	Timeout time.Duration
	// RetryAt is when Atrium will call the system again (CauseBreakerOpen:
	// its circuit breaker is open until then).
	RetryAt time.Time
	// Retry says whether trying again may help.
	Retry bool
	// Message says what happened and Hint what the user can do, when Cause
	// is CauseNone.
	Message string
	Hint    string
}

// retryAter is an error that knows when its system will be tried again.
type retryAter interface{ RetryAt() time.Time }

// failure is the problem of a system that failed with cause.
func failure(cause Cause, src Source) *Problem {
	p := &Problem{Cause: cause, Source: src.Title}
	switch cause {
	case CauseOverBudget, CauseForbidden, CauseNotFound, CauseAuthFailed, CauseBadConfig:
		// Answers another try would only repeat.
	default:
		p.Retry = true
	}
	if cause == CauseTimeout {
		p.Timeout = src.Timeout
	}
	return p
}

// problemOf says what an adapter error means for the user, by its class; the
// details stay in the log. ctx is the call's, whose deadline may be what ended
// it.
func problemOf(ctx context.Context, src Source, err error) *Problem {
	var ra retryAter
	if errors.As(err, &ra) && !ra.RetryAt().IsZero() {
		p := failure(CauseBreakerOpen, src)
		p.RetryAt = ra.RetryAt()
		return p
	}
	return failure(causeOf(ctx, err), src)
}

// causeOf classifies an adapter error.
func causeOf(ctx context.Context, err error) Cause {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return CauseTimeout
	case errors.Is(err, context.Canceled):
		return CauseCancelled
	case errors.Is(err, adapters.ErrNotFound):
		return CauseNotFound
	case errors.Is(err, adapters.ErrLimitExceeded):
		return CauseOverBudget
	case errors.Is(err, adapters.ErrForbidden):
		return CauseForbidden
	case errors.Is(err, adapters.ErrAuth):
		return CauseAuthFailed
	case errors.Is(err, adapters.ErrBadRequest):
		return CauseBadConfig
	case errors.Is(err, adapters.ErrBadResponse):
		return CauseBadAnswer
	case unreachable(err):
		return CauseUnreachable
	case errors.Is(err, adapters.ErrUnavailable):
		return CauseUnavailable
	}
	return CauseFailed
}

// unreachable reports whether err says that no connection could be made: the
// system never heard the call, as opposed to failing on it.
func unreachable(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.As(err, &dnsErr) ||
		errors.As(err, &opErr) && opErr.Op == "dial"
}
