package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/atrium-dev/atrium/store"
)

// Store is what the trail keeps its records in.
type Store interface {
	KeyStore
	AppendAudit(ctx context.Context, recs []store.AuditRecord, chain store.ChainFunc) error
	AuditHead(ctx context.Context) (int64, []byte, error)
	SaveAuditCheckpoint(ctx context.Context, c store.AuditCheckpoint) error
	AuditCheckpoints(ctx context.Context) ([]store.AuditCheckpoint, error)
	AuditRecords(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error)
	PruneAudit(ctx context.Context, throughSeq int64) (int64, error)
}

// Options configure a Trail.
type Options struct {
	// CheckpointEvery is how many records a signed checkpoint covers at
	// most (0: 1,000). One is also signed at Close.
	CheckpointEvery int
	// Mirror, when set, receives every checkpoint too (a file, the log):
	// the second place that shows records cut off the end.
	Mirror func(store.AuditCheckpoint) error
	// Retention, when set, is how long records are kept; older whole
	// segments (up to a checkpoint) are pruned.
	Retention time.Duration
	// Buffer is how many events wait for writing before Record blocks
	// (0: 8,192). Nothing is dropped.
	Buffer int
	// FlushAfter is how long an event waits to be written with others
	// (0: 50 ms).
	FlushAfter time.Duration
	Log        *slog.Logger
	Now        func() time.Time
}

// Trail writes events to the store in batches, in the background: Record
// never waits for the database unless the buffer is full.
type Trail struct {
	st   Store
	keys *Keys
	o    Options

	events chan item
	done   chan struct{}

	queue  sync.RWMutex // held to send on events; taken whole to close it
	closed bool
	mu     sync.Mutex // one writer at a time: the loop, then Close and Record after it
	lastCP int64      // sequence of the newest checkpoint
}

// New starts a trail on st.
func New(ctx context.Context, st Store, keys *Keys, o Options) (*Trail, error) {
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = 1000
	}
	if o.Buffer <= 0 {
		o.Buffer = 8192
	}
	if o.FlushAfter <= 0 {
		o.FlushAfter = 50 * time.Millisecond
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cps, err := st.AuditCheckpoints(ctx)
	if err != nil {
		return nil, err
	}
	t := &Trail{st: st, keys: keys, o: o, events: make(chan item, o.Buffer), done: make(chan struct{})}
	if len(cps) > 0 {
		t.lastCP = cps[len(cps)-1].Seq
	}
	go t.run()
	return t, nil
}

// Record queues ev for writing. After Close it is written at once.
func (t *Trail) Record(ev Event) {
	if ev.At.IsZero() {
		ev.At = t.o.Now()
	}
	t.queue.RLock()
	if !t.closed {
		t.events <- item{ev: ev}
		t.queue.RUnlock()
		return
	}
	t.queue.RUnlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.write(context.Background(), []Event{ev})
}

