package customer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// fakeAdapter answers from functions; Check always reports OK.
type fakeAdapter struct {
	fetch  func(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error)
	search func(ctx context.Context, q adapters.Query) ([]adapters.Match, error)
}

var _ adapters.Adapter = (*fakeAdapter)(nil)

// Facets of the fake adapter.
var fakeSpecs = []adapters.FacetSpec{
	{Name: "account", Title: "Account", Header: true},
	{Name: "contacts", Title: "Contacts"},
	{Name: "cases", Title: "Cases"},
}

func (a *fakeAdapter) Facets() []adapters.FacetSpec { return fakeSpecs }

func (a *fakeAdapter) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	return a.fetch(ctx, req)
}

func (a *fakeAdapter) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	if a.search == nil {
		return nil, nil
	}
	return a.search(ctx, q)
}

func (a *fakeAdapter) Check(context.Context) adapters.Health { return adapters.Health{OK: true} }

// facetOf is what a healthy fake returns.
func facetOf(req adapters.FetchRequest) *adapters.Facet {
	return &adapters.Facet{Source: "crm", Name: req.Facet, FetchedAt: time.Now(),
		Fields: map[string]adapters.Value{adapters.FieldName: adapters.Text("Acme")}}
}

// failing returns a fetch that fails facet with err and answers the others.
func failing(facet string, err error) func(context.Context, adapters.FetchRequest) (*adapters.Facet, error) {
	return func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		if req.Facet == facet {
			return nil, err
		}
		return facetOf(req), nil
	}
}

// newTestComposer returns a composer of the fake source "crm" ("Acme CRM") and
// the buffer its JSON logs go to.
func newTestComposer(a adapters.Adapter, timeout time.Duration) (*Composer, *bytes.Buffer) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	return NewComposer(Source{Name: "crm", Title: "Acme CRM", Timeout: timeout, Adapter: a}, logger), &logs
}

// page is a streamed customer page, read to its end.
type page struct {
	Header Panel
	Panels []Panel
}

// streamPage streams customer id's page, with a budget longer than any test
// source's timeout, and gathers every panel.
func streamPage(ctx context.Context, c *Composer, id string) (*page, error) {
	s, err := c.Stream(ctx, anyone, id, time.Minute)
	if err != nil {
		return nil, err
	}
	p := &page{Header: s.Header}
	for pn := range s.Panels {
		p.Panels = append(p.Panels, pn)
	}
	return p, nil
}

func panelOf(t *testing.T, p *page, facet string) Panel {
	t.Helper()
	if p.Header.Spec.Name == facet {
		return p.Header
	}
	for _, pn := range p.Panels {
		if pn.Spec.Name == facet {
			return pn
		}
	}
	t.Fatalf("page has no %s panel", facet)
	return Panel{}
}

func TestStreamConfinesAFailingPanel(t *testing.T) {
	tests := []struct {
		name      string
		failed    string // the facet that fails
		fetch     func(context.Context, adapters.FetchRequest) (*adapters.Facet, error)
		wantCause Cause
	}{
		{"unavailable", "contacts", failing("contacts", fmt.Errorf("crm: %w", adapters.ErrUnavailable)), CauseUnavailable},
		{"refused", "contacts", failing("contacts", fmt.Errorf("crm: %w: %w", adapters.ErrUnavailable, refused())), CauseUnreachable},
		{"no such host", "contacts", failing("contacts", fmt.Errorf("crm: %w: %w", adapters.ErrUnavailable,
			&net.DNSError{Err: "no such host", Name: "crm.invalid", IsNotFound: true})), CauseUnreachable},
		{"limit exceeded", "contacts", failing("contacts", adapters.ErrLimitExceeded), CauseOverBudget},
		{"forbidden", "contacts", failing("contacts", adapters.ErrForbidden), CauseForbidden},
		{"sign-in failed", "contacts", failing("contacts", adapters.ErrAuth), CauseAuthFailed},
		{"rejected", "contacts", failing("contacts", adapters.ErrBadRequest), CauseBadConfig},
		{"unreadable", "contacts", failing("contacts", adapters.ErrBadResponse), CauseBadAnswer},
		{"unclassified", "contacts", failing("contacts", errors.New("boom")), CauseFailed},
		{"not found outside the header", "contacts", failing("contacts", adapters.ErrNotFound), CauseNotFound},
		{"header unavailable", "account", failing("account", adapters.ErrUnavailable), CauseUnavailable},
		{"no facet and no error", "contacts", func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
			if req.Facet == "contacts" {
				return nil, nil
			}
			return facetOf(req), nil
		}, CauseEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestComposer(&fakeAdapter{fetch: tt.fetch}, 5*time.Second)
			p, err := streamPage(t.Context(), c, "42")
			if err != nil {
				t.Fatalf("Stream: %v; one failing panel must not fail the page", err)
			}
			for _, spec := range fakeSpecs {
				if pn := panelOf(t, p, spec.Name); spec.Name != tt.failed && (pn.State != StateOK || pn.Facet == nil) {
					t.Errorf("%s panel: state %v, problem %+v; want OK", spec.Name, pn.State, pn.Problem)
				}
			}
			failed := panelOf(t, p, tt.failed)
			if failed.State != StateError || failed.Problem == nil || failed.Problem.Cause != tt.wantCause || failed.Problem.Source != "Acme CRM" {
				t.Fatalf("%s panel: state %v, problem %+v; want cause %v of Acme CRM", tt.failed, failed.State, failed.Problem, tt.wantCause)
			}
			if failed.SourceTitle != "Acme CRM" {
				t.Errorf("%s panel SourceTitle = %q", tt.failed, failed.SourceTitle)
			}
		})
	}
}

