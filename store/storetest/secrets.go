package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// Secrets checks generated secrets: made once, kept, and agreed on by
// everyone asking at the same time.
func Secrets[S SecretStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()

	t.Run("created once under concurrency", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		vals := make([][]byte, 8)
		for i := range vals {
			wg.Go(func() {
				v, err := s.Secret(ctx, "cookie", func() ([]byte, error) { return []byte{byte(i), 0xff}, nil })
				if err != nil {
					t.Error(err)
				}
				vals[i] = v
			})
		}
		wg.Wait()
		for _, v := range vals {
			if len(v) != 2 || string(v) != string(vals[0]) {
				t.Fatalf("instances disagree on the secret: %v", vals)
			}
		}
		again, err := s.Secret(ctx, "cookie", func() ([]byte, error) { return []byte("new"), nil })
		if err != nil || string(again) != string(vals[0]) {
			t.Errorf("a later call got %q, %v; want the stored %q", again, err, vals[0])
		}
	})

	t.Run("names are separate and failures store nothing", func(t *testing.T) {
		s := open(t)
		boom := errors.New("no entropy")
		if _, err := s.Secret(ctx, "a", func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
			t.Fatalf("generate's error: %v", err)
		}
		a, err := s.Secret(ctx, "a", func() ([]byte, error) { return []byte("A"), nil })
		if err != nil || string(a) != "A" {
			t.Fatalf("after a failed generate: %q, %v", a, err)
		}
		b, err := s.Secret(ctx, "b", func() ([]byte, error) { return []byte("B"), nil })
		if err != nil || string(b) != "B" {
			t.Fatalf("another name: %q, %v", b, err)
		}
	})
}
