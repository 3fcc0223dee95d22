package auth

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/maypok86/otter/v2"
	"golang.org/x/time/rate"
)

// Defaults of the limits on signing in.
const (
	DefaultSignInRate        = 10 // sign-in starts and callbacks a minute, per client address
	DefaultSignInBurst       = 20
	DefaultPendingPerClient  = 50 // sign-ins in progress per client address
	DefaultPendingPerBrowser = 5  // sign-ins in progress per browser (its tabs)
)

// TooManySignInsError refuses a sign-in from a client address that has
// started too many lately, or has too many in progress.
type TooManySignInsError struct {
	// RetryAfter is how long until the address may try again.
	RetryAfter time.Duration
}

func (e *TooManySignInsError) Error() string {
	return fmt.Sprintf("auth: too many sign-ins from this address: retry in %v", e.RetryAfter)
}

// signInLimiters holds a token bucket per client address for sign-in
// starts and callbacks. The map is bounded: beyond maxBuckets addresses the
// least used are forgotten (a forgotten address starts with a full bucket
// again, which an idle one has anyway). There is no expiry, which would
// need a goroutine of the cache's own, and a Manager has no Close.
type signInLimiters struct {
	limit   rate.Limit
	burst   int
	now     func() time.Time
	buckets *otter.Cache[string, *rate.Limiter]
}

const maxBuckets = 20_000

func newSignInLimiters(perMinute, burst int, now func() time.Time) *signInLimiters {
	return &signInLimiters{limit: rate.Limit(float64(perMinute) / 60), burst: burst, now: now,
		buckets: otter.Must(&otter.Options[string, *rate.Limiter]{
			MaximumSize: maxBuckets,
			Executor:    func(fn func()) { fn() }, // no goroutine of its own
		})}
}

// allow takes a token of client's bucket, or says how long until one is
// there.
func (l *signInLimiters) allow(client string) error {
	b, ok := l.buckets.GetIfPresent(client)
	if !ok {
		b, _ = l.buckets.SetIfAbsent(client, rate.NewLimiter(l.limit, l.burst))
	}
	now := l.now()
	if b.AllowN(now, 1) {
		return nil
	}
	wait := time.Duration((1 - b.TokensAt(now)) / float64(l.limit) * float64(time.Second))
	return &TooManySignInsError{RetryAfter: max(wait, time.Second)}
}

// wait says how long until client's bucket has a token again, without
// taking one: 0 when it has one now.
func (l *signInLimiters) wait(client string) time.Duration {
	b, ok := l.buckets.GetIfPresent(client)
	if !ok {
		return 0
	}
	tokens := b.TokensAt(l.now())
	if tokens >= 1 {
		return 0
	}
	return max(time.Duration((1-tokens)/float64(l.limit)*float64(time.Second)), time.Second)
}

// clientKey is the address limits count by: an IPv4 address, or the /64 of
// an IPv6 one (one subscriber's network holds a whole /64).
func clientKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		if len(addr) > 64 {
			addr = addr[:64]
		}
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}
