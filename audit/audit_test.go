package audit_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/store"
)

type trailEnv struct {
	st       *store.SQLite
	raw      *sql.DB
	keys     *audit.Keys
	mirrored []store.AuditCheckpoint
	mu       sync.Mutex
}

func newEnv(t *testing.T) *trailEnv {
	t.Helper()
	path := filepath.Join(t.TempDir(), "atrium.db")
	st, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	_, signer, _ := ed25519.GenerateKey(nil)
	keys, err := audit.NewKeys([]byte(strings.Repeat("s", 32)), signer)
	if err != nil {
		t.Fatal(err)
	}
	return &trailEnv{st: st, raw: raw, keys: keys}
}

func (e *trailEnv) trail(t *testing.T, o audit.Options) *audit.Trail {
	t.Helper()
	o.Mirror = func(c store.AuditCheckpoint) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.mirrored = append(e.mirrored, c)
		return nil
	}
	tr, err := audit.New(context.Background(), e.st, e.keys, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close(context.Background()) })
	return tr
}

func (e *trailEnv) verify(t *testing.T) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), e.st, e.keys.Public(), e.mirrored)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (e *trailEnv) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.raw.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func view(i int) audit.Event {
	return audit.Event{Kind: audit.KindCustomerView, Actor: audit.Actor{Subject: fmt.Sprintf("user-%d", i%3), Email: fmt.Sprintf("user%d@example.com", i%3)},
		Client: "192.0.2.7", Customer: fmt.Sprintf("cust-%d", i%4), Sources: []string{"salesforce", "billing"}, Fields: []string{"billing.invoices.amount"}, Outcome: "ok"}
}

