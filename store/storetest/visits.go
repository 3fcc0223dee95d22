package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Visits checks the customers each user opened and pinned.
func Visits[S VisitStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()
	opened := func(t *testing.T, s S, subject, id string, at time.Time, keep int) {
		t.Helper()
		if err := s.RecordVisit(ctx, store.Visit{Subject: subject, CustomerID: id, Name: "Name of " + id, OpenedAt: at}, keep); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(vs []store.Visit) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.CustomerID)
		}
		return out
	}

	t.Run("last opened first, per user, the oldest dropped", func(t *testing.T) {
		s := open(t)
		for i := range 5 {
			opened(t, s, "ann", fmt.Sprintf("C%d", i), now.Add(time.Duration(i)*time.Minute), 3)
		}
		opened(t, s, "bob", "C0", now, 3)
		got, err := s.Visits(ctx, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(got)) != "[C4 C3 C2]" || got[0].Name != "Name of C4" || !got[0].OpenedAt.Equal(now.Add(4*time.Minute)) || got[0].Subject != "ann" {
			t.Fatalf("ann's visits = %+v: the 3 last opened, last first", got)
		}
		if bob, err := s.Visits(ctx, "bob"); err != nil || fmt.Sprint(ids(bob)) != "[C0]" {
			t.Fatalf("bob's visits = %+v, %v: another user's are their own", bob, err)
		}
		// Opening again moves it up and renames it.
		if err := s.RecordVisit(ctx, store.Visit{Subject: "ann", CustomerID: "C2", Name: "Renamed", OpenedAt: now.Add(time.Hour)}, 3); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Visits(ctx, "ann")
		if fmt.Sprint(ids(got)) != "[C2 C4 C3]" || got[0].Name != "Renamed" {
			t.Fatalf("after opening C2 again: %+v", got)
		}
		if none, err := s.Visits(ctx, "nobody"); err != nil || len(none) != 0 {
			t.Fatalf("a user who opened nothing: %+v, %v", none, err)
		}
	})

	t.Run("pinned customers stay and are never dropped", func(t *testing.T) {
		s := open(t)
		opened(t, s, "ann", "C0", now, 2)
		if err := s.Pin(ctx, store.Visit{Subject: "ann", CustomerID: "C0", Name: "ignored", PinnedAt: now.Add(time.Second)}, true, 10); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 4; i++ {
			opened(t, s, "ann", fmt.Sprintf("C%d", i), now.Add(time.Duration(i)*time.Minute), 2)
		}
		got, err := s.Visits(ctx, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(got)) != "[C4 C3 C0]" {
			t.Fatalf("visits = %+v: the 2 last opened and the pinned one", got)
		}
		v, err := s.Visit(ctx, "ann", "C0")
		if err != nil || !v.Pinned() || !v.PinnedAt.Equal(now.Add(time.Second)) || v.Name != "Name of C0" {
			t.Fatalf("the pinned visit = %+v, %v: pinned, named as opened", v, err)
		}
		// A customer never opened can be pinned, with its name.
		if err := s.Pin(ctx, store.Visit{Subject: "ann", CustomerID: "C9", Name: "Nine", PinnedAt: now}, true, 10); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Visit(ctx, "ann", "C9"); err != nil || !v.Pinned() || v.Name != "Nine" {
			t.Fatalf("a customer pinned unopened = %+v, %v", v, err)
		}
		if err := s.Pin(ctx, store.Visit{Subject: "ann", CustomerID: "C0"}, false, 10); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Visit(ctx, "ann", "C0"); err != nil || v.Pinned() {
			t.Fatalf("after unpinning = %+v, %v", v, err)
		}
		if _, err := s.Visit(ctx, "bob", "C0"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another user's visit: %v", err)
		}
		if err := s.Pin(ctx, store.Visit{Subject: "bob", CustomerID: "C0"}, false, 10); err != nil {
			t.Fatalf("unpinning what was never pinned: %v", err)
		}
	})

	t.Run("pins are limited per user", func(t *testing.T) {
		s := open(t)
		for i := range 2 {
			if err := s.Pin(ctx, store.Visit{Subject: "ann", CustomerID: fmt.Sprintf("C%d", i), Name: "n", PinnedAt: now}, true, 2); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Pin(ctx, store.Visit{Subject: "ann", CustomerID: "C2", Name: "n", PinnedAt: now}, true, 2); !errors.Is(err, store.ErrTooManyPins) {
			t.Fatalf("a pin beyond the limit: %v", err)
		}
		if err := s.Pin(ctx, store.Visit{Subject: "ann", CustomerID: "C1", Name: "n", PinnedAt: now.Add(time.Minute)}, true, 2); err != nil {
			t.Fatalf("pinning again one already pinned: %v", err)
		}
		if err := s.Pin(ctx, store.Visit{Subject: "bob", CustomerID: "C2", Name: "n", PinnedAt: now}, true, 2); err != nil {
			t.Fatalf("another user's pins count apart: %v", err)
		}
	})
}
