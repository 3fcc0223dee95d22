package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Devices checks the sessions page's part of the store: a user's live
// sessions listed with where they came from, most recently used first,
// never another user's; one ended by its key, only by its owner; all of a
// user's ended by subject or email.
func Devices[S DeviceStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()
	create := func(t *testing.T, s S, id, subject, email, device string, created time.Time) {
		t.Helper()
		if err := s.CreateSession(ctx, id, store.Session{Subject: subject, Email: email, CSRFToken: "c", CreatedAt: created,
			ExpiresAt: created.Add(time.Hour), Device: device, Address: "192.0.2.7"}); err != nil {
			t.Fatal(err)
		}
	}
	keys := func(list []store.SessionInfo) []string {
		var out []string
		for _, si := range list {
			out = append(out, si.Key)
		}
		return out
	}

	t.Run("listed, newest use first, only the user's and live", func(t *testing.T) {
		s := open(t)
		create(t, s, "laptop", "sub-1", "a@example.com", "Firefox on Linux", now.Add(-30*time.Minute))
		create(t, s, "phone", "sub-1", "a@example.com", "Safari on iOS", now.Add(-20*time.Minute))
		create(t, s, "old", "sub-1", "a@example.com", "Chrome", now.Add(-2*time.Hour)) // expired
		create(t, s, "other", "sub-2", "b@example.com", "Edge", now.Add(-time.Minute))
		if err := s.TouchSession(ctx, "laptop", now.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionsOf(ctx, "sub-1", now)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{store.Hash("laptop"), store.Hash("phone")}; !slices.Equal(keys(got), want) {
			t.Fatalf("sessions of sub-1: %v, want the laptop's then the phone's %v", keys(got), want)
		}
		l := got[0]
		if l.Device != "Firefox on Linux" || l.Address != "192.0.2.7" || !l.CreatedAt.Equal(now.Add(-30*time.Minute)) ||
			!l.LastSeenAt.Equal(now.Add(-time.Minute)) || !l.ExpiresAt.Equal(now.Add(30*time.Minute)) {
			t.Errorf("laptop: %+v", l)
		}
		if p := got[1]; !p.LastSeenAt.Equal(now.Add(-20 * time.Minute)) {
			t.Errorf("an unused session's last use is its creation: %+v", p)
		}
		if se, err := s.Session(ctx, "phone", now); err != nil || se.Device != "Safari on iOS" || se.Address != "192.0.2.7" {
			t.Errorf("the session read back: %+v, %v", se, err)
		}
	})

	t.Run("ended by key, only by its owner", func(t *testing.T) {
		s := open(t)
		create(t, s, "laptop", "sub-1", "a@example.com", "Firefox", now)
		if ok, err := s.DeleteSessionOf(ctx, "sub-2", store.Hash("laptop")); err != nil || ok {
			t.Fatalf("another user ended it: %v, %v", ok, err)
		}
		if ok, err := s.DeleteSessionOf(ctx, "sub-1", store.Hash("laptop")); err != nil || !ok {
			t.Fatalf("its owner could not end it: %v, %v", ok, err)
		}
		if _, err := s.Session(ctx, "laptop", now); err == nil {
			t.Error("the ended session is still there")
		}
		if ok, _ := s.DeleteSessionOf(ctx, "sub-1", store.Hash("laptop")); ok {
			t.Error("ended twice")
		}
	})

	t.Run("all of a user's ended by subject or email", func(t *testing.T) {
		s := open(t)
		create(t, s, "a1", "sub-1", "Alice@Example.com", "Firefox", now)
		create(t, s, "a2", "sub-1", "Alice@Example.com", "Safari", now)
		create(t, s, "b1", "sub-2", "b@example.com", "Edge", now)
		got, err := s.DeleteSessionsOf(ctx, "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		want := []string{store.Hash("a1"), store.Hash("a2")}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("ended %v, want %v", got, want)
		}
		if got, _ := s.DeleteSessionsOf(ctx, "sub-2"); len(got) != 1 {
			t.Errorf("by subject: %v", got)
		}
		if got, _ := s.DeleteSessionsOf(ctx, ""); len(got) != 0 {
			t.Errorf("an empty name ended %v", got)
		}
	})
}
