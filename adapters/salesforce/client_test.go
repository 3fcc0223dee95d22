package salesforce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

func query(t *testing.T, c *Client) error {
	t.Helper()
	_, err := c.Query(context.Background(), "SELECT Id FROM Account", QueryOptions{})
	return err
}

func TestReauthenticatesOnceOn401(t *testing.T) {
	o := newFakeOrg(t, okQuery)
	c := o.client(t)
	if err := query(t, c); err != nil {
		t.Fatal(err)
	}
	o.expire()
	if err := query(t, c); err != nil {
		t.Fatalf("query after the session expired: %v", err)
	}
	if tok, data := o.tokenRequests.Load(), o.dataRequests.Load(); tok != 2 || data != 3 {
		t.Errorf("%d token and %d data requests, want 2 and 3", tok, data)
	}
	if err := query(t, c); err != nil {
		t.Fatal(err)
	}
	if tok := o.tokenRequests.Load(); tok != 2 {
		t.Errorf("the new token was not kept: %d token requests", tok)
	}
}

func TestSecond401Fails(t *testing.T) {
	o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
	})
	err := query(t, o.client(t))
	assertClass(t, err, adapters.ErrAuth)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "INVALID_SESSION_ID" {
		t.Errorf("error %v does not carry the 401", err)
	}
	if tok, data := o.tokenRequests.Load(), o.dataRequests.Load(); tok != 2 || data != 2 {
		t.Errorf("%d token and %d data requests, want 2 and 2: one re-authentication, one retry", tok, data)
	}
}