// writeClosed records n views, waiting for them to be written every
// o.CheckpointEvery, and closes the trail, which signs the head.
func (e *trailEnv) writeClosed(t *testing.T, n int, o audit.Options) {
	t.Helper()
	tr := e.trail(t, o)
	for i := range n {
		tr.Record(view(i))
		if o.CheckpointEvery > 0 && (i+1)%o.CheckpointEvery == 0 {
			if err := tr.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tr.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func wantBreak(t *testing.T, rep audit.Report, seq int64, what string) {
	t.Helper()
	if rep.OK() {
		t.Fatalf("the trail verified; want a break at %d (%s)", seq, what)
	}
	if p := rep.Problems[0]; p.Seq != seq || !strings.Contains(p.What, what) {
		t.Errorf("first problem %q; want record %d: …%s…", p, seq, what)
	}
}

func TestTrailVerifies(t *testing.T) {
	e := newEnv(t)
	e.writeClosed(t, 25, audit.Options{CheckpointEvery: 10})
	rep := e.verify(t)
	if !rep.OK() || rep.Records != 25 || rep.First != 1 || rep.Last != 25 {
		t.Fatalf("report %+v", rep)
	}
	if rep.Checkpoints < 2 || len(e.mirrored) != rep.Checkpoints || e.mirrored[len(e.mirrored)-1].Seq != 25 {
		t.Errorf("checkpoints %d, mirrored %+v; want some while writing and one of the head at close, each copied", rep.Checkpoints, e.mirrored)
	}
	// What names a person is not in the database in clear.
	var n int
	if err := e.raw.QueryRow(`SELECT COUNT(*) FROM audit_records WHERE CAST(personal AS TEXT) LIKE '%example.com%'
		OR actor_ref LIKE '%user%' OR CAST(body AS TEXT) LIKE '%user%' OR CAST(body AS TEXT) LIKE '%192.0.2%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d records name a person in clear", n)
	}
	log := audit.NewLog(e.st, e.keys)
	got, err := log.List(context.Background(), audit.Query{Subject: "user-1", Customer: "cust-1", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Actor.Email != "user1@example.com" || got[0].Client != "192.0.2.7" || got[0].Customer != "cust-1" ||
		strings.Join(got[0].Fields, ",") != "billing.invoices.amount" || got[0].Seq < got[len(got)-1].Seq {
		t.Errorf("entries %+v", got)
	}
}

func TestVerifyFindsWhereTheTrailBreaks(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, e *trailEnv)
		seq    int64
		what   string
	}{
		{"a record changed", func(t *testing.T, e *trailEnv) {
			e.exec(t, `UPDATE audit_records SET customer = 'cust-9' WHERE seq = 7`)
		}, 7, "does not match its hash"},
		{"a record changed and rehashed", func(t *testing.T, e *trailEnv) {
			e.exec(t, `UPDATE audit_records SET body = X'7B7D' WHERE seq = 7`)
			e.exec(t, `UPDATE audit_records SET hash = X'00' WHERE seq = 7`)
		}, 7, "does not match its hash"},
		{"a record removed", func(t *testing.T, e *trailEnv) {
			e.exec(t, `DELETE FROM audit_records WHERE seq = 12`)
		}, 12, "missing"},
		{"the oldest records removed", func(t *testing.T, e *trailEnv) {
			e.exec(t, `DELETE FROM audit_records WHERE seq <= 3`)
		}, 4, "no checkpoint covers them"},
		{"the newest records cut off, head and checkpoints too", func(t *testing.T, e *trailEnv) {
			var hash []byte
			if err := e.raw.QueryRow(`SELECT hash FROM audit_records WHERE seq = 20`).Scan(&hash); err != nil {
				t.Fatal(err)
			}
			e.exec(t, `DELETE FROM audit_records WHERE seq > 20`)
			e.exec(t, `DELETE FROM audit_checkpoints WHERE seq > 20`)
			e.exec(t, `UPDATE audit_head SET seq = 20, hash = ?`, hash)
		}, 21, "a checkpoint signed 25 records"},
		{"the newest records cut off", func(t *testing.T, e *trailEnv) {
			e.exec(t, `DELETE FROM audit_records WHERE seq > 22`)
		}, 23, "missing"},
		{"a checkpoint forged", func(t *testing.T, e *trailEnv) {
			e.exec(t, `UPDATE audit_checkpoints SET head = X'0102' WHERE seq = 10`)
		}, 10, "signature does not hold"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.writeClosed(t, 25, audit.Options{CheckpointEvery: 10})
			if rep := e.verify(t); !rep.OK() {
				t.Fatalf("before: %v", rep.Problems)
			}
			c.tamper(t, e)
			wantBreak(t, e.verify(t), c.seq, c.what)
		})
	}
}

func TestErasureKeepsTheChain(t *testing.T) {
	e := newEnv(t)
	e.writeClosed(t, 9, audit.Options{})
	log := audit.NewLog(e.st, e.keys)
	if err := log.Erase(context.Background(), "user-1"); err != nil {
		t.Fatal(err)
	}
	entries, err := log.List(context.Background(), audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var erased, named int
	for _, en := range entries {
		switch {
		case en.Erased && en.Actor == (audit.Actor{}) && en.Client == "" && en.Customer != "":
			erased++
		case en.Actor.Subject != "user-1" && !en.Erased:
			named++
		default:
			t.Errorf("entry %+v", en)
		}
	}
	if erased != 3 || named != 6 {
		t.Errorf("%d erased, %d still named; want user-1's 3 erased, the others' 6 kept", erased, named)
	}
	if rep := e.verify(t); !rep.OK() {
		t.Errorf("after erasure: %v", rep.Problems)
	}
}

func TestRetentionPrunesWholeSegments(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := now
	var mu sync.Mutex
	tick := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Hour); return clock }
	e.writeClosed(t, 30, audit.Options{CheckpointEvery: 10, Now: tick})
	// Records are an hour apart; keep those of the last 12 hours.
	tr := e.trail(t, audit.Options{Retention: 12 * time.Hour, Now: func() time.Time { return now.Add(31 * time.Hour) }})
	if err := tr.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep := e.verify(t)
	if !rep.OK() || rep.First != 11 || rep.Last != 30 {
		t.Errorf("after pruning: %+v; want records 11 to 30 kept and verified: 1 to 10 are a segment older than 12 hours, 11 to 20 is not wholly older", rep)
	}
}

func TestConcurrentRecordsAreOneChain(t *testing.T) {
	e := newEnv(t)
	tr := e.trail(t, audit.Options{CheckpointEvery: 500})
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Go(func() {
			for i := range 50 {
				tr.Record(view(g*50 + i))
			}
		})
	}
	wg.Wait()
	if err := tr.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep := e.verify(t)
	if !rep.OK() || rep.Records != 1000 {
		t.Errorf("%+v", rep)
	}
	// Written after Close too, and never lost.
	tr.Close(context.Background())
	tr.Record(view(1))
	if rep := e.verify(t); rep.Records != 1001 {
		t.Errorf("after close: %d records", rep.Records)
	}
}

// flakyStore fails its first calls, as a store that is away for a moment.
type flakyStore struct {
	audit.Store
	mu               sync.Mutex
	appends, keyLoss int
}

func (f *flakyStore) AppendAudit(ctx context.Context, recs []store.AuditRecord, c store.ChainFunc) error {
	f.mu.Lock()
	fail := f.appends > 0
	f.appends--
	f.mu.Unlock()
	if fail {
		return fmt.Errorf("connection refused")
	}
	return f.Store.AppendAudit(ctx, recs, c)
}

func (f *flakyStore) AuditKey(ctx context.Context, ref string, gen func() ([]byte, error)) ([]byte, error) {
	f.mu.Lock()
	fail := f.keyLoss > 0
	f.keyLoss--
	f.mu.Unlock()
	if fail {
		return nil, fmt.Errorf("connection refused")
	}
	return f.Store.AuditKey(ctx, ref, gen)
}

// Records written while the store refuses them are kept and written once
// it answers: none is lost.
func TestRecordsOutliveAStoreThatIsAway(t *testing.T) {
	e := newEnv(t)
	flaky := &flakyStore{Store: e.st, appends: 3, keyLoss: 2}
	tr, err := audit.New(context.Background(), flaky, e.keys, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		tr.Record(view(i))
	}
	if err := tr.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep := e.verify(t); !rep.OK() || rep.Records != 20 {
		t.Errorf("%+v; want the 20 records, verified", rep)
	}
}
