package stripe

import (
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/atrium-dev/atrium/adapters"
)

// exchange records the last answer of one adapter call. The SDK reports an
// answer it cannot read as JSON only as text; the exchange keeps its status,
// headers and the start of its body, so that the error says what came back.
type exchange struct {
	mu     sync.Mutex
	status int
	header http.Header
	body   []byte
}

// result returns what the last answer was; zero values before any, or for a
// nil exchange.
func (x *exchange) result() (status int, header http.Header, body []byte) {
	if x == nil {
		return 0, nil, nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status, x.header, x.body
}

func (x *exchange) start(resp *http.Response) {
	x.mu.Lock()
	x.status, x.header, x.body = resp.StatusCode, resp.Header, nil
	x.mu.Unlock()
}

func (x *exchange) keep(p []byte) {
	x.mu.Lock()
	if room := adapters.MaxRawBody + 1 - len(x.body); room > 0 {
		x.body = append(x.body, p[:min(room, len(p))]...)
	}
	x.mu.Unlock()
}

type exchangeKey struct{}

// withExchange returns a context whose requests record their answer in a new
// exchange.
func withExchange(ctx context.Context) (context.Context, *exchange) {
	x := &exchange{}
	return context.WithValue(ctx, exchangeKey{}, x), x
}

// recorder is the transport of the adapter's HTTP client: the source's own
// transport, recording each answer in the exchange of the request's context.
type recorder struct {
	next http.RoundTripper
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	x, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if err != nil || x == nil {
		return resp, err
	}
	x.start(resp)
	resp.Body = &teeBody{ReadCloser: resp.Body, x: x}
	return resp, nil
}

// teeBody hands the exchange the start of a body as the SDK reads it.
type teeBody struct {
	io.ReadCloser
	x *exchange
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.x.keep(p[:n])
	}
	return n, err
}

// httpClient returns a client like base (its transport, timeout, redirect
// policy and jar) whose answers are recorded.
func httpClient(base *http.Client) *http.Client {
	if base == nil {
		base = &http.Client{}
	}
	c := *base
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = recorder{next: next}
	return &c
}
