package guard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RetryAfterer is implemented by an adapter error that knows when the system
// will take calls again, such as a 429 or 503 answer with a Retry-After header.
// When the guard retries such an error it waits RetryAfter (when positive)
// instead of its backoff; when that wait would outlast the caller's deadline it
// does not retry at all, since the caller would be gone by then.
type RetryAfterer interface {
	RetryAfter() time.Duration
}

// withRetries runs call once, then again for each of the policy's retries while
// it fails in a way that may pass and ctx is not done. The error returned is the
// last attempt's, with ctx's when waiting for the next one was cut short.
func withRetries[T any](g *Guarded, ctx context.Context, call func(context.Context) (T, error)) (T, error) {
	var zero T
	var last error
	op := func() (T, error) {
		if err := ctx.Err(); err != nil {
			return zero, backoff.Permanent(err)
		}
		v, err := attempt(g, ctx, call)
		last = err
		if err == nil {
			return v, nil
		}
		var refused *UnavailableError
		if errors.As(err, &refused) || !unhealthy(err) || ctx.Err() != nil {
			return zero, backoff.Permanent(err)
		}
		var hint RetryAfterer
		if errors.As(err, &hint) && hint.RetryAfter() > 0 {
			wait := hint.RetryAfter()
			if deadline, ok := ctx.Deadline(); ok && wait > time.Until(deadline) {
				return zero, backoff.Permanent(err)
			}
			return zero, errors.Join(err, &backoff.RetryAfterError{Duration: wait})
		}
		return zero, err
	}
	v, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(&fullJitter{base: g.p.RetryBase, max: g.p.RetryMax, rand: g.jitter}),
		backoff.WithMaxTries(uint(g.p.Retries)+1),
		backoff.WithMaxElapsedTime(0), // the callers' contexts bound the time
	)
	switch {
	case err == nil:
		return v, nil
	case last == nil:
		return zero, err
	case ctx.Err() != nil && !errors.Is(last, ctx.Err()):
		return zero, fmt.Errorf("%w (stopped retrying: %w)", last, ctx.Err())
	}
	return zero, last
}

// fullJitter is an exponential backoff with full jitter: the n-th wait is drawn
// uniformly from [0, min(max, base·2ⁿ)]. backoff.ExponentialBackOff spreads the
// wait only around its interval, which keeps callers that failed together
// close together.
type fullJitter struct {
	base, max time.Duration
	n         int
	rand      func(n int64) int64 // uniform in [0, n)
}

func (b *fullJitter) NextBackOff() time.Duration {
	ceil := b.base
	for i := 0; i < b.n && ceil < b.max; i++ {
		ceil *= 2
	}
	ceil = min(ceil, b.max)
	b.n++
	return time.Duration(b.rand(int64(ceil) + 1))
}

func (b *fullJitter) Reset() { b.n = 0 }
