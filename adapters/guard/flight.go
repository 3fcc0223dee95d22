package guard

import (
	"context"
	"errors"
	"strconv"

	"github.com/atrium-dev/atrium/adapters"
)

// A flight is one upstream operation shared by every caller that asks for the
// same thing while it runs.
//
// Its context is detached from the caller that started it (values kept, for
// the logs), so that this caller going away does not fail the others. It ends
// when the last caller waiting for it has gone, so it never outlives the
// longest-living caller and no call runs that nobody wants; DefaultTimeout
// bounds it when no caller has a deadline, and Close ends it.
type flight struct {
	id      string // the singleflight key: unique, so an abandoned flight is never joined
	ctx     context.Context
	cancel  context.CancelFunc
	waiters int // guarded by Guarded.mu
}

// coalesce runs call once for all concurrent callers with the same key, and
// returns its result, or the caller's context error if the caller goes first.
func coalesce[T any](g *Guarded, ctx context.Context, key string, call func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return zero, errClosed
	}
	f := g.flights[key]
	if f == nil {
		f = g.newFlight(ctx)
		g.flights[key] = f
	}
	f.waiters++
	// Joined under g.mu, while f is current: f's call has not returned yet, so
	// DoChan joins it rather than starting another.
	ch := g.group.DoChan(f.id, func() (any, error) {
		defer g.land(key, f)
		return call(f.ctx)
	})
	g.mu.Unlock()

	select {
	case r := <-ch:
		g.leave(key, f)
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(T), nil
	case <-ctx.Done():
		g.leave(key, f)
		return zero, ctx.Err()
	}
}

// newFlight is called with g.mu held.
func (g *Guarded) newFlight(ctx context.Context) *flight {
	g.generation++
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.timeout)
	stop := context.AfterFunc(g.closing, cancel)
	g.wg.Add(1) // done by land, which every flight's call runs
	return &flight{
		id:     strconv.FormatUint(g.generation, 10),
		ctx:    fctx,
		cancel: func() { stop(); cancel() },
	}
}

// leave records that a caller of f has its answer or has gone; the last one
// to go ends the call, which nobody waits for any more.
func (g *Guarded) leave(key string, f *flight) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f.waiters--
	if f.waiters > 0 {
		return
	}
	f.cancel()
	if g.flights[key] == f {
		delete(g.flights, key) // later callers start afresh
	}
}

// land runs when f's call returns.
func (g *Guarded) land(key string, f *flight) {
	g.mu.Lock()
	if g.flights[key] == f {
		delete(g.flights, key)
	}
	g.mu.Unlock()
	f.cancel()
	g.wg.Done()
}

// refresh fetches req again in the background, unless a refresh of it is
// already running. It is detached from the request that found the facet stale,
// which is answered at once, and bounded by DefaultTimeout and Close.
func (g *Guarded) refresh(ctx context.Context, req adapters.FetchRequest, k Key) {
	g.mu.Lock()
	if g.closed || g.refreshing[k] {
		g.mu.Unlock()
		return
	}
	g.refreshing[k] = true
	g.wg.Add(1)
	g.mu.Unlock()

	// Close ends the refresh through its flight.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.timeout)
	go func() {
		defer g.wg.Done()
		defer func() {
			cancel()
			g.mu.Lock()
			delete(g.refreshing, k)
			g.mu.Unlock()
		}()
		// A refresh that finished since the caller read the cache leaves a
		// fresh facet, which load serves without calling the system.
		if _, err := g.load(rctx, req); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, errClosed) {
			attrs := []any{"source", g.name, "id", req.ID, "facet", req.Facet, "err", err}
			if raw := adapters.RawBody(err); raw != "" {
				attrs = append(attrs, "raw_body", raw)
			}
			g.log.WarnContext(rctx, "guard: background refresh failed; serving the stale facet", attrs...)
		}
	}()
}
