package canvas_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/legacy/canvas"
)

func TestMemoryNoncesForgetExpired(t *testing.T) {
	m := canvas.NewMemoryNonces()
	for i := range 100 {
		fresh, err := m.Claim(fmt.Sprint("n", i), now, now.Add(time.Duration(i+1)*time.Second))
		if err != nil || !fresh {
			t.Fatalf("claim %d: %v %v", i, fresh, err)
		}
	}
	if fresh, _ := m.Claim("n5", now, now.Add(time.Hour)); fresh {
		t.Fatal("a held nonce was claimed twice")
	}
	// 50 s later, the nonces that expired within 50 s are gone.
	if _, err := m.Claim("late", now.Add(50*time.Second), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := m.Len(); got != 51 {
		t.Errorf("held %d nonces, want 51 (50 unexpired and the new one)", got)
	}
	if fresh, _ := m.Claim("n99", now.Add(50*time.Second), now.Add(time.Hour)); fresh {
		t.Error("an unexpired nonce was forgotten")
	}
}

func TestMemoryNoncesConcurrent(t *testing.T) {
	m := canvas.NewMemoryNonces()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 16 {
		wg.Go(func() {
			if fresh, _ := m.Claim("same", now, now.Add(time.Minute)); fresh {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d claims of one nonce succeeded, want 1", won)
	}
}