func TestConcurrent401sShareOneTokenRequest(t *testing.T) {
	const callers = 50
	o := newFakeOrg(t, okQuery)
	var rejected atomic.Int32
	all := make(chan struct{})
	// Hold every 401 until all callers have been rejected: they then find their
	// session stale at the same moment.
	o.onReject = func(r *http.Request) {
		if rejected.Add(1) == callers {
			close(all)
		}
		select {
		case <-all:
		case <-r.Context().Done():
		}
	}
	c := o.client(t)
	if err := query(t, c); err != nil {
		t.Fatal(err)
	}
	o.expire()
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() { errs <- query(t, c) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := rejected.Load(); n != callers {
		t.Errorf("%d requests rejected, want %d", n, callers)
	}
	if tok, data := o.tokenRequests.Load(), o.dataRequests.Load(); tok != 2 || data != 1+2*callers {
		t.Errorf("%d token and %d data requests, want 2 and %d", tok, data, 1+2*callers)
	}
}

func TestNoRetryOnRejection(t *testing.T) {
	tests := []struct {
		status int
		body   string
	}{
		{400, `[{"message":"unexpected token","errorCode":"MALFORMED_QUERY"}]`},
		{403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`},
		{403, `[{"message":"no","errorCode":"INSUFFICIENT_ACCESS"}]`},
		{404, `[{"message":"gone","errorCode":"NOT_FOUND"}]`},
		{503, htmlPage}, // retrying with backoff is the guard's job
	}
	for _, tt := range tests {
		o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, tt.body) })
		if err := query(t, o.client(t)); err == nil {
			t.Errorf("%d: no error", tt.status)
		}
		if tok, data := o.tokenRequests.Load(), o.dataRequests.Load(); tok != 1 || data != 1 {
			t.Errorf("%d: %d token and %d data requests, want 1 and 1", tt.status, tok, data)
		}
	}
}

// blockingOrg answers no data request until the request's context ends, and
// says when one arrived.
func blockingOrg(t *testing.T) (*fakeOrg, chan struct{}) {
	arrived := make(chan struct{}, 1)
	o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	})
	return o, arrived
}

func TestCallerCancellation(t *testing.T) {
	o, arrived := blockingOrg(t)
	c := o.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := c.Query(ctx, "SELECT Id FROM Account", QueryOptions{})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, adapters.ErrUnavailable) {
		t.Errorf("error %v, want context.Canceled and ErrUnavailable", err)
	}
}

func TestTimeoutBoundsEachCall(t *testing.T) {
	o, _ := blockingOrg(t)
	c := o.client(t)
	c.timeout = 100 * time.Millisecond
	start := time.Now()
	err := query(t, c)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, adapters.ErrUnavailable) {
		t.Errorf("error %v, want context.DeadlineExceeded and ErrUnavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the call took %v", d)
	}
}

func TestCallerDeadlineShorterThanTimeout(t *testing.T) {
	o, _ := blockingOrg(t)
	c := o.client(t)
	c.timeout = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Query(ctx, "SELECT Id FROM Account", QueryOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want context.DeadlineExceeded", err)
	}
}

// deadlineRecorder records the deadline of every request it sends.
type deadlineRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	left []time.Duration // time left until the deadline; -1 without one
}

func (d *deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	left := time.Duration(-1)
	if dl, ok := r.Context().Deadline(); ok {
		left = time.Until(dl)
	}
	d.mu.Lock()
	d.left = append(d.left, left)
	d.mu.Unlock()
	return d.next.RoundTrip(r)
}

func TestEveryCallHasADeadline(t *testing.T) {
	o := newFakeOrg(t, okQuery)
	c := o.client(t)
	rec := &deadlineRecorder{next: o.srv.Client().Transport}
	c.http = &http.Client{Transport: rec}
	c.timeout = time.Minute
	if err := query(t, c); err != nil { // background context: no deadline of its own
		t.Fatal(err)
	}
	if len(rec.left) != 2 {
		t.Fatalf("%d requests, want a token and a data request", len(rec.left))
	}
	for i, left := range rec.left {
		if left < 0 || left > time.Minute {
			t.Errorf("request %d: %v left until its deadline, want at most a minute", i, left)
		}
	}
}

func TestUsageFromLimitInfo(t *testing.T) {
	o := newFakeOrg(t, okQuery)
	c := o.client(t)
	now := time.Date(2026, 1, 31, 17, 5, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	if used, limit, seen := c.Usage(); used != 0 || limit != 0 || !seen.IsZero() {
		t.Errorf("Usage() before any call = %d, %d, %v", used, limit, seen)
	}
	if err := query(t, c); err != nil {
		t.Fatal(err)
	}
	if used, limit, seen := c.Usage(); used != 10018 || limit != 100000 || !seen.Equal(now) {
		t.Errorf("Usage() = %d, %d, %v; want 10018, 100000, %v", used, limit, seen, now)
	}
}

func TestUsageFromErrorAnswers(t *testing.T) {
	o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`)
	})
	o.limitInfo = "api-usage=100003/100000"
	c := o.client(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			query(t, c)
			c.Usage()
		})
	}
	wg.Wait()
	if used, limit, _ := c.Usage(); used != 100003 || limit != 100000 {
		t.Errorf("Usage() = %d, %d; want 100003, 100000", used, limit)
	}
}

func TestAnswerSizeIsBounded(t *testing.T) {
	big := `"Description":"` + strings.Repeat("x", 4096) + `"`
	o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, page(1, "", rec("Account", "001A0000006Vm9rIAC", big)))
	})
	c := o.client(t)
	c.maxBody = 1024
	err := query(t, c)
	assertClass(t, err, adapters.ErrBadResponse)
	if err != nil && !strings.Contains(err.Error(), "larger than 1024 bytes") {
		t.Errorf("error %q does not say the answer was too large", err)
	}
}

func TestNewClientRejects(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no URL":       {Credentials: ClientCredentials{ClientID: "id", ClientSecret: "s"}},
		"relative URL": {LoginURL: "login.salesforce.com", Credentials: ClientCredentials{}},
		"no creds":     {LoginURL: DefaultLoginURL},
		"no key":       {LoginURL: DefaultLoginURL, Credentials: JWTBearer{ClientID: "id", Username: "u"}},
		"bad version":  {LoginURL: DefaultLoginURL, Credentials: ClientCredentials{}, APIVersion: "v62"},
	} {
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
