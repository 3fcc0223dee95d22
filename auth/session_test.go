package auth

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/atrium-dev/atrium/store"
)

// sessionBench is a Manager on a real store, with a clock the test moves.
type sessionBench struct {
	m   *Manager
	st  *store.SQLite
	now time.Time
}

func newSessionBench(t *testing.T, recheck time.Duration) *sessionBench {
	t.Helper()
	return benchOn(t, openStore(t), recheck, nil)
}

func openStore(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// benchOn returns a Manager on st, one instance of those sharing st (and
// the cookie signing key) and, when n is set, a bus.
func benchOn(t *testing.T, st *store.SQLite, recheck time.Duration, n Notifier) *sessionBench {
	t.Helper()
	b := &sessionBench{st: st, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	var err error
	b.m, err = NewManager(ManagerConfig{Store: st, HashKey: []byte("0123456789abcdef0123456789abcdef"),
		TTL: time.Hour, Recheck: recheck, Bus: n, Now: func() time.Time { return b.now },
		RP: NewRP(RPConfig{Issuer: "http://127.0.0.1:1"}), // never discovered: logout ends at the local page
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signIn stores a session lasting ttl and returns a request carrying its
// cookie, signed as FinishLogin signs it, after checking that the Manager
// accepts it (which, with Recheck, remembers it).
func (b *sessionBench) signIn(t *testing.T, id string, ttl time.Duration) *http.Request {
	t.Helper()
	err := b.st.CreateSession(context.Background(), id, store.Session{Subject: "alice", Email: "alice@example.com",
		Groups: []string{"sales"}, CSRFToken: "csrf-" + id, CreatedAt: b.now, ExpiresAt: b.now.Add(ttl)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := securecookie.EncodeMulti(SessionCookie, map[any]any{sessionIDKey: id}, b.m.cookies.Codecs...)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: v})
	if !b.signedIn(r) {
		t.Fatal("a stored session with a good cookie is not signed in")
	}
	return r
}

func (b *sessionBench) signedIn(r *http.Request) bool {
	s, ok := b.m.Current(r)
	return ok && s.Principal.Email == "alice@example.com"
}

// A session ended by another instance sharing the store (here: deleted from
// the store behind this Manager's back) is refused once Recheck has passed,
// and not before: the store is not read on every request.
func TestCurrentRechecksTheStoreAfterRecheck(t *testing.T) {
	b := newSessionBench(t, 5*time.Second)
	r := b.signIn(t, "s1", time.Hour)
	if err := b.st.DeleteSession(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	b.now = b.now.Add(4 * time.Second)
	if !b.signedIn(r) {
		t.Fatal("within Recheck the store was read again: the remembered session was not used")
	}
	b.now = b.now.Add(2 * time.Second)
	if b.signedIn(r) {
		t.Fatal("a session deleted from the store is still accepted after Recheck")
	}
}

// A logout on this instance ends the session at once.
func TestEndForgetsTheSessionAtOnce(t *testing.T) {
	b := newSessionBench(t, time.Minute)
	r := b.signIn(t, "s1", time.Hour)
	s, ok := b.m.Current(r)
	if !ok {
		t.Fatal("not signed in")
	}
	if err := b.m.end(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if b.signedIn(r) {
		t.Fatal("an ended session is still accepted")
	}
}

func TestRecheckZeroReadsTheStoreEveryTime(t *testing.T) {
	b := newSessionBench(t, 0)
	r := b.signIn(t, "s1", time.Hour)
	if err := b.st.DeleteSession(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	if b.signedIn(r) {
		t.Fatal("with Recheck 0, a deleted session is still accepted")
	}
}

// A remembered session still ends at its expiry, whatever Recheck says.
func TestRememberedSessionStillExpires(t *testing.T) {
	b := newSessionBench(t, time.Minute)
	r := b.signIn(t, "s1", 10*time.Second)
	b.now = b.now.Add(11 * time.Second)
	if b.signedIn(r) {
		t.Fatal("an expired session is accepted from memory")
	}
}

// Only a cookie that passed the full check is remembered: a changed cookie
// value is checked again, and refused.
func TestTamperedCookieIsNotRemembered(t *testing.T) {
	b := newSessionBench(t, time.Minute)
	r := b.signIn(t, "s1", time.Hour)
	c, _ := r.Cookie(SessionCookie)
	forged, _ := http.NewRequest(http.MethodGet, "/", nil)
	forged.AddCookie(&http.Cookie{Name: SessionCookie, Value: c.Value[:len(c.Value)-2] + "AA"})
	if _, ok := b.m.Current(forged); ok {
		t.Fatal("a tampered cookie is accepted")
	}
	if b.m.recent.EstimatedSize() != 1 {
		t.Fatalf("%d sessions remembered, want only the good cookie's", b.m.recent.EstimatedSize())
	}
}

// readHook is a store that runs a hook once while a session is being read:
// between the store's answer and the Manager's use of it.
type readHook struct {
	SessionStore
	during func()
}

func (h *readHook) Session(ctx context.Context, id string, now time.Time) (store.Session, error) {
	rec, err := h.SessionStore.Session(ctx, id, now)
	if f := h.during; f != nil {
		h.during = nil
		f()
	}
	return rec, err
}

// A logout that lands while another request of the same session reads the
// store is not undone when that read is remembered.
func TestEndDuringAReadIsNotUndone(t *testing.T) {
	b := newSessionBench(t, time.Minute)
	r := b.signIn(t, "s1", time.Hour)
	s, ok := b.m.Current(r)
	if !ok {
		t.Fatal("not signed in")
	}
	b.now = b.now.Add(2 * time.Minute) // past Recheck: the next request reads the store
	b.m.cfg.Store = &readHook{SessionStore: b.st, during: func() {
		if err := b.m.end(context.Background(), s); err != nil {
			t.Error(err)
		}
	}}
	b.m.Current(r) // read before the logout: either answer is right for it
	if b.signedIn(r) {
		t.Fatal("a session ended during a read of the store is accepted from memory")
	}
}
