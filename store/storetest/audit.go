package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// AuditStore is what the Audit suite checks.
type AuditStore interface {
	AppendAudit(ctx context.Context, recs []store.AuditRecord, chain store.ChainFunc) error
	AuditRecords(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error)
	AuditHead(ctx context.Context) (int64, []byte, error)
	SaveAuditCheckpoint(ctx context.Context, c store.AuditCheckpoint) error
	AuditCheckpoints(ctx context.Context) ([]store.AuditCheckpoint, error)
	PruneAudit(ctx context.Context, throughSeq int64) (int64, error)
	AuditKey(ctx context.Context, ref string, generate func() ([]byte, error)) ([]byte, error)
	EraseAuditKey(ctx context.Context, ref string) error
}

// testChain links a record to the one before as the audit package would:
// its hash covers its sequence, its body and the previous hash.
func testChain(prevSeq int64, prevHash []byte, r *store.AuditRecord) error {
	r.Prev = prevHash
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%x|%s", prevSeq+1, prevHash, r.Body))
	r.Hash = sum[:]
	return nil
}

// Audit checks the audit trail: one gapless chain whoever appends, filters,
// checkpoints, pruning only what a checkpoint covers, and per-person keys.
func Audit[S AuditStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()
	rec := func(kind, customer, actor string, at time.Time, body string) store.AuditRecord {
		return store.AuditRecord{At: at, Kind: kind, Customer: customer, ActorRef: actor, Body: []byte(body), Personal: []byte("sealed " + body)}
	}

	t.Run("one gapless chain from concurrent appenders", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() {
				for b := range 10 {
					batch := []store.AuditRecord{
						rec("customer.view", "c1", "a", now, fmt.Sprintf("w%d b%d 0", w, b)),
						rec("customer.view", "c2", "b", now, fmt.Sprintf("w%d b%d 1", w, b)),
					}
					if err := s.AppendAudit(ctx, batch, testChain); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		all, err := s.AuditRecords(ctx, store.AuditQuery{Limit: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 120 {
			t.Fatalf("%d records, want 120", len(all))
		}
		var prev []byte
		for i, r := range all {
			if r.Seq != int64(i+1) {
				t.Fatalf("record %d has sequence %d", i, r.Seq)
			}
			if !bytes.Equal(r.Prev, prev) {
				t.Fatalf("record %d does not follow the one before: two appenders read one head", r.Seq)
			}
			check := r
			testChain(r.Seq-1, prev, &check)
			if !bytes.Equal(check.Hash, r.Hash) || string(r.Personal) != "sealed "+string(r.Body) || !r.At.Equal(now) {
				t.Fatalf("record %d not kept as appended: %+v", r.Seq, r)
			}
			prev = r.Hash
		}
		seq, head, err := s.AuditHead(ctx)
		if err != nil || seq != 120 || !bytes.Equal(head, prev) {
			t.Errorf("head %d %x, %v; want 120 and the last hash", seq, head, err)
		}
	})

	t.Run("a failing chain appends nothing", func(t *testing.T) {
		s := open(t)
		boom := errors.New("no key")
		err := s.AppendAudit(ctx, []store.AuditRecord{rec("k", "", "", now, "x"), rec("k", "", "", now, "y")},
			func(prevSeq int64, prevHash []byte, r *store.AuditRecord) error {
				if string(r.Body) == "y" {
					return boom
				}
				return testChain(prevSeq, prevHash, r)
			})
		if !errors.Is(err, boom) {
			t.Fatalf("append: %v, want the chain's error", err)
		}
		if all, _ := s.AuditRecords(ctx, store.AuditQuery{}); len(all) != 0 {
			t.Errorf("%d records kept of a failed batch", len(all))
		}
		if seq, _, _ := s.AuditHead(ctx); seq != 0 {
			t.Errorf("head moved to %d", seq)
		}
	})

	t.Run("filters and order", func(t *testing.T) {
		s := open(t)
		var batch []store.AuditRecord
		for i := range 10 {
			batch = append(batch, rec([]string{"customer.view", "auth.sign_in"}[i%2], fmt.Sprintf("c%d", i%3), fmt.Sprintf("u%d", i%2),
				now.Add(time.Duration(i)*time.Minute), fmt.Sprint(i)))
		}
		if err := s.AppendAudit(ctx, batch, testChain); err != nil {
			t.Fatal(err)
		}
		seqs := func(q store.AuditQuery) []int64 {
			rs, err := s.AuditRecords(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, r := range rs {
				out = append(out, r.Seq)
			}
			return out
		}
		for _, c := range []struct {
			name string
			q    store.AuditQuery
			want string
		}{
			{"actor", store.AuditQuery{ActorRef: "u1"}, "[2 4 6 8 10]"},
			{"customer and kind", store.AuditQuery{Customer: "c0", Kind: "customer.view"}, "[1 7]"},
			{"time", store.AuditQuery{From: now.Add(2 * time.Minute), To: now.Add(5 * time.Minute)}, "[3 4 5]"},
			{"after", store.AuditQuery{AfterSeq: 7}, "[8 9 10]"},
			{"newest first", store.AuditQuery{Newest: true, Limit: 3}, "[10 9 8]"},
			{"before", store.AuditQuery{BeforeSeq: 8, Limit: 2}, "[7 6]"},
			{"limit", store.AuditQuery{Limit: 2}, "[1 2]"},
		} {
			if got := fmt.Sprint(seqs(c.q)); got != c.want {
				t.Errorf("%s: %s, want %s", c.name, got, c.want)
			}
		}
	})

	t.Run("checkpoints and pruning", func(t *testing.T) {
		s := open(t)
		var batch []store.AuditRecord
		for i := range 5 {
			batch = append(batch, rec("k", "", "", now, fmt.Sprint(i)))
		}
		if err := s.AppendAudit(ctx, batch, testChain); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PruneAudit(ctx, 3); !errors.Is(err, store.ErrAuditPruned) {
			t.Fatalf("prune without a checkpoint: %v", err)
		}
		cp := store.AuditCheckpoint{Seq: 3, Head: batch[2].Hash, At: now, KeyID: "k1", Signature: []byte("sig")}
		if err := s.SaveAuditCheckpoint(ctx, cp); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAuditCheckpoint(ctx, store.AuditCheckpoint{Seq: 3, Head: []byte("other"), At: now, KeyID: "k2", Signature: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		cps, err := s.AuditCheckpoints(ctx)
		if err != nil || len(cps) != 1 || cps[0].KeyID != "k1" || !bytes.Equal(cps[0].Head, cp.Head) || !cps[0].At.Equal(now) {
			t.Fatalf("checkpoints %+v, %v; want the first one kept", cps, err)
		}
		n, err := s.PruneAudit(ctx, 3)
		if err != nil || n != 3 {
			t.Fatalf("prune: %d, %v", n, err)
		}
		rest, _ := s.AuditRecords(ctx, store.AuditQuery{})
		if len(rest) != 2 || rest[0].Seq != 4 || !bytes.Equal(rest[0].Prev, cp.Head) {
			t.Fatalf("after pruning: %+v", rest)
		}
		// The chain goes on from the head, not from what is left.
		if err := s.AppendAudit(ctx, []store.AuditRecord{rec("k", "", "", now, "6")}, testChain); err != nil {
			t.Fatal(err)
		}
		if rs, _ := s.AuditRecords(ctx, store.AuditQuery{AfterSeq: 5}); len(rs) != 1 || rs[0].Seq != 6 {
			t.Errorf("appended after pruning: %+v", rs)
		}
	})

	t.Run("per-person keys", func(t *testing.T) {
		s := open(t)
		if _, err := s.AuditKey(ctx, "u1", nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a key never made: %v", err)
		}
		k, err := s.AuditKey(ctx, "u1", func() ([]byte, error) { return []byte("key-1"), nil })
		if err != nil || string(k) != "key-1" {
			t.Fatalf("made: %q, %v", k, err)
		}
		if k, _ := s.AuditKey(ctx, "u1", func() ([]byte, error) { return []byte("key-2"), nil }); string(k) != "key-1" {
			t.Fatalf("made again: %q", k)
		}
		if err := s.EraseAuditKey(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuditKey(ctx, "u1", nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an erased key: %v", err)
		}
	})
}
