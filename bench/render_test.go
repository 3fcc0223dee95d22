package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
)

// BenchmarkRenderCustomerPage reports the allocations of one warm-cache
// customer page (run with -benchmem); bench/run.sh compares them with the
// previous run's figures in docs/benchmarks.md.
//
//   - components renders the page's components from a fixed view model (the
//     demo customer's four facets, presented once), into a discarding writer.
//   - handler serves the whole request through the portal's handler chain
//     (request id, security headers, session read from SQLite, composer with
//     every facet in the guard's cache, presentation, streamed rendering),
//     its panels written from the fragments kept of them.
//   - handler_unkept is handler on a portal that keeps no fragments: every
//     panel presented and rendered again, as before they were kept.
func BenchmarkRenderCustomerPage(b *testing.B) {
	p := startPortal(b, 10*time.Minute)
	page := p.URL + "/customers/" + customerID
	warm := load(b, p, page)

	b.Run("components", func(b *testing.B) {
		m, err := fixedViewModel(b.Context(), p)
		if err != nil {
			b.Fatal(err)
		}
		ctx := templ.WithNonce(context.Background(), "bench-nonce")
		var w countingWriter
		if err := components.Customer(m).Render(ctx, &w); err != nil {
			b.Fatal(err)
		}
		size := w.n
		for b.Loop() {
			w.n = 0
			if err := components.Customer(m).Render(ctx, &w); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size), "page-bytes")
	})

	b.Run("handler", func(b *testing.B) { serveWarm(b, p, len(warm.Body)) })
	b.Run("handler_unkept", func(b *testing.B) {
		q := startPortal(b, 10*time.Minute, WithoutFragments())
		serveWarm(b, q, len(load(b, q, q.URL+"/customers/"+customerID).Body))
	})
}

// serveWarm serves p's warm customer page through its handler chain, size
// bytes as the client read it, once per iteration.
func serveWarm(b *testing.B, p *Portal, size int) {
	u, _ := url.Parse(p.URL)
	req := httptest.NewRequest(http.MethodGet, "/customers/"+customerID, nil)
	for _, c := range p.Client.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	w := &discardResponse{header: http.Header{}}
	for b.Loop() {
		clear(w.header)
		w.status, w.n = 0, 0
		p.Handler.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
	if w.n < int64(size)/2 {
		b.Fatalf("the handler wrote %d bytes; the page has about %d", w.n, size)
	}
	b.ReportMetric(float64(w.n), "page-bytes")
}

// fixedViewModel presents the demo customer's facets, as fetched through the
// portal's guarded source, as the streamed page presents them, with every time
// fixed, so that each run renders the same page.
func fixedViewModel(ctx context.Context, p *Portal) (components.CustomerPage, error) {
	now := DataDate().Add(time.Hour)
	var header customer.Panel
	var panels []customer.Panel
	for _, spec := range p.Source.Adapter.Facets() {
		f, err := p.Source.Adapter.Fetch(ctx, adapters.FetchRequest{ID: customerID, Facet: spec.Name})
		if err != nil {
			return components.CustomerPage{}, err
		}
		fixed := *f // cached facets are shared: change a copy
		fixed.FetchedAt = now.Add(-2 * time.Minute)
		panel := customer.Panel{Source: p.Source.Name, SourceTitle: p.Source.Title, Spec: spec, Facet: &fixed}
		if spec.Header {
			header = panel
			continue
		}
		panels = append(panels, panel)
	}
	m := present.CustomerStream(Arrived(customerID, header, panels), func() time.Time { return now }, nil, nil)
	// The stream is read once; the benchmark renders the page many times.
	m.Panels = slices.Values(slices.Collect(m.Panels))
	m.Layout = components.Layout{
		Title: m.Header.Name, Assets: components.Assets{Icon: "/static/i.svg", CSS: "/static/a.css", HTMX: "/static/h.js", App: "/static/a.js"},
		User:      &components.User{Name: "Alice Anderson", Email: "alice@example.com", Groups: []string{"sales"}},
		CSRFToken: strings.Repeat("c", 26), RequestID: strings.Repeat("r", 16),
	}
	return m, nil
}

// countingWriter discards what it is given and counts it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }

// discardResponse is a ResponseWriter that keeps nothing but the status and
// the size, so that only the portal's own allocations are counted.
type discardResponse struct {
	header http.Header
	status int
	n      int64
}

func (w *discardResponse) Header() http.Header { return w.header }
func (w *discardResponse) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}
func (w *discardResponse) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += int64(len(b))
	return len(b), nil
}
func (w *discardResponse) Flush() {}
