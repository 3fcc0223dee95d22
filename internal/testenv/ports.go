package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// pollInterval is how often the harness re-checks a condition it waits for.
const pollInterval = 50 * time.Millisecond

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. Another
// process can still take it before the caller binds it, so a caller that starts
// a server on it should be ready to try again.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// WaitHTTP polls url with GET until it answers wantStatus, and returns nil
// then. It returns an error when ctx ends first; the error says what the last
// attempt saw. ctx should carry a deadline: WaitHTTP has none of its own.
func WaitHTTP(ctx context.Context, url string, wantStatus int) error {
	client := &http.Client{Timeout: 2 * time.Second}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var last error
	for {
		err := probe(ctx, client, url, wantStatus)
		if err == nil {
			return nil
		}
		// An attempt cut short by the deadline says less than the one before.
		if ctx.Err() == nil || last == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s to answer %d: %w (last attempt: %v)",
				url, wantStatus, context.Cause(ctx), last)
		case <-ticker.C:
		}
	}
}

func probe(ctx context.Context, client *http.Client, url string, wantStatus int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != wantStatus {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
