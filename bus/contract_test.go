package bus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// pairFunc returns two instances on one bus, closed when the test ends.
type pairFunc func(t *testing.T) (a, b Bus)

func TestLocal(t *testing.T) {
	testContract(t, func(t *testing.T) (Bus, Bus) {
		a := NewLocal()
		b := a.Join()
		t.Cleanup(func() { a.Close(); b.Close() })
		return a, b
	})
}

// Two Redis buses on one redis-server are two Atrium instances.
func TestRedis(t *testing.T) {
	srv := testenv.StartRedis(t)
	var n atomic.Int32
	testContract(t, func(t *testing.T) (Bus, Bus) {
		cfg := config.Bus{RedisURL: srv.URL, Prefix: fmt.Sprintf("contract-%d:", n.Add(1))}
		open := func() Bus {
			b, err := Open(context.Background(), cfg, testLogger(t, nil))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := b.(*Redis); !ok {
				t.Fatalf("Open with a redis_url returned %T", b)
			}
			return b
		}
		a, b := open(), open()
		t.Cleanup(func() { a.Close(); b.Close() })
		return a, b
	})
}

func testContract(t *testing.T, newPair pairFunc) {
	ctx := context.Background()

	t.Run("the other instance receives every kind, in order, from its sender", func(t *testing.T) {
		a, b := newPair(t)
		if a.ID() == "" || a.ID() == b.ID() {
			t.Fatalf("instance ids %q and %q", a.ID(), b.ID())
		}
		first, _ := b.Subscribe()
		second, _ := b.Subscribe()
		sent := []Message{EndedSession("9b1f"), DecidedLink("001Acme", "billing"), InvalidCache("billing", "cus_1", "invoices"), InvalidCache("desk", "42", "")}
		for _, m := range sent {
			publish(t, a, m)
		}
		for _, ch := range []<-chan Message{first, second} {
			for _, want := range sent {
				want.Sender = a.ID()
				if got := next(t, ch); got != want {
					t.Errorf("received %+v, want %+v", got, want)
				}
			}
		}
	})

	t.Run("a subscriber receives only its kinds", func(t *testing.T) {
		a, b := newPair(t)
		links, _ := b.Subscribe(LinkDecided)
		others, _ := b.Subscribe(SessionEnded, CacheInvalid)
		for _, m := range []Message{EndedSession("s1"), DecidedLink("c1", "billing"), InvalidCache("billing", "c1", "invoices"),
			DecidedLink("c2", "billing"), EndedSession("s2")} {
			publish(t, a, m)
		}
		// Each list ends with a message published after the ones it must
		// not hold, so the one it receives next proves them dropped.
		expect(t, links, "c1", "c2")
		expect(t, others, "s1", "c1", "s2")
	})

	t.Run("an instance does not receive its own messages", func(t *testing.T) {
		a, b := newPair(t)
		mine, _ := a.Subscribe()
		publish(t, a, EndedSession("own"))
		publish(t, b, EndedSession("from-b"))
		if got := next(t, mine); got.Session != "from-b" {
			t.Fatalf("received %+v first, want the other instance's message", got)
		}
	})

	t.Run("a slow subscriber misses messages, then Resync; the others miss nothing", func(t *testing.T) {
		a, b := newPair(t)
		slow, _ := b.Subscribe(LinkDecided)
		fast, _ := b.Subscribe()
		const sent = Buffer + 5
		for i := range sent {
			m := DecidedLink(fmt.Sprint(i), "billing")
			if err := publishWithin(t, a, m); err != nil {
				t.Fatal(err)
			}
			if got := next(t, fast); got.Customer != m.Customer {
				t.Fatalf("fast subscriber received %+v, want customer %s", got, m.Customer)
			}
		}
		// The slow subscriber does not take this kind: once the fast one has
		// it, delivering the messages before it is over.
		publish(t, a, EndedSession("settle"))
		if got := next(t, fast); got.Session != "settle" {
			t.Fatalf("fast subscriber received %+v", got)
		}
		for i := range Buffer {
			if got := next(t, slow); got.Kind != LinkDecided || got.Customer != fmt.Sprint(i) {
				t.Fatalf("slow subscriber's message %d is %+v", i, got)
			}
		}
		if got := next(t, slow); got.Kind != Resync {
			t.Fatalf("after its buffer the slow subscriber received %+v, want Resync", got)
		}
		select {
		case m := <-slow:
			t.Fatalf("after Resync the slow subscriber received %+v", m)
		default:
		}
	})

	t.Run("invalid messages are refused and reach nobody", func(t *testing.T) {
		a, b := newPair(t)
		ch, _ := b.Subscribe()
		for _, m := range []Message{{Kind: Resync}, {Kind: "customer_renamed"}, {}, EndedSession(""),
			DecidedLink("", "billing"), DecidedLink("c1", ""), InvalidCache("", "c1", "f"), InvalidCache("billing", "", "f"),
			InvalidCache("billing", strings.Repeat("x", maxWire), "f")} {
			if err := a.Publish(ctx, m); !errors.Is(err, ErrInvalid) {
				t.Errorf("Publish(%+v) = %v, want ErrInvalid", m, err)
			}
		}
		publish(t, a, EndedSession("valid"))
		if got := next(t, ch); got.Session != "valid" {
			t.Fatalf("received %+v first", got)
		}
	})

	t.Run("cancel closes only its own subscription", func(t *testing.T) {
		a, b := newPair(t)
		gone, cancel := b.Subscribe()
		kept, _ := b.Subscribe()
		cancel()
		cancel()
		publish(t, a, EndedSession("after-cancel"))
		if got := next(t, kept); got.Session != "after-cancel" {
			t.Fatalf("kept subscription received %+v", got)
		}
		waitClosed(t, gone)
	})

	t.Run("Close closes the channels and releases every goroutine", func(t *testing.T) {
		ignore := goleak.IgnoreCurrent()
		a, b := newPair(t)
		ch, _ := b.Subscribe()
		consumed := make(chan struct{})
		go func() {
			for range ch {
			}
			close(consumed)
		}()
		publish(t, a, EndedSession("before-close"))
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-consumed:
		case <-time.After(5 * time.Second):
			t.Fatal("a subscriber's range loop did not end at Close")
		}
		if err := b.Publish(ctx, EndedSession("after-close")); !errors.Is(err, ErrClosed) {
			t.Errorf("Publish after Close = %v, want ErrClosed", err)
		}
		late, _ := b.Subscribe()
		waitClosed(t, late)
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		goleak.VerifyNone(t, ignore)
	})
}

