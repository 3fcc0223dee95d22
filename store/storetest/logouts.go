package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Logouts checks what an identity provider's back-channel logout needs:
// the sessions it names deleted (and their keys returned, to tell the other
// instances), and one-time tokens refused the second time until they
// expire and are swept.
func Logouts[S LogoutStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()
	create := func(t *testing.T, s S, id, subject, sid string) {
		t.Helper()
		if err := s.CreateSession(ctx, id, store.Session{Subject: subject, ProviderSID: sid, CSRFToken: "c",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	// Every case starts from the same sessions: alice signed in twice
	// through provider sessions p1 and p2 and once before sids were kept,
	// bob once through p3.
	seed := func(t *testing.T) S {
		s := open(t)
		create(t, s, "a1", "alice", "p1")
		create(t, s, "a2", "alice", "p2")
		create(t, s, "a0", "alice", "")
		create(t, s, "b3", "bob", "p3")
		return s
	}
	for _, tc := range []struct {
		name, sub, sid string
		ended          []string
	}{
		{"by provider session", "", "p1", []string{"a1"}},
		{"by provider session and subject", "alice", "p1", []string{"a0", "a1"}},
		{"a provider session of another subject", "alice", "p3", []string{"a0"}},
		{"by subject", "alice", "", []string{"a0", "a1", "a2"}},
		{"unknown", "carol", "p9", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seed(t)
			keys, err := s.DeleteProviderSessions(ctx, tc.sub, tc.sid)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, id := range tc.ended {
				want = append(want, store.Hash(id))
			}
			slices.Sort(keys)
			slices.Sort(want)
			if !slices.Equal(keys, want) {
				t.Errorf("returned keys %v, want the hashes of %v", keys, tc.ended)
			}
			for _, id := range []string{"a0", "a1", "a2", "b3"} {
				_, err := s.Session(ctx, id, now)
				if gone := errors.Is(err, store.ErrNotFound); gone != slices.Contains(tc.ended, id) {
					t.Errorf("session %s: gone %v (%v), want %v", id, gone, err, !gone)
				}
			}
		})
	}

	t.Run("provider session id round trip", func(t *testing.T) {
		s := seed(t)
		got, err := s.Session(ctx, "a2", now)
		if err != nil || got.ProviderSID != "p2" {
			t.Errorf("read ProviderSID %q, %v; want p2", got.ProviderSID, err)
		}
	})

	t.Run("a token is used once", func(t *testing.T) {
		s := open(t)
		if err := s.UseToken(ctx, "k1", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.UseToken(ctx, "k1", now.Add(time.Minute)); !errors.Is(err, store.ErrTokenUsed) {
			t.Errorf("second use: %v, want store.ErrTokenUsed", err)
		}
		if err := s.UseToken(ctx, "k2", now.Add(time.Minute)); err != nil {
			t.Errorf("another token: %v", err)
		}
	})

	t.Run("used tokens are swept once expired", func(t *testing.T) {
		s := open(t)
		for key, exp := range map[string]time.Duration{"old": -time.Second, "new": time.Minute} {
			if err := s.UseToken(ctx, key, now.Add(exp)); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.DeleteExpired(ctx, now); err != nil || n != 1 {
			t.Fatalf("swept %d, %v; want the one expired token", n, err)
		}
		if err := s.UseToken(ctx, "new", now.Add(time.Minute)); !errors.Is(err, store.ErrTokenUsed) {
			t.Errorf("a live used token was swept: %v", err)
		}
		if err := s.UseToken(ctx, "old", now.Add(time.Minute)); err != nil {
			t.Errorf("the expired token is still kept: %v", err)
		}
	})
}
