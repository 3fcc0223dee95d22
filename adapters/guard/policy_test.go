package guard

import (
	"testing"
	"time"

	"github.com/atrium-dev/atrium/config"
)

func TestPolicyFromConfig(t *testing.T) {
	if got := PolicyFrom(config.Guard{}); got != DefaultPolicy() {
		t.Errorf("empty configuration gave %+v, want the defaults %+v", got, DefaultPolicy())
	}
	zero, none := config.Duration(0), 0
	long := config.Duration(30 * time.Minute)
	got := PolicyFrom(config.Guard{
		CacheTTL:        &zero,
		Retries:         &none,
		BreakerFailures: 7,
		BreakerOpen:     config.Duration(time.Minute),
		MaxConcurrent:   4,
		BudgetShare:     0.5,
	})
	want := DefaultPolicy()
	want.CacheTTL, want.Retries = 0, 0
	want.BreakerFailures, want.BreakerOpen, want.MaxConcurrent, want.BudgetShare = 7, time.Minute, 4, 0.5
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := PolicyFrom(config.Guard{CacheTTL: &long}); got.StaleTTL != 30*time.Minute {
		t.Errorf("stale TTL %v under a 30m cache TTL, want 30m", got.StaleTTL)
	}
}

func TestZeroPolicyFieldsTakeDefaults(t *testing.T) {
	got := Policy{}.normalized()
	want := Policy{
		RetryBase: DefaultRetryBase, RetryMax: DefaultRetryMax,
		BreakerFailures: config.DefaultBreakerFailures, BreakerOpen: config.DefaultBreakerOpen,
		MaxConcurrent: config.DefaultMaxConcurrent, BudgetShare: config.DefaultBudgetShare,
	}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
