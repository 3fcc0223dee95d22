package auth

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":                  "192.0.2.7",
		"::ffff:192.0.2.7":           "192.0.2.7",
		"2001:db8:1:2:3:4:5:6":       "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":       "2001:db8:1:2::/64", // one subscriber's /64 counts once
		"fe80::1%eth0":               "fe80::/64",
		"not an address":             "not an address",
		fmt.Sprintf("%070d", 0)[:70]: fmt.Sprintf("%064d", 0),
	} {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSignInLimiterRefillsOnItsClock(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	l := newSignInLimiters(60, 2, func() time.Time { return now })
	for i := range 2 {
		if err := l.allow("192.0.2.1"); err != nil {
			t.Fatalf("attempt %d within the burst: %v", i+1, err)
		}
	}
	var tooMany *TooManySignInsError
	if err := l.allow("192.0.2.1"); !errors.As(err, &tooMany) || tooMany.RetryAfter != time.Second {
		t.Fatalf("beyond the burst: %v, want a retry in 1s", err)
	}
	if err := l.allow("192.0.2.2"); err != nil {
		t.Errorf("another address: %v", err)
	}
	now = now.Add(time.Second)
	if err := l.allow("192.0.2.1"); err != nil {
		t.Errorf("a second later: %v", err)
	}
}

// However many addresses sign in, the limiters kept stay bounded.
func TestSignInLimitersAreBounded(t *testing.T) {
	l := newSignInLimiters(10, 20, time.Now)
	for i := range 2 * maxBuckets {
		_ = l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	l.buckets.CleanUp()
	if n := l.buckets.EstimatedSize(); n > maxBuckets {
		t.Errorf("%d limiters kept, at most %d wanted", n, maxBuckets)
	}
}
