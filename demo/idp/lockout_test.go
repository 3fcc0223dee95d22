package idp

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// After five wrong passwords in a row an account is locked for a minute:
// even the right password is refused, with a page saying so, until the
// minute is over.
func TestWrongPasswordsLockTheAccountForAMinute(t *testing.T) {
	clock := &testClock{now: time.Now()}
	e := newTestEnvWith(t, "", mountRoot, func(o *Options) { o.Now = clock.Now })
	browser := newBrowser(t)
	a := e.begin(t, browser)

	for i := 1; i < lockAfter; i++ {
		resp, body := submit(t, browser, a.loginPage, "alice", "wrong")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Wrong username or password") {
			t.Fatalf("wrong password %d: %d\n%s", i, resp.StatusCode, body)
		}
	}
	resp, body := submit(t, browser, a.loginPage, "ALICE", "wrong")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "locked for a minute") ||
		!strings.Contains(body, "Try again in 60 seconds") || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("fifth wrong password: %d Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	clock.add(45 * time.Second)
	resp, body = submit(t, browser, a.loginPage, "alice", "demo-alice")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Try again in 15 seconds") || len(e.callbacks) != 0 {
		t.Fatalf("right password while locked: %d, %d callbacks\n%s", resp.StatusCode, len(e.callbacks), body)
	}
	// Another account is not locked with it.
	ob := newBrowser(t)
	other := e.begin(t, ob)
	if resp, _ := submit(t, ob, other.loginPage, "bob", "demo-bob"); resp.StatusCode != http.StatusOK || len(e.callbacks) != 1 {
		t.Fatalf("another account: %d, %d callbacks", resp.StatusCode, len(e.callbacks))
	}
	e.callback(t)

	clock.add(15 * time.Second)
	resp, body = submit(t, browser, a.loginPage, "alice", "demo-alice")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), e.rpURL+"/callback?") {
		t.Fatalf("after the minute: %d at %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	e.callback(t)
}

// A wrong password now and then never locks an account: a sign-in starts
// the count again.
func TestASignInResetsTheWrongPasswordCount(t *testing.T) {
	clock := &testClock{now: time.Now()}
	e := newTestEnvWith(t, "", mountRoot, func(o *Options) { o.Now = clock.Now })
	for range 3 {
		browser := newBrowser(t)
		a := e.begin(t, browser)
		for i := 1; i < lockAfter; i++ {
			if resp, _ := submit(t, browser, a.loginPage, "carol", "wrong"); resp.StatusCode != http.StatusOK {
				t.Fatalf("wrong password %d: %d", i, resp.StatusCode)
			}
		}
		if resp, _ := submit(t, browser, a.loginPage, "carol", "demo-carol"); !strings.HasPrefix(resp.Request.URL.String(), e.rpURL+"/callback?") {
			t.Fatalf("sign-in after %d wrong passwords: %d at %s", lockAfter-1, resp.StatusCode, resp.Request.URL)
		}
		e.callback(t)
	}
}