func TestStreamEndsASlowPanelAtItsSourceTimeout(t *testing.T) {
	const timeout, margin = 100 * time.Millisecond, time.Second
	blocked := func(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		if req.Facet == "cases" {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return facetOf(req), nil
	}
	c, _ := newTestComposer(&fakeAdapter{fetch: blocked}, timeout)
	start := time.Now()
	p, err := streamPage(t.Context(), c, "42")
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if elapsed > timeout+margin {
		t.Errorf("the page ended after %s, want at most %s", elapsed, timeout+margin)
	}
	slow := panelOf(t, p, "cases")
	if slow.State != StateError || slow.Problem == nil || slow.Problem.Cause != CauseTimeout || slow.Problem.Timeout != timeout || !slow.Problem.Retry {
		t.Errorf("cases panel: state %v, problem %+v; want a retryable timeout after %v", slow.State, slow.Problem, timeout)
	}
	if pn := panelOf(t, p, "contacts"); pn.State != StateOK {
		t.Errorf("contacts panel: state %v, problem %+v; want OK", pn.State, pn.Problem)
	}
}

func TestStreamFetchesPanelsConcurrently(t *testing.T) {
	// Each fetch waits until every facet has been entered: fetched one after the
	// other, the first would wait until its timeout.
	var (
		mu      sync.Mutex
		entered int
		all     = make(chan struct{})
	)
	barrier := func(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		mu.Lock()
		entered++
		if entered == len(fakeSpecs) {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return facetOf(req), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c, _ := newTestComposer(&fakeAdapter{fetch: barrier}, 2*time.Second)
	p, err := streamPage(t.Context(), c, "42")
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	for _, spec := range fakeSpecs {
		if pn := panelOf(t, p, spec.Name); pn.State != StateOK {
			t.Errorf("%s panel: state %v, problem %+v; want OK: the panels were not fetched at the same time", spec.Name, pn.State, pn.Problem)
		}
	}
}

func TestSearch(t *testing.T) {
	matches := []adapters.Match{{Source: "crm", ID: "1", Name: "Acme"}, {Source: "crm", ID: "2", Name: "Acme Labs"}}
	tests := []struct {
		name        string
		err         error
		wantMatches int
		wantProblem Cause
	}{
		{"matches", nil, 2, CauseNone},
		{"unavailable", fmt.Errorf("crm: search: %w", adapters.ErrUnavailable), 0, CauseUnavailable},
		{"rejected", fmt.Errorf("crm: search: %w", adapters.ErrBadRequest), 0, CauseBadConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got adapters.Query
			search := func(_ context.Context, q adapters.Query) ([]adapters.Match, error) {
				got = q
				if tt.err != nil {
					return nil, tt.err
				}
				return matches, nil
			}
			c, _ := newTestComposer(&fakeAdapter{search: search}, 5*time.Second)
			res := c.Search(t.Context(), anyone, "acme", 7)
			// One more than shown, to know whether there are more.
			if got.Text != "acme" || got.Limit != 8 {
				t.Errorf("adapter asked for %+v, want text acme, limit 8", got)
			}
			if len(res.Hits) != tt.wantMatches || len(res.Searched) != 1 || res.Searched[0] != "Acme CRM" {
				t.Errorf("Search: %d hits from %v, want %d from Acme CRM", len(res.Hits), res.Searched, tt.wantMatches)
			}
			switch {
			case tt.wantProblem == CauseNone && res.Problem != nil:
				t.Errorf("Search: problem %+v, want none", res.Problem)
			case tt.wantProblem != CauseNone && (res.Problem == nil || res.Problem.Cause != tt.wantProblem || res.Problem.Source != "Acme CRM"):
				t.Errorf("Search: problem %+v, want cause %v of Acme CRM", res.Problem, tt.wantProblem)
			}
		})
	}
}

// shapeError is an answer of the wrong shape carrying its raw body, as
// adapters' errors do.
type shapeError struct{ body string }

func (e *shapeError) Error() string   { return "crm: answer is not the documented shape" }
func (e *shapeError) Unwrap() error   { return adapters.ErrBadResponse }
func (e *shapeError) RawBody() string { return e.body }

func TestRawBodyIsLoggedNeverShown(t *testing.T) {
	const secret = "card-4111-1111-1111-1111"
	body := `<html><body>Proxy login ` + secret + `</body>` + strings.Repeat("x", 3*adapters.MaxRawBody) + `</html>`
	err := fmt.Errorf("crm: fetch contacts of 42: %w", &shapeError{body: body})

	tests := []struct {
		name    string
		message string // of the log record
		run     func(t *testing.T, c *Composer) *Problem
	}{
		{"panel", "panel failed", func(t *testing.T, c *Composer) *Problem {
			p, err := streamPage(t.Context(), c, "42")
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			return panelOf(t, p, "contacts").Problem
		}},
		{"search", "search failed", func(t *testing.T, c *Composer) *Problem { return c.Search(t.Context(), anyone, "acme", 5).Problem }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &fakeAdapter{
				fetch:  failing("contacts", err),
				search: func(context.Context, adapters.Query) ([]adapters.Match, error) { return nil, err },
			}
			c, logs := newTestComposer(a, 5*time.Second)
			problem := tt.run(t, c)

			if problem == nil || problem.Cause != CauseBadAnswer || problem.Source != "Acme CRM" {
				t.Fatalf("problem %+v, want an unreadable answer of Acme CRM", problem)
			}
			if shown := fmt.Sprintf("%+v", *problem); strings.Contains(shown, secret) || strings.Contains(shown, "<html>") {
				t.Errorf("problem %+v carries the raw body", problem)
			}
			raw, ok := loggedAttr(t, logs, tt.message, "raw_body")
			if !ok {
				t.Fatalf("no %q log record with raw_body in:\n%s", tt.message, logs)
			}
			if !strings.HasPrefix(body, strings.TrimSuffix(raw, "…(truncated)")) || !strings.Contains(raw, secret) {
				t.Errorf("raw_body = %.80q…, want the start of the body", raw)
			}
			if len(raw) > adapters.MaxRawBody {
				t.Errorf("raw_body has %d bytes, want at most %d", len(raw), adapters.MaxRawBody)
			}
		})
	}
}

// loggedAttr returns a string attribute of the first JSON log record with the
// given message.
func loggedAttr(t *testing.T, logs *bytes.Buffer, message, key string) (string, bool) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(logs.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if rec["msg"] == message {
			v, ok := rec[key].(string)
			return v, ok
		}
	}
	return "", false
}

