package salesforce

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// usage holds the last API usage Salesforce reported. The daily allocation is
// shared by every integration of the org, so the adapter publishes it for the
// admin view and for budget decisions.
type usage struct {
	mu          sync.Mutex
	used, limit int
	seen        time.Time
}

func (u *usage) observe(h http.Header, now time.Time) {
	used, limit, ok := ParseLimitInfo(h.Get("Sforce-Limit-Info"))
	if !ok {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.used, u.limit, u.seen = used, limit, now
}

func (u *usage) get() (used, limit int, seen time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.used, u.limit, u.seen
}

// ParseLimitInfo reads the api-usage entry of a Sforce-Limit-Info header, e.g.
// "api-usage=10018/100000". Other entries (per-app-api-usage=…) are skipped.
func ParseLimitInfo(h string) (used, limit int, ok bool) {
	for _, part := range strings.Split(h, ",") {
		v, found := strings.CutPrefix(strings.TrimSpace(part), "api-usage=")
		if !found {
			continue
		}
		u, l, found := strings.Cut(v, "/")
		if !found {
			return 0, 0, false
		}
		used, err1 := strconv.Atoi(strings.TrimSpace(u))
		limit, err2 := strconv.Atoi(strings.TrimSpace(l))
		if err1 != nil || err2 != nil || used < 0 || limit < 0 {
			return 0, 0, false
		}
		return used, limit, true
	}
	return 0, 0, false
}