// Sync waits until every event recorded before it is in the store.
func (t *Trail) Sync(ctx context.Context) error {
	done := make(chan struct{})
	t.queue.RLock()
	if t.closed {
		t.queue.RUnlock()
		return nil // Close wrote everything
	}
	select {
	case t.events <- item{synced: done}:
	case <-ctx.Done():
		t.queue.RUnlock()
		return ctx.Err()
	}
	t.queue.RUnlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// item is what waits in the queue: an event, or Sync's mark.
type item struct {
	ev     Event
	synced chan struct{}
}

// Close writes every queued event and signs a checkpoint of the head.
func (t *Trail) Close(ctx context.Context) error {
	t.queue.Lock()
	if t.closed {
		t.queue.Unlock()
		return nil
	}
	t.closed = true
	close(t.events)
	t.queue.Unlock()
	select {
	case <-t.done:
	case <-ctx.Done():
		return fmt.Errorf("audit: close: %w", ctx.Err())
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.checkpoint(ctx, true)
}

func (t *Trail) run() {
	defer close(t.done)
	ctx := context.Background()
	var prune <-chan time.Time
	if t.o.Retention > 0 {
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		prune = tick.C
		t.prune(ctx)
	}
	for {
		var batch []item
		select {
		case ev, ok := <-t.events:
			if !ok {
				return
			}
			batch = append(batch, ev)
		case <-prune:
			t.prune(ctx)
			continue
		}
		timer := time.NewTimer(t.o.FlushAfter)
	collect:
		for len(batch) < 512 {
			select {
			case ev, ok := <-t.events:
				if !ok {
					break collect
				}
				batch = append(batch, ev)
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		var (
			events []Event
			synced []chan struct{}
		)
		for _, it := range batch {
			if it.synced != nil {
				synced = append(synced, it.synced)
				continue
			}
			events = append(events, it.ev)
		}
		t.mu.Lock()
		t.write(ctx, events)
		if err := t.checkpoint(ctx, false); err != nil {
			t.o.Log.Error("audit: sign a checkpoint", "err", err)
		}
		t.mu.Unlock()
		for _, ch := range synced {
			close(ch)
		}
	}
}

// write seals and appends events, retrying both until the store takes
// them: an audit record is never dropped.
func (t *Trail) write(ctx context.Context, events []Event) {
	if len(events) == 0 {
		return
	}
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		recs := make([]store.AuditRecord, 0, len(events))
		for _, ev := range events {
			r, err := t.seal(ctx, ev)
			if err != nil {
				t.o.Log.Error("audit: seal a record; retrying", "kind", ev.Kind, "err", err)
				return struct{}{}, err
			}
			recs = append(recs, r)
		}
		err := t.st.AppendAudit(ctx, recs, chain)
		if err != nil {
			t.o.Log.Error("audit: append records; retrying", "records", len(recs), "err", err)
		}
		return struct{}{}, err
	}, backoff.WithMaxElapsedTime(0), backoff.WithBackOff(&backoff.ExponentialBackOff{
		InitialInterval: 50 * time.Millisecond, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: 5 * time.Second}))
	if err != nil {
		t.o.Log.Error("audit: append records", "records", len(events), "err", err)
	}
}

// seal turns ev into a record: its personal part sealed with the person's
// key, made on their first record.
func (t *Trail) seal(ctx context.Context, ev Event) (store.AuditRecord, error) {
	r := store.AuditRecord{At: ev.At.UTC().Truncate(time.Millisecond), Kind: ev.Kind, Customer: ev.Customer, Body: encodeBody(ev)}
	p := personal{Actor: ev.Actor, Client: ev.Client}
	if p == (personal{}) {
		return r, nil
	}
	r.ActorRef = t.keys.Ref(refSubject(ev.Actor.Subject, ev.Client))
	a, err := t.keys.person(ctx, t.st, r.ActorRef, true)
	if err != nil {
		return r, err
	}
	plain, _ := json.Marshal(p)
	r.Personal = seal(a, plain, []byte(r.ActorRef))
	return r, nil
}

// refSubject is what a record's pseudonym is made of: the subject, or for
// someone not signed in, their address.
func refSubject(subject, client string) string {
	if subject != "" {
		return subject
	}
	return "client:" + client
}

// checkpoint signs the head when CheckpointEvery records came after the
// last checkpoint, or when force is set and any did.
func (t *Trail) checkpoint(ctx context.Context, force bool) error {
	seq, head, err := t.st.AuditHead(ctx)
	if err != nil {
		return err
	}
	if seq == t.lastCP || (!force && seq-t.lastCP < int64(t.o.CheckpointEvery)) {
		return nil
	}
	c := store.AuditCheckpoint{Seq: seq, Head: head, At: t.o.Now().UTC().Truncate(time.Millisecond), KeyID: t.keys.keyID}
	c.Signature = ed25519.Sign(t.keys.signer, checkpointMessage(c))
	if err := t.st.SaveAuditCheckpoint(ctx, c); err != nil {
		return err
	}
	t.lastCP = seq
	if t.o.Mirror != nil {
		if err := t.o.Mirror(c); err != nil {
			return fmt.Errorf("audit: copy checkpoint %d: %w", seq, err)
		}
	}
	return nil
}

// checkpointMessage is what a checkpoint's signature covers.
func checkpointMessage(c store.AuditCheckpoint) []byte {
	return fmt.Appendf(nil, "%s checkpoint %d %x %d %s", hashVersion, c.Seq, c.Head, c.At.UnixMilli(), c.KeyID)
}

// prune drops the records older than the retention, up to the newest
// checkpoint they lie under.
func (t *Trail) prune(ctx context.Context) {
	cut, err := pruneBefore(ctx, t.st, t.o.Now().Add(-t.o.Retention))
	if err != nil {
		t.o.Log.Error("audit: prune", "err", err)
		return
	}
	if cut > 0 {
		t.o.Log.Info("audit: pruned records past the retention", "through_seq", cut)
	}
}

// pruneBefore deletes the records up to the newest checkpoint whose record
// is older than before, and reports that checkpoint's sequence (0: none).
func pruneBefore(ctx context.Context, st Store, before time.Time) (int64, error) {
	cps, err := st.AuditCheckpoints(ctx)
	if err != nil {
		return 0, err
	}
	for i := len(cps) - 1; i >= 0; i-- {
		rs, err := st.AuditRecords(ctx, store.AuditQuery{AfterSeq: cps[i].Seq - 1, Limit: 1})
		if err != nil {
			return 0, err
		}
		if len(rs) == 0 || rs[0].Seq != cps[i].Seq {
			return 0, nil // already pruned up to here
		}
		if rs[0].At.Before(before) {
			if _, err := st.PruneAudit(ctx, cps[i].Seq); err != nil && !errors.Is(err, store.ErrAuditPruned) {
				return 0, err
			}
			return cps[i].Seq, nil
		}
	}
	return 0, nil
}