func publish(t *testing.T, b Bus, m Message) {
	t.Helper()
	if err := b.Publish(context.Background(), m); err != nil {
		t.Fatalf("Publish(%+v): %v", m, err)
	}
}

// next returns the subscription's next message, failing the test when none
// arrives in time.
func next(t *testing.T, ch <-chan Message) Message {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Fatal("the subscription's channel is closed")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return Message{}
}

// expect checks the next messages by what names their subject.
func expect(t *testing.T, ch <-chan Message, subjects ...string) {
	t.Helper()
	for _, want := range subjects {
		m := next(t, ch)
		if got := m.Session + m.Customer + m.ID; got != want {
			t.Fatalf("received %+v, want the message about %s", m, want)
		}
	}
}

func waitClosed(t *testing.T, ch <-chan Message) {
	t.Helper()
	select {
	case m, ok := <-ch:
		if ok {
			t.Fatalf("received %+v, want the channel closed", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the channel was not closed")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("gave up waiting for %s", what)
		case <-tick.C:
		}
	}
}

// publishWithin fails the test when Publish takes longer than a generous
// bound: Publish must never hold up a request.
func publishWithin(t *testing.T, b Bus, m Message) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- b.Publish(context.Background(), m) }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("Publish(%+v) did not return within 5s", m)
		return nil
	}
}

// logBuffer collects a bus's log lines for the test to look at.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testLogger logs into logs (nil: only into the test's output on failure).
func testLogger(t *testing.T, logs *logBuffer) *slog.Logger {
	if logs == nil {
		logs = &logBuffer{}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bus log:\n%s", logs)
		}
	})
	return slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
