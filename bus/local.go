package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
)

// Local is the bus of instances in one process. An Atrium on one machine has
// one instance and nobody to tell, so its Publish delivers nothing: the bus is
// there so that code publishing changes needs no "is there a bus?" branch.
// Tests and benchmarks that run several instances in one process join them
// with Join.
type Local struct {
	net *localNet
	id  string
	out *fanout
}

var _ Bus = (*Local)(nil)

type localNet struct {
	mu      sync.Mutex
	members map[*Local]struct{}
}

// NewLocal returns the in-process bus of one instance.
func NewLocal() *Local {
	return (&localNet{members: map[*Local]struct{}{}}).join()
}

// Join returns another instance on the same in-process bus: each receives
// the other's messages.
func (l *Local) Join() *Local { return l.net.join() }

func (n *localNet) join() *Local {
	l := &Local{net: n, id: newInstanceID()}
	l.out = newFanout(l.id)
	n.mu.Lock()
	n.members[l] = struct{}{}
	n.mu.Unlock()
	return l
}

// ID implements Bus.
func (l *Local) ID() string { return l.id }

// Publish delivers m to the other instances' subscribers. It goes through the
// wire encoding, so a message Local accepts is one Redis accepts.
func (l *Local) Publish(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.Sender = l.id
	b, err := encode(m)
	if err != nil {
		return err
	}
	m, _, err = decode(b)
	if err != nil {
		return err
	}
	l.net.mu.Lock()
	if _, ok := l.net.members[l]; !ok {
		l.net.mu.Unlock()
		return ErrClosed
	}
	others := make([]*Local, 0, len(l.net.members))
	for o := range l.net.members {
		others = append(others, o)
	}
	l.net.mu.Unlock()
	for _, o := range others {
		o.out.deliver(m)
	}
	return nil
}

// Subscribe implements Bus.
func (l *Local) Subscribe(kinds ...Kind) (<-chan Message, func()) {
	return l.out.subscribe(kinds)
}

// Close leaves the bus and closes every subscriber's channel.
func (l *Local) Close() error {
	l.net.mu.Lock()
	delete(l.net.members, l)
	l.net.mu.Unlock()
	l.out.close()
	return nil
}

// newInstanceID returns a random id that names one instance for as long as
// it runs.
func newInstanceID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
