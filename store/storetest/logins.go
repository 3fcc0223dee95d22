package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Logins checks pending logins: taken once, only with their browser's
// binding, and bounded per browser and per client address.
func Logins[S LoginStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()

	t.Run("usable once", func(t *testing.T) {
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

	t.Run("taken only with its binding", func(t *testing.T) {
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

	t.Run("a browser keeps its newest", func(t *testing.T) {
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

	t.Run("a client has few in progress", func(t *testing.T) {
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

	// Sign-ins arriving together (on several instances, or on several
	// connections of one) are counted together: the check and the write
	// are one step. A race shows in some rounds, not all: every round must
	// hold.
	t.Run("a client's limit holds under concurrency", func(t *testing.T) {
		s := open(t)
		const rounds, tries, limit = 10, 12, 3
		for r := range rounds {
			var (
				wg             sync.WaitGroup
				mu             sync.Mutex
				saved, refused int
			)
			client := fmt.Sprintf("192.0.2.%d", 100+r)
			for i := range tries {
				wg.Go(func() {
					state := fmt.Sprint(client, "/", i)
					err := s.SaveLogin(ctx, store.Login{State: state, Binding: state, Nonce: "n", Verifier: "v", ReturnTo: "/",
						Client: client, CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}, store.LoginLimits{PerClient: limit})
					var tooMany *store.TooManyLoginsError
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						saved++
					case errors.As(err, &tooMany):
						refused++
					default:
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if saved != limit || refused != tries-limit {
				t.Fatalf("round %d: %d saved and %d refused of %d sign-ins at once, want %d saved", r, saved, refused, tries, limit)
			}
		}
	})
}
