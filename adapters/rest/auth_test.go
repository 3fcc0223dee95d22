package rest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

// recordServer answers every request with an empty search result and
// records the requests' headers.
type recordServer struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
	paths   []string // escaped path and query of each request
}

func startRecordServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *recordServer {
	t.Helper()
	rs := &recordServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		rs.headers = append(rs.headers, r.Header.Clone())
		rs.paths = append(rs.paths, r.URL.RequestURI())
		rs.mu.Unlock()
		if answer != nil {
			answer(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"results": []}`)
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *recordServer) requests() ([]http.Header, []string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]http.Header(nil), rs.headers...), append([]string(nil), rs.paths...)
}

// searchOnly is a settings block with the given auth and search path; its
// facets are never fetched.
func searchOnly(base, auth, path string) string {
	return fmt.Sprintf(`settings:
  base_url: %s
%s  search:
    path: %s
    items: .results
    id: .id
    name: .name
  facets:
    - name: account
      header: true
      path: /accounts/{id}
      fields: {name: .name}
`, base, auth, path)
}

func TestAuthHeaders(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("file-key-42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		auth   string
		header string
		want   string
	}{
		{"bearer", "  auth: {type: bearer, token: tok-1}\n", "Authorization", "Bearer tok-1"},
		{"basic", "  auth: {type: basic, username: ann, password: 'p:w'}\n", "Authorization",
			"Basic " + base64.StdEncoding.EncodeToString([]byte("ann:p:w"))},
		{"api_key from a file", "  auth: {type: api_key, header: x-api-key, key_file: " + keyFile + "}\n", "X-Api-Key", "file-key-42"},
		{"static headers too", "  auth: {type: bearer, token: tok-2}\n  headers: {X-Desk-Version: '2024-01'}\n", "X-Desk-Version", "2024-01"},
		{"none", "", "Authorization", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := startRecordServer(t, nil)
			a := newAdapter(t, searchOnly(rs.URL, tt.auth, "/search?q={q}"), nil, nil)
			if _, err := a.Search(t.Context(), adapters.Query{Text: "acme"}); err != nil {
				t.Fatal(err)
			}
			headers, _ := rs.requests()
			if len(headers) != 1 {
				t.Fatalf("%d requests, want 1", len(headers))
			}
			if got := headers[0].Get(tt.header); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

// tokenEndpoint is an OAuth 2.0 token endpoint for the client credentials grant.
type tokenEndpoint struct {
	*httptest.Server
	issued atomic.Int32
}

func startTokenEndpoint(t *testing.T, clientID, secret string) *tokenEndpoint {
	t.Helper()
	te := &tokenEndpoint{}
	te.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, sec, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || !ok {
			id, sec = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("grant_type") != "client_credentials" || id != clientID || sec != secret {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": "invalid_client", "error_description": "unknown client"}`)
			return
		}
		n := te.issued.Add(1)
		fmt.Fprintf(w, `{"access_token": "access-%d", "token_type": "Bearer", "expires_in": 3600, "scope": %q}`, n, r.PostForm.Get("scope"))
	}))
	t.Cleanup(te.Close)
	return te
}

func TestAuthOAuth2ClientCredentials(t *testing.T) {
	te := startTokenEndpoint(t, "atrium", "client-s3cret")
	rejectFirst := atomic.Bool{}
	rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") == "Bearer access-1" && rejectFirst.Load() {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": "token revoked"}`)
			return
		}
		fmt.Fprint(w, `{"results": []}`)
	})
	auth := fmt.Sprintf("  auth: {type: oauth2, token_url: %s/token, client_id: atrium, client_secret: client-s3cret, scopes: [read, tickets]}\n", te.URL)
	a := newAdapter(t, searchOnly(rs.URL, auth, "/search?q={q}"), nil, nil)

	for range 2 {
		if _, err := a.Search(t.Context(), adapters.Query{Text: "acme"}); err != nil {
			t.Fatal(err)
		}
	}
	headers, _ := rs.requests()
	for i, h := range headers {
		if got := h.Get("Authorization"); got != "Bearer access-1" {
			t.Errorf("request %d: Authorization = %q, want the endpoint's token", i, got)
		}
	}
	if n := te.issued.Load(); n != 1 {
		t.Errorf("%d tokens issued for 2 calls, want 1 (kept until it expires)", n)
	}

	// A token the system rejects is renewed once.
	rejectFirst.Store(true)
	if _, err := a.Search(t.Context(), adapters.Query{Text: "acme"}); err != nil {
		t.Fatalf("search after the token was revoked: %v", err)
	}
	headers, _ = rs.requests()
	if got := headers[len(headers)-1].Get("Authorization"); got != "Bearer access-2" {
		t.Errorf("after a 401: Authorization = %q, want a new token", got)
	}
}

func TestAuthOAuth2Refused(t *testing.T) {
	te := startTokenEndpoint(t, "atrium", "right-secret")
	rs := startRecordServer(t, nil)
	auth := fmt.Sprintf("  auth: {type: oauth2, token_url: %s/token, client_id: atrium, client_secret: wrong-s3cret}\n", te.URL)
	a := newAdapter(t, searchOnly(rs.URL, auth, "/search?q={q}"), nil, nil)
	_, err := a.Search(t.Context(), adapters.Query{Text: "acme"})
	if !errors.Is(err, adapters.ErrAuth) || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("search with a wrong secret: %v; want ErrAuth naming invalid_client", err)
	}
	if strings.Contains(err.Error(), "wrong-s3cret") {
		t.Errorf("error quotes the client secret: %v", err)
	}
	if headers, _ := rs.requests(); len(headers) != 0 {
		t.Errorf("the system got %d requests without a token", len(headers))
	}
}

func TestAuthOAuth2CancelledWhileWaiting(t *testing.T) {
	release, arrived := make(chan struct{}), make(chan struct{}, 1)
	te := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); te.Close() })
	rs := startRecordServer(t, nil)
	auth := fmt.Sprintf("  auth: {type: oauth2, token_url: %s/token, client_id: atrium, client_secret: s}\n", te.URL)
	a := newAdapter(t, searchOnly(rs.URL, auth, "/search?q={q}"), nil, nil)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := a.Search(ctx, adapters.Query{Text: "acme"})
		done <- err
	}()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("search cancelled while the token endpoint stalls: %v; want context.Canceled", err)
	}
}
