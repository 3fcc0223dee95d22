package bus

import (
	"slices"
	"sync"
)

// fanout hands messages to an instance's subscribers without ever waiting
// for one of them.
type fanout struct {
	self string // this instance's id: its own messages are not delivered

	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	kinds []Kind // empty: every kind

	mu     sync.Mutex
	ch     chan Message
	closed bool
}

func newFanout(self string) *fanout {
	return &fanout{self: self, subs: map[*subscriber]struct{}{}}
}

func (f *fanout) subscribe(kinds []Kind) (<-chan Message, func()) {
	// One slot more than Buffer: a subscriber whose Buffer is full always has
	// room for the Resync that says so.
	s := &subscriber{kinds: slices.Clone(kinds), ch: make(chan Message, Buffer+1)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	f.subs[s] = struct{}{}
	return s.ch, func() {
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
		s.close()
	}
}

// deliver hands m to every subscriber of its kind, unless this instance sent it.
func (f *fanout) deliver(m Message) {
	if m.Sender == f.self {
		return
	}
	for _, s := range f.subscribers() {
		if len(s.kinds) == 0 || slices.Contains(s.kinds, m.Kind) {
			s.send(m)
		}
	}
}

// resync tells every subscriber that it may have missed messages.
func (f *fanout) resync() {
	for _, s := range f.subscribers() {
		s.send(Message{Kind: Resync})
	}
}

func (f *fanout) subscribers() []*subscriber {
	f.mu.Lock()
	defer f.mu.Unlock()
	list := make([]*subscriber, 0, len(f.subs))
	for s := range f.subs {
		list = append(list, s)
	}
	return list
}

func (f *fanout) close() {
	f.mu.Lock()
	subs := f.subs
	f.subs, f.closed = nil, true
	f.mu.Unlock()
	for s := range subs {
		s.close()
	}
}

// send never blocks. Only send puts messages on s.ch, one at a time under
// s.mu, so a length read under s.mu can only shrink before the put: a message
// is put while fewer than Buffer wait; otherwise it is dropped and, if the
// slot kept for it is free, a Resync is put instead. The reader then meets
// the Resync after every message that did fit and drops what it remembers,
// which covers whatever was dropped.
func (s *subscriber) send(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if m.Kind != Resync && len(s.ch) < Buffer {
		s.ch <- m
		return
	}
	select {
	case s.ch <- Message{Kind: Resync}:
	default: // the last message waiting is a Resync already
	}
}

func (s *subscriber) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}
