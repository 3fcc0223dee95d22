package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Sessions checks sessions: stored under an id, read back whole until they
// expire, gone once deleted.
func Sessions[S SessionStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()

	t.Run("round trip", func(t *testing.T) {
		s := open(t)
		in := store.Session{Subject: "sub-1", Email: "a@example.com", Name: "Alice", Groups: []string{"sales", "admins"},
			IDToken: "tok", CSRFToken: "csrf", CreatedAt: now, ExpiresAt: now.Add(time.Hour), TokenExpiry: now.Add(10 * time.Minute),
			ProviderSID: "provider-session"}
		if err := s.CreateSession(ctx, "id-1", in); err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, "id-1", now)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != in.Subject || got.Email != in.Email || got.Name != in.Name || !slices.Equal(got.Groups, in.Groups) ||
			got.CSRFToken != in.CSRFToken || got.IDToken != in.IDToken || !got.CreatedAt.Equal(in.CreatedAt) ||
			!got.ExpiresAt.Equal(in.ExpiresAt) || !got.TokenExpiry.Equal(in.TokenExpiry) || got.ProviderSID != in.ProviderSID {
			t.Errorf("got %+v, want %+v", got, in)
		}
	})

	t.Run("unknown, expired and deleted sessions are not found", func(t *testing.T) {
		s := open(t)
		if err := s.CreateSession(ctx, "id-1", store.Session{Subject: "sub-1", CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, "id-2", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
		if _, err := s.Session(ctx, "id-1", now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session returned: %v", err)
		}
		if err := s.DeleteSession(ctx, "id-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, "id-1", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted session returned: %v", err)
		}
		if err := s.DeleteSession(ctx, "id-1"); err != nil {
			t.Errorf("deleting a deleted session: %v", err)
		}
	})

	// What the provider did not say stays unsaid: no groups, no token expiry.
	t.Run("empty fields", func(t *testing.T) {
		s := open(t)
		if err := s.CreateSession(ctx, "id-1", store.Session{Subject: "sub-1", CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, "id-1", now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Groups) != 0 || !got.TokenExpiry.IsZero() || got.Email != "" || got.IDToken != "" {
			t.Errorf("got %+v, want no groups, email, ID token or token expiry", got)
		}
	})
}
