package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Activity checks when a session was last used: its creation until it is
// touched, then the latest touch (an older one, from a slower instance,
// never moves it back).
func Activity[S ActivityStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()
	s := open(t)
	if err := s.CreateSession(ctx, "id-1", store.Session{Subject: "sub-1", CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	lastSeen := func() time.Time {
		t.Helper()
		got, err := s.Session(ctx, "id-1", now)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastSeenAt
	}
	if got := lastSeen(); !got.Equal(now) {
		t.Errorf("an untouched session was last seen %v, want its creation %v", got, now)
	}
	for _, at := range []time.Duration{10 * time.Minute, 5 * time.Minute} {
		if err := s.TouchSession(ctx, "id-1", now.Add(at)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := lastSeen(), now.Add(10*time.Minute); !got.Equal(want) {
		t.Errorf("last seen %v, want the latest touch %v", got, want)
	}
	if err := s.TouchSession(ctx, "unknown", now); err != nil {
		t.Errorf("touching an unknown session: %v", err)
	}
}
