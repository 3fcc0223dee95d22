package testenv

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

const (
	stripeMockStartTimeout = 30 * time.Second
	// stripeMockStartAttempts covers another process taking one of the two
	// free ports before stripe-mock binds it.
	stripeMockStartAttempts = 3
)

// StripeMockKey is a test-mode key stripe-mock accepts; it accepts any key of
// that form and answers 401 without one.
const StripeMockKey = "sk_test_123"

// StripeMock is a running stripe-mock, Stripe's stateless API simulator: it
// validates requests against Stripe's OpenAPI spec and answers each with one
// fixture per resource, whatever the filters.
type StripeMock struct {
	URL      string // http://127.0.0.1:PORT
	HTTPSURL string // https://127.0.0.1:PORT, with a self-signed certificate
}

// StripeMockBinary returns the path of the stripe-mock binary: $ATRIUM_STRIPE_MOCK,
// or the path that scripts/install-test-deps.sh records in
// ~/.cache/atrium-tools/stripe-mock-path (or $ATRIUM_TOOLS_CACHE/stripe-mock-path).
func StripeMockBinary() (string, error) { return toolBinary("ATRIUM_STRIPE_MOCK", "stripe-mock") }

// StartStripeMock runs stripe-mock on two free loopback ports (HTTP and
// HTTPS: given only one, it opens the other on every interface), waits until
// it answers, and stops it when the test ends. Its log is printed if the test
// fails. A missing binary fails the test: tests never skip.
func StartStripeMock(t testing.TB) *StripeMock {
	t.Helper()
	bin, err := StripeMockBinary()
	if err != nil {
		t.Fatalf("testenv: no stripe-mock binary (%v): run scripts/install-test-deps.sh or set $ATRIUM_STRIPE_MOCK", err)
	}
	logPath := filepath.Join(t.TempDir(), "stripe-mock.log")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stripe-mock log (last 50 lines):\n%s", tail(logPath, 50))
		}
	})
	for attempt := 1; ; attempt++ {
		httpAddr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
		httpsAddr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
		err := runStripeMock(t, bin, logPath, httpAddr, httpsAddr)
		if err == nil {
			return &StripeMock{URL: "http://" + httpAddr, HTTPSURL: "https://" + httpsAddr}
		}
		if !errors.Is(err, errExited) || attempt == stripeMockStartAttempts {
			t.Fatalf("testenv: start stripe-mock: %v\n%s", err, tail(logPath, 40))
		}
		t.Logf("testenv: stripe-mock did not start on %s and %s (%v); trying other ports", httpAddr, httpsAddr, err)
	}
}

// runStripeMock starts stripe-mock and waits until it answers an
// unauthenticated request with 401. On success it runs until the test's
// cleanup kills it; on failure it is already stopped.
func runStripeMock(t testing.TB, bin, logPath, httpAddr, httpsAddr string) error {
	return runServer(t, "stripe-mock", bin, []string{"-http-addr", httpAddr, "-https-addr", httpsAddr}, logPath,
		"http://"+httpAddr+"/v1/customers", 401, stripeMockStartTimeout)
}
