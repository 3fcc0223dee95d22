package rest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// hostileToken is the credential of the hostile tests: no error or log line
// may quote it.
const hostileToken = "hostile-s3cret-token"

// headerSettings is a settings block with a bearer token whose header facet
// reads /accounts/{id}.
func headerSettings(base string) string {
	return fmt.Sprintf(`settings:
  base_url: %s
  auth: {type: bearer, token: %s}
  facets:
    - name: account
      header: true
      path: /accounts/{id}
      fields: {name: .name}
`, base, hostileToken)
}

func fetchAccount(ctx context.Context, a adapters.Adapter) (*adapters.Facet, error) {
	return a.Fetch(ctx, adapters.FetchRequest{ID: "42", Facet: "account"})
}

func TestHostileAnswers(t *testing.T) {
	const tenMB = 10 << 20
	bigJSON := func(w http.ResponseWriter, withLength bool) {
		w.Header().Set("Content-Type", "application/json")
		if withLength {
			w.Header().Set("Content-Length", strconv.Itoa(tenMB))
		}
		chunk := []byte(`"` + strings.Repeat("x", 64<<10-2) + `"`)
		w.Write([]byte("["))
		for written := 1; written < tenMB; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the adapter stopped reading
			}
		}
	}
	tests := []struct {
		name    string
		answer  http.HandlerFunc
		class   error
		message string
		raw     string // in RawBody, never in Error
	}{
		{"wrong content type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>Please sign in</body></html>")
		}, adapters.ErrBadResponse, "answered text/html, not JSON", "Please sign in"},
		{"invalid JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"name": "Acme", "secret-ish": `)
		}, adapters.ErrBadResponse, "answered invalid JSON", `"secret-ish"`},
		{"two JSON values", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"name": "Acme"} {"name": "Evil"}`)
		}, adapters.ErrBadResponse, "answered invalid JSON", ""},
		{"10 MB body", func(w http.ResponseWriter, r *http.Request) { bigJSON(w, false) },
			adapters.ErrBadResponse, "answer larger than 5 MiB", ""},
		{"10 MB body, announced", func(w http.ResponseWriter, r *http.Request) { bigJSON(w, true) },
			adapters.ErrBadResponse, "answer larger than 5 MiB", ""},
		{"endless body", func(w http.ResponseWriter, r *http.Request) {
			// Only a bounded read ends this before the test's deadline.
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, adapters.ErrBadResponse, "answer larger than 5 MiB", ""},
		{"401", status(http.StatusUnauthorized, `{"error": "Couldn't authenticate you"}`), adapters.ErrAuth, "HTTP 401: credentials rejected", "authenticate"},
		{"403", status(http.StatusForbidden, `{}`), adapters.ErrForbidden, "HTTP 403: access denied", ""},
		{"404 on fetch", status(http.StatusNotFound, `{"error": "RecordNotFound"}`), adapters.ErrNotFound, "HTTP 404: record not found", "RecordNotFound"},
		{"400", status(http.StatusBadRequest, `{}`), adapters.ErrBadRequest, "HTTP 400: rejected the request", ""},
		{"500 with an HTML page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<h1>Bad gateway</h1>")
		}, adapters.ErrUnavailable, "HTTP 502: failed on its side", "Bad gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.answer)
			t.Cleanup(srv.Close)
			logs := &logBuffer{}
			a := newAdapter(t, headerSettings(srv.URL), nil, logs)
			f, err := fetchAccount(t.Context(), a)
			if !errors.Is(err, tt.class) {
				t.Fatalf("fetch = %+v, %v; want an error matching %v", f, err, tt.class)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not say %q", err, tt.message)
			}
			if tt.raw != "" {
				if raw := adapters.RawBody(err); !strings.Contains(raw, tt.raw) {
					t.Errorf("RawBody = %q, want the answer holding %q", raw, tt.raw)
				}
				if strings.Contains(err.Error(), tt.raw) {
					t.Errorf("Error() quotes the raw answer: %q", err)
				}
			}
			if len(adapters.RawBody(err)) > adapters.MaxRawBody {
				t.Errorf("RawBody keeps %d bytes, want at most %d", len(adapters.RawBody(err)), adapters.MaxRawBody)
			}
			if strings.Contains(err.Error(), hostileToken) || strings.Contains(logs.String(), hostileToken) {
				t.Errorf("the token appears in the error or the log: %v\n%s", err, logs)
			}
		})
	}
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func TestHostileRateLimitSaysWhenToRetry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		status(http.StatusTooManyRequests, `{"error": "slow down"}`)(w, r)
	}))
	t.Cleanup(srv.Close)
	_, err := fetchAccount(t.Context(), newAdapter(t, headerSettings(srv.URL), nil, nil))
	var ra interface{ RetryAfter() time.Duration }
	if !errors.Is(err, adapters.ErrUnavailable) || !errors.As(err, &ra) || ra.RetryAfter() != 7*time.Second {
		t.Fatalf("fetch: %v; want ErrUnavailable with RetryAfter 7s", err)
	}
}

// A max_body below MaxRawBody still keeps at most max_body of the answer for
// the logs.
func TestHostileBodyOverSmallMaxBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name": %q}`, strings.Repeat("x", 4<<10))
	}))
	t.Cleanup(srv.Close)
	doc := strings.Replace(headerSettings(srv.URL), "  facets:", "  max_body: 1KiB\n  facets:", 1)
	_, err := fetchAccount(t.Context(), newAdapter(t, doc, nil, nil))
	if !errors.Is(err, adapters.ErrBadResponse) || !strings.Contains(err.Error(), "answer larger than 1 KiB") {
		t.Fatalf("fetch of a 4 KiB answer with max_body 1KiB: %v; want ErrBadResponse saying it is larger than 1 KiB", err)
	}
	if raw := adapters.RawBody(err); len(raw) > 1<<10+1 || !strings.HasPrefix(raw, `{"name": "xxx`) {
		t.Errorf("RawBody = %d bytes starting %.20q; want the start of the answer, at most max_body+1 bytes", len(raw), raw)
	}
}

func TestHostileSlowBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"name": "Ac`)
		w.(http.Flusher).Flush()
		select { // stall until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	a := newAdapter(t, headerSettings(srv.URL), nil, nil)

	const deadline = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	start := time.Now()
	_, err := fetchAccount(ctx, a)
	took := time.Since(start)
	if !errors.Is(err, adapters.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("fetch of a stalling body: %v; want ErrUnavailable and context.DeadlineExceeded", err)
	}
	if took > deadline+2*time.Second {
		t.Errorf("fetch took %s with a deadline of %s", took, deadline)
	}
}

func TestHostileRedirect(t *testing.T) {
	var other atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"name": "Evil"}`)
	}))
	t.Cleanup(evil.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/accounts/42":
			http.Redirect(w, r, evil.URL+"/collect", http.StatusFound)
		case "/accounts/7":
			http.Redirect(w, r, "/v2/accounts/7", http.StatusMovedPermanently)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"name": "Moved %s"}`, r.Header.Get("Authorization")[:6])
		}
	}))
	t.Cleanup(srv.Close)
	a := newAdapter(t, headerSettings(srv.URL), nil, nil)

	_, err := fetchAccount(t.Context(), a)
	if !errors.Is(err, adapters.ErrBadResponse) || !strings.Contains(err.Error(), "redirected to another host") {
		t.Errorf("fetch redirected to another host: %v; want ErrBadResponse naming the redirect", err)
	}
	if n := other.Load(); n != 0 {
		t.Errorf("the other host got %d requests, want none", n)
	}

	// A redirect on the same host is followed, with the credentials.
	f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: "7", Facet: "account"})
	if err != nil || f.Fields["name"].Text != "Moved Bearer" {
		t.Errorf("fetch redirected on the same host = %+v, %v; want the record", f, err)
	}
}
