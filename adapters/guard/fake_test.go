package guard

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/atrium-dev/atrium/adapters"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is an adapter that counts calls per key ("id/facet", "search:text",
// "check"), answers them with scripted errors, and can hold them until
// released or their context ends.
type fake struct {
	now func() time.Time

	mu          sync.Mutex
	calls       map[string]int
	errs        map[string][]error // popped one per call; nil answers normally
	gate        chan struct{}      // when set, calls wait for it to close
	onCall      func(key string)   // runs when a call starts
	inFlight    int
	maxInFlight int
	ctxErrs     []error // the call's context error when it returned
}

func newFake(now func() time.Time) *fake {
	return &fake{now: now, calls: map[string]int{}, errs: map[string][]error{}}
}

func (f *fake) script(key string, errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs[key] = append(f.errs[key], errs...)
}

// hold makes calls wait until the returned function is called.
func (f *fake) hold() (release func()) {
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()
	return sync.OnceFunc(func() {
		f.mu.Lock()
		f.gate = nil
		f.mu.Unlock()
		close(gate)
	})
}

func (f *fake) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[key]
}

func (f *fake) peak() (now, peak int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight, f.maxInFlight
}

func (f *fake) contextErrors() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]error(nil), f.ctxErrs...)
}

// call runs one scripted call and returns its number for key.
func (f *fake) call(ctx context.Context, key string) (int, error) {
	f.mu.Lock()
	f.calls[key]++
	n := f.calls[key]
	var err error
	if q := f.errs[key]; len(q) > 0 {
		err, f.errs[key] = q[0], q[1:]
	}
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	gate, onCall := f.gate, f.onCall
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.ctxErrs = append(f.ctxErrs, ctx.Err())
		f.mu.Unlock()
	}()
	if onCall != nil {
		onCall(key)
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return n, fmt.Errorf("%w: %w", adapters.ErrUnavailable, ctx.Err())
		}
	}
	return n, err
}

func (f *fake) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "account", Title: "Account", Header: true}}
}

func (f *fake) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	n, err := f.call(ctx, req.ID+"/"+req.Facet)
	if err != nil {
		return nil, err
	}
	return &adapters.Facet{
		Source:    "crm",
		Name:      req.Facet,
		FetchedAt: f.now(),
		Fields:    map[string]adapters.Value{"version": adapters.Text(strconv.Itoa(n))},
	}, nil
}

func (f *fake) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	n, err := f.call(ctx, "search:"+q.Text)
	if err != nil {
		return nil, err
	}
	return []adapters.Match{{Source: "crm", ID: "001", Name: q.Text + " " + strconv.Itoa(n)}}, nil
}

func (f *fake) Check(ctx context.Context) adapters.Health {
	if _, err := f.call(ctx, "check"); err != nil {
		return adapters.Health{Message: err.Error(), CheckedAt: f.now()}
	}
	return adapters.Health{OK: true, Message: "ok", CheckedAt: f.now()}
}

// statusError is an HTTP answer of a given failure class.
type statusError struct {
	status int
	class  error
	after  time.Duration // a Retry-After hint, if any
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.status, http.StatusText(e.status))
}

func (e *statusError) Unwrap() error             { return e.class }
func (e *statusError) RetryAfter() time.Duration { return e.after }

var (
	err503 = &statusError{status: 503, class: adapters.ErrUnavailable}
	err404 = &statusError{status: 404, class: adapters.ErrNotFound}
)

// clock is a fake clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 14, 14, 2, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// usage is a scriptable adapters.UsageReporter whose reading is always current.
type usage struct {
	now         func() time.Time
	mu          sync.Mutex
	used, limit int
}

func (u *usage) set(used, limit int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.used, u.limit = used, limit
}

func (u *usage) Usage() (int, int, time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.used, u.limit, u.now()
}

// logBuffer collects log output from concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testPolicy is the default policy with backoff waits short enough to read.
func testPolicy() Policy {
	p := DefaultPolicy()
	p.RetryBase = 100 * time.Millisecond
	p.RetryMax = 2 * time.Second
	return p
}

func fetch(t *testing.T, g *Guarded, id string) (*adapters.Facet, error) {
	t.Helper()
	return g.Fetch(context.Background(), adapters.FetchRequest{ID: id, Facet: "account"})
}

func mustFetch(t *testing.T, g *Guarded, id string) *adapters.Facet {
	t.Helper()
	f, err := fetch(t, g, id)
	if err != nil {
		t.Fatalf("fetch %s: %v", id, err)
	}
	if f == nil {
		t.Fatalf("fetch %s: no facet", id)
	}
	return f
}

func version(f *adapters.Facet) string { return f.Fields["version"].Text }
