package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/internal/testenv"
	"github.com/atrium-dev/atrium/store"
)

// Two instances of `atrium serve` share one PostgreSQL store and a Redis
// bus: a logout on one is refused by the other at once, although it
// remembers sessions for a minute.
func TestServeOnPostgresAndRedis(t *testing.T) {
	pg := testenv.StartPostgres(t)
	rd := testenv.StartRedis(t)
	dsn := createDatabase(t, pg, "atrium_serve")
	t.Setenv("ATRIUM_TEST_STORE_DSN", dsn)

	type instance struct{ base string }
	var instances []instance
	var secret string
	for i := range 2 {
		dir := t.TempDir()
		port := testenv.FreePort(t)
		cfg := replaceStore(t, exampleConfig(t, dir), "store:\n  driver: postgres\n  dsn_env: ATRIUM_TEST_STORE_DSN\n  max_conns: 4\n",
			"bus:\n  redis_url: "+rd.URL+"\n")
		b, _ := os.ReadFile(cfg)
		doc := strings.Replace(string(b), "addr: 127.0.0.1:8080", fmt.Sprintf("addr: 127.0.0.1:%d", port), 1)
		doc = strings.Replace(doc, "  session_ttl: 12h\n", "  session_ttl: 12h\n  session_recheck: 1m\n", 1)
		writeFile(t, cfg, doc)
		s, _ := os.ReadFile(filepath.Join(dir, "session-secret"))
		secret = strings.TrimSpace(string(s)) // the same in every instance's folder

		ctx, cancel := context.WithCancel(context.Background())
		var stderr syncBuffer
		done := make(chan int, 1)
		go func() { done <- run(ctx, []string{"serve", "--config", cfg}, &syncBuffer{}, &stderr) }()
		t.Cleanup(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Errorf("instance %d did not stop", i)
			}
		})
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		awaitHTTP(t, done, &stderr, base+"/healthz")
		if strings.Contains(stderr.String(), "ATRIUM_TEST") || strings.Contains(stderr.String(), dsn) {
			t.Errorf("instance %d logged the DSN:\n%s", i, stderr.String())
		}
		instances = append(instances, instance{base})
	}

	// A signed-in session, stored and signed as the sign-in callback does.
	ctx := context.Background()
	st, err := store.Open(ctx, config.Store{Driver: config.DriverPostgres, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	if err := st.CreateSession(ctx, "session-1", store.Session{Subject: "alice", Email: "alice@example.com", CSRFToken: "csrf-1",
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	codec := securecookie.New([]byte(secret), nil)
	cookie, err := codec.Encode(auth.SessionCookie, map[any]any{"sid": "session-1"})
	if err != nil {
		t.Fatal(err)
	}

	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	do := func(method, url string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, url, nil)
		req.Host = "atrium.example.com"
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: cookie})
		req.Header.Set("X-CSRF-Token", "csrf-1")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i, in := range instances {
		if resp := do(http.MethodGet, in.base+"/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("instance %d: GET / = %d, want 200 for a signed-in user", i, resp.StatusCode)
		}
	}
	if resp := do(http.MethodPost, instances[0].base+"/auth/logout"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout = %d, want 303", resp.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		resp := do(http.MethodGet, instances[1].base+"/")
		if resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/auth/login") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other instance still answers %d 10s after the logout (it remembers sessions for 1m)", resp.StatusCode)
		}
		<-tick.C
	}
}

// awaitHTTP waits until url answers 200, failing if run returns first.
func awaitHTTP(t *testing.T, done <-chan int, stderr *syncBuffer, url string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d\n%s", code, stderr.String())
		case <-deadline:
			t.Fatalf("%s did not answer within 30s\n%s", url, stderr.String())
		case <-tick.C:
		}
	}
}
