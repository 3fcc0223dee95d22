package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Sweep checks the sweeper: expired sessions and logins go, live ones stay.
func Sweep[S SweepStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()
	s := open(t)
	for id, exp := range map[string]time.Duration{"old": -time.Minute, "now": 0, "new": time.Hour} {
		if err := s.CreateSession(ctx, id, store.Session{Subject: id, CSRFToken: "c", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(exp)}); err != nil {
			t.Fatal(err)
		}
	}
	for state, exp := range map[string]time.Duration{"old": -time.Second, "new": time.Minute} {
		if err := s.SaveLogin(ctx, store.Login{State: state, Binding: state, Nonce: "n", Verifier: "v", ReturnTo: "/",
			CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(exp)}, store.LoginLimits{}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpired(ctx, now)
	if err != nil || n != 3 {
		t.Fatalf("deleted %d, %v; want 3 (two sessions, one login)", n, err)
	}
	// Read as of an hour before: only what the sweep left is there.
	before := now.Add(-time.Hour)
	for id, kept := range map[string]bool{"old": false, "now": false, "new": true} {
		if _, err := s.Session(ctx, id, before); (err == nil) != kept {
			t.Errorf("session %s: kept %v, want %v (%v)", id, err == nil, kept, err)
		}
	}
	if _, err := s.TakeLogin(ctx, "new", "new", now); err != nil {
		t.Errorf("live login deleted: %v", err)
	}
	if _, err := s.TakeLogin(ctx, "old", "old", before); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired login kept: %v", err)
	}
	if n, err := s.DeleteExpired(ctx, now); err != nil || n != 0 {
		t.Errorf("a second sweep deleted %d, %v; want 0", n, err)
	}
}
