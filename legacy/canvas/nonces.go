package canvas

import (
	"container/heap"
	"sync"
	"time"
)

// NonceStore remembers the nonces of accepted requests until they expire.
// A store shared by several instances of a tool (Redis SET NX with the
// expiry, a database table with a unique key) stops a replay to another
// instance; MemoryNonces serves a single instance.
type NonceStore interface {
	// Claim records nonce until expires and reports whether it was unseen.
	// now is the verifier's clock, which a store may use to forget nonces
	// that have expired: their requests are refused as expired anyway.
	Claim(nonce string, now, expires time.Time) (fresh bool, err error)
}

var _ NonceStore = (*MemoryNonces)(nil)

// MemoryNonces is a NonceStore in memory, safe for concurrent use. It holds
// a nonce only until its request's expiry, so its size is bounded by the
// rate of requests times their lifetime.
type MemoryNonces struct {
	mu      sync.Mutex
	expires map[string]time.Time
	queue   nonceHeap // the same nonces, soonest expiry first
}

// NewMemoryNonces returns an empty store.
func NewMemoryNonces() *MemoryNonces {
	return &MemoryNonces{expires: make(map[string]time.Time)}
}

// Claim implements NonceStore.
func (m *MemoryNonces) Claim(nonce string, now, expires time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.queue) > 0 && !now.Before(m.queue[0].expires) {
		delete(m.expires, heap.Pop(&m.queue).(nonceEntry).nonce)
	}
	if _, seen := m.expires[nonce]; seen {
		return false, nil
	}
	m.expires[nonce] = expires
	heap.Push(&m.queue, nonceEntry{nonce: nonce, expires: expires})
	return true, nil
}

// Len returns how many nonces the store holds.
func (m *MemoryNonces) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.expires)
}

type nonceEntry struct {
	nonce   string
	expires time.Time
}

type nonceHeap []nonceEntry

func (h nonceHeap) Len() int           { return len(h) }
func (h nonceHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h nonceHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nonceHeap) Push(x any)        { *h = append(*h, x.(nonceEntry)) }
func (h *nonceHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
