// Package storetest is the contract every store.Store implementation passes.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Run runs the contract against stores made by open, one per subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

	t.Run("session round trip", func(t *testing.T) {
		s := open(t)
		in := store.Session{Subject: "sub-1", Email: "a@example.com", Name: "Alice", Groups: []string{"sales", "admins"},
			IDToken: "tok", CSRFToken: "csrf", CreatedAt: now, ExpiresAt: now.Add(time.Hour), TokenExpiry: now.Add(10 * time.Minute)}
		if err := s.CreateSession(ctx, "id-1", in); err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, "id-1", now)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != in.Subject || got.Email != in.Email || got.Name != in.Name || !slices.Equal(got.Groups, in.Groups) ||
			got.CSRFToken != in.CSRFToken || got.IDToken != in.IDToken || !got.ExpiresAt.Equal(in.ExpiresAt) || !got.TokenExpiry.Equal(in.TokenExpiry) {
			t.Errorf("got %+v, want %+v", got, in)
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
	})

	t.Run("login is usable once", func(t *testing.T) {
		s := open(t)
		l := store.Login{State: "st", Binding: "b", Nonce: "n", Verifier: "v", ReturnTo: "/x", Client: "192.0.2.1",
			CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := s.SaveLogin(ctx, l, store.LoginLimits{}); err != nil {
			t.Fatal(err)
		}
		got, err := s.TakeLogin(ctx, "st", "b", now)
		if err != nil || got.Binding != l.Binding || got.Nonce != l.Nonce || got.Verifier != l.Verifier ||
			got.ReturnTo != l.ReturnTo || got.Client != l.Client || !got.CreatedAt.Equal(l.CreatedAt) || !got.ExpiresAt.Equal(l.ExpiresAt) {
			t.Fatalf("got %+v, %v; want %+v", got, err, l)
		}
		if _, err := s.TakeLogin(ctx, "st", "b", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second take: %v", err)
		}
		l.State = "old"
		if err := s.SaveLogin(ctx, l, store.LoginLimits{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeLogin(ctx, "old", "b", now.Add(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired login: %v", err)
		}
	})

	t.Run("login is taken only with its binding", func(t *testing.T) {
		s := open(t)
		l := store.Login{State: "st", Binding: "right", Nonce: "n", Verifier: "v", ReturnTo: "/x", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := s.SaveLogin(ctx, l, store.LoginLimits{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeLogin(ctx, "st", "wrong", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("taken with another browser's binding: %v", err)
		}
		if got, err := s.TakeLogin(ctx, "st", "right", now); err != nil || got.Nonce != "n" {
			t.Fatalf("a wrong binding spoiled the login for its browser: %+v, %v", got, err)
		}
	})

	t.Run("a browser keeps its newest logins", func(t *testing.T) {
		s := open(t)
		limits := store.LoginLimits{PerBinding: 3}
		for i := range 5 {
			l := store.Login{State: fmt.Sprint("st", i), Binding: "b", Nonce: "n", Verifier: "v", ReturnTo: "/",
				CreatedAt: now.Add(time.Duration(i) * time.Second), ExpiresAt: now.Add(time.Hour)}
			if err := s.SaveLogin(ctx, l, limits); err != nil {
				t.Fatal(err)
			}
		}
		other := store.Login{State: "other", Binding: "c", Nonce: "n", Verifier: "v", ReturnTo: "/", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.SaveLogin(ctx, other, limits); err != nil {
			t.Fatal(err)
		}
		for i, kept := range []bool{false, false, true, true, true} {
			_, err := s.TakeLogin(ctx, fmt.Sprint("st", i), "b", now)
			if kept != (err == nil) {
				t.Errorf("login %d: kept %v, want %v (%v)", i, err == nil, kept, err)
			}
		}
		if _, err := s.TakeLogin(ctx, "other", "c", now); err != nil {
			t.Errorf("another browser's login was dropped: %v", err)
		}
	})

	t.Run("a client has few logins in progress", func(t *testing.T) {
		s := open(t)
		limits := store.LoginLimits{PerClient: 3}
		save := func(state, client string, at time.Time) error {
			return s.SaveLogin(ctx, store.Login{State: state, Binding: state, Nonce: "n", Verifier: "v", ReturnTo: "/",
				Client: client, CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute)}, limits)
		}
		for i := range 3 {
			if err := save(fmt.Sprint("st", i), "192.0.2.1", now.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		err := save("refused", "192.0.2.1", now.Add(3*time.Minute))
		var tooMany *store.TooManyLoginsError
		if !errors.As(err, &tooMany) || !tooMany.Until.Equal(now.Add(10*time.Minute)) {
			t.Fatalf("a fourth login: %v; want TooManyLoginsError until the oldest expires", err)
		}
		if _, err := s.TakeLogin(ctx, "refused", "refused", now.Add(3*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the refused login was stored: %v", err)
		}
		if err := save("elsewhere", "192.0.2.2", now.Add(3*time.Minute)); err != nil {
			t.Errorf("another client was refused: %v", err)
		}
		// Once the oldest has expired there is room again.
		if err := save("later", "192.0.2.1", now.Add(10*time.Minute)); err != nil {
			t.Errorf("after the oldest expired: %v", err)
		}
	})

	t.Run("secret is created once", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		vals := make([][]byte, 8)
		for i := range vals {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := s.Secret(ctx, "cookie", func() ([]byte, error) { return []byte{byte(i)}, nil })
				if err != nil {
					t.Error(err)
				}
				vals[i] = v
			}()
		}
		wg.Wait()
		for _, v := range vals {
			if string(v) != string(vals[0]) {
				t.Fatalf("instances disagree on the secret: %v", vals)
			}
		}
	})

	t.Run("delete expired", func(t *testing.T) {
		s := open(t)
		for i, exp := range []time.Duration{-time.Minute, time.Hour} {
			id := []string{"old", "new"}[i]
			if err := s.CreateSession(ctx, id, store.Session{Subject: id, CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(exp)}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.DeleteExpired(ctx, now)
		if err != nil || n != 1 {
			t.Fatalf("deleted %d, %v; want 1", n, err)
		}
		if _, err := s.Session(ctx, "new", now); err != nil {
			t.Errorf("live session deleted: %v", err)
		}
	})
}

// RunLinks checks link decisions and their history.
func RunLinks(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s := open(t)
	d := store.LinkDecision{AnchorSource: "salesforce", AnchorID: "001A", Source: "billing", RecordID: "cus_1",
		Decision: store.DecisionConfirmed, Rule: "domain", Value: "acme.com", Actor: "dave@example.com", At: now}
	if err := s.DecideLink(ctx, d); err != nil {
		t.Fatal(err)
	}
	split := d
	split.Decision, split.At, split.Actor = store.DecisionSplit, now.Add(time.Minute), "carol@example.com"
	if err := s.DecideLink(ctx, split); err != nil {
		t.Fatal(err)
	}
	other := store.LinkDecision{AnchorSource: "salesforce", AnchorID: "001A", Source: "erp", RecordID: "C-1",
		Decision: store.DecisionManual, Actor: "dave@example.com", At: now.Add(2 * time.Minute)}
	if err := s.DecideLink(ctx, other); err != nil {
		t.Fatal(err)
	}
	got, err := s.LinkDecisions(ctx, "salesforce", "001A")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Source != "erp" || got[1].Decision != store.DecisionSplit || got[1].Actor != "carol@example.com" ||
		!got[1].At.Equal(split.At) {
		t.Fatalf("decisions = %+v: the later decision about a pair must replace the earlier", got)
	}
	hist, err := s.LinkHistory(ctx, "salesforce", "001A")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].Decision != store.DecisionConfirmed || hist[1].Decision != store.DecisionSplit {
		t.Fatalf("history = %+v: every decision is kept, in order", hist)
	}
	if none, err := s.LinkDecisions(ctx, "salesforce", "001B"); err != nil || len(none) != 0 {
		t.Fatalf("another customer's decisions: %+v, %v", none, err)
	}
	bad := d
	bad.Decision = "maybe"
	if err := s.DecideLink(ctx, bad); err == nil {
		t.Error("an unknown decision was stored")
	}
}