func TestAPanickingAdapterCostsOnlyItsPanel(t *testing.T) {
	fetch := func(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
		if req.Facet == "cases" {
			panic("adapter bug")
		}
		return facetOf(req), nil
	}
	c, logs := newTestComposer(&fakeAdapter{fetch: fetch}, time.Second)
	page, err := streamPage(context.Background(), c, "C1")
	if err != nil {
		t.Fatal(err)
	}
	if p := panelOf(t, page, "cases"); p.State != StateError || p.Problem == nil || p.Problem.Cause != CauseBug || p.Problem.Source != "Acme CRM" {
		t.Errorf("the panicking panel: %+v", p)
	}
	if p := panelOf(t, page, "contacts"); p.State != StateOK {
		t.Errorf("another panel failed too: %+v", p.Problem)
	}
	if !strings.Contains(logs.String(), "adapter panicked") {
		t.Error("the panic was not logged")
	}
}

// openBreaker is the error of a source whose circuit breaker is open.
type openBreaker struct{ until time.Time }

func (e openBreaker) Error() string        { return "circuit open" }
func (e openBreaker) RetryAt() time.Time   { return e.until }
func (e openBreaker) Is(target error) bool { return target == adapters.ErrUnavailable }

func TestOpenBreakerSaysWhenItRetries(t *testing.T) {
	until := time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC)
	c, _ := newTestComposer(&fakeAdapter{fetch: failing("cases", openBreaker{until})}, time.Second)
	page, err := streamPage(context.Background(), c, "C1")
	if err != nil {
		t.Fatal(err)
	}
	p := panelOf(t, page, "cases")
	if p.Problem == nil || p.Problem.Cause != CauseBreakerOpen || !p.Problem.RetryAt.Equal(until) || p.Problem.Source != "Acme CRM" {
		t.Fatalf("problem = %+v", p.Problem)
	}
}

// refused is the error of a connection nobody accepted, as net/http returns it.
func refused() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// anyone is a viewer of a composer without a policy, who may see everything.
var anyone = Viewer{Subject: "user-1", Roles: []string{"member"}}
