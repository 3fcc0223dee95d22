package auth

import (
	"context"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/bus"
	"github.com/atrium-dev/atrium/store"
)

// waitFor polls cond until it holds, failing the test after 5 s. The
// benches' clocks never move while it waits: only a message can make cond
// true.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("%s: not within 5s", what)
		case <-tick.C:
		}
	}
}

// twoInstances returns two Managers on one store, joined by an in-process
// bus, each remembering sessions for a minute; b follows what a announces.
func twoInstances(t *testing.T) (a, b *sessionBench) {
	t.Helper()
	st := openStore(t)
	local := bus.NewLocal()
	other := local.Join()
	t.Cleanup(func() { local.Close(); other.Close() })
	a = benchOn(t, st, time.Minute, local)
	b = benchOn(t, st, time.Minute, other)
	b.m.FollowEnded(t.Context())
	return a, b
}

// A logout on one instance is refused on another at once, not when its
// remembered copy is next checked against the store.
func TestLogoutIsRefusedAtOnceOnAnotherInstance(t *testing.T) {
	a, b := twoInstances(t)
	r := a.signIn(t, "s1", time.Hour)
	if !b.signedIn(r) {
		t.Fatal("the other instance does not accept the session")
	}
	a.m.Logout(httptest.NewRecorder(), r)
	if a.signedIn(r) {
		t.Fatal("the session is still accepted where it was logged out")
	}
	waitFor(t, "the other instance refusing the logged-out session", func() bool { return !b.signedIn(r) })
}

// fakeBus records what is published and delivers what the test sends.
type fakeBus struct {
	mu        sync.Mutex
	published []bus.Message
	deliver   chan bus.Message
}

func newFakeBus() *fakeBus { return &fakeBus{deliver: make(chan bus.Message, 1)} }

func (f *fakeBus) Publish(_ context.Context, m bus.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = append(f.published, m)
	return nil
}

func (f *fakeBus) Subscribe(kinds ...bus.Kind) (<-chan bus.Message, func()) {
	if !slices.Contains(kinds, bus.SessionEnded) {
		panic("the session manager subscribed without SessionEnded")
	}
	return f.deliver, func() {}
}

func (f *fakeBus) sent() []bus.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.published)
}

// When the bus may have lost messages, every remembered session is read
// from the store again.
func TestResyncDropsRememberedSessions(t *testing.T) {
	fb := newFakeBus()
	b := benchOn(t, openStore(t), time.Minute, fb)
	b.m.FollowEnded(t.Context())
	r := b.signIn(t, "s1", time.Hour)
	if err := b.st.DeleteSession(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	if !b.signedIn(r) {
		t.Fatal("the remembered session was not used")
	}
	fb.deliver <- bus.Message{Kind: bus.Resync}
	waitFor(t, "the session deleted behind the instance's back refused after a resync", func() bool { return !b.signedIn(r) })
}

// A session ended on another instance while this one reads it from the
// store is not brought back by that read.
func TestEndedElsewhereDuringAReadIsNotUndone(t *testing.T) {
	a, b := twoInstances(t)
	r := a.signIn(t, "s1", time.Hour)
	b.m.cfg.Store = &readHook{SessionStore: b.st, during: func() {
		// What a logout on a does, its message arriving here while this
		// read is under way.
		if err := b.st.DeleteSession(context.Background(), "s1"); err != nil {
			t.Error(err)
		}
		b.m.endedElsewhere(bus.EndedSession(store.Hash("s1")))
	}}
	b.m.Current(r) // read before the logout: either answer is right for it
	if b.signedIn(r) {
		t.Fatal("a session ended elsewhere during a read of the store is accepted from memory")
	}
}

// A logout announces the session by the hash of its id (the id is a bearer
// secret), and so does an instance that finds a remembered session gone
// from the store, in case the one that ended it could not tell.
func TestEndedSessionsAreAnnouncedByHash(t *testing.T) {
	fb := newFakeBus()
	b := benchOn(t, openStore(t), 5*time.Second, fb)
	r := b.signIn(t, "s1", time.Hour)
	b.m.Logout(httptest.NewRecorder(), r)
	if got := fb.sent(); len(got) != 1 || got[0] != bus.EndedSession(store.Hash("s1")) {
		t.Fatalf("logout published %+v, want one EndedSession with the id's hash", got)
	}

	r = b.signIn(t, "s2", time.Hour)
	if err := b.st.DeleteSession(context.Background(), "s2"); err != nil {
		t.Fatal(err)
	}
	b.now = b.now.Add(6 * time.Second)
	for range 3 {
		if b.signedIn(r) {
			t.Fatal("a session gone from the store is accepted")
		}
	}
	if got := fb.sent(); len(got) != 2 || got[1] != bus.EndedSession(store.Hash("s2")) {
		t.Fatalf("published %+v, want the gone session announced once", got)
	}
}
