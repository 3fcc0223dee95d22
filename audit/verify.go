package audit

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"

	"github.com/atrium-dev/atrium/store"
)

// Reader is what verification and the admin view read.
type Reader interface {
	AuditRecords(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error)
	AuditCheckpoints(ctx context.Context) ([]store.AuditCheckpoint, error)
	AuditHead(ctx context.Context) (int64, []byte, error)
}

// Report is what Verify found.
type Report struct {
	First, Last int64 // sequences of the oldest and newest records kept
	Records     int64
	Checkpoints int // checkpoints whose signature holds
	// Problems, in order of sequence: the first says where the trail
	// breaks.
	Problems []Problem
}

// OK reports whether the trail verified.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Problem is one place where the trail is not what was written.
type Problem struct {
	Seq  int64
	What string
}

func (p Problem) String() string { return fmt.Sprintf("record %d: %s", p.Seq, p.What) }

// Verify checks the trail in r: every record's hash, each link to the
// record before, a start that is either the first record or covered by a
// checkpoint, every checkpoint's signature with pub and its head against
// the records, and no checkpoint (in the store or in mirrored, the second
// place's copies) past the newest record, which would show records cut off.
func Verify(ctx context.Context, r Reader, pub ed25519.PublicKey, mirrored []store.AuditCheckpoint) (Report, error) {
	var rep Report
	problem := func(seq int64, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Seq: seq, What: fmt.Sprintf(format, args...)})
	}
	stored, err := r.AuditCheckpoints(ctx)
	if err != nil {
		return rep, err
	}
	keyID := KeyID(pub)
	// Checkpoints by sequence; a mirrored one must agree with the stored.
	cps := map[int64]store.AuditCheckpoint{}
	check := func(c store.AuditCheckpoint, where string) bool {
		if c.KeyID != keyID {
			problem(c.Seq, "the %s checkpoint is signed by key %s, not by this key (%s)", where, c.KeyID, keyID)
			return false
		}
		if !ed25519.Verify(pub, checkpointMessage(c), c.Signature) {
			problem(c.Seq, "the %s checkpoint's signature does not hold: it was changed", where)
			return false
		}
		return true
	}
	for _, c := range stored {
		if check(c, "stored") {
			cps[c.Seq] = c
			rep.Checkpoints++
		}
	}
	for _, c := range mirrored {
		if !check(c, "copied") {
			continue
		}
		if s, ok := cps[c.Seq]; ok && !bytes.Equal(s.Head, c.Head) {
			problem(c.Seq, "the stored checkpoint differs from its copy")
			continue
		}
		if _, ok := cps[c.Seq]; !ok {
			cps[c.Seq] = c
		}
	}

	var (
		prevSeq  int64
		prevHash []byte
		first    = true
	)
	for after := int64(0); ; {
		page, err := r.AuditRecords(ctx, store.AuditQuery{AfterSeq: after, Limit: 1000})
		if err != nil {
			return rep, err
		}
		for _, rec := range page {
			if first {
				first = false
				rep.First = rec.Seq
				switch {
				case rec.Seq == 1:
					if len(rec.Prev) != 0 {
						problem(rec.Seq, "the first record names a record before it")
					}
				default:
					c, ok := cps[rec.Seq-1]
					if !ok {
						problem(rec.Seq, "records 1 to %d are missing and no checkpoint covers them", rec.Seq-1)
					} else if !bytes.Equal(c.Head, rec.Prev) {
						problem(rec.Seq, "does not follow the checkpoint of the records pruned before it")
					}
				}
			} else {
				if rec.Seq != prevSeq+1 {
					problem(prevSeq+1, "missing (the trail jumps from %d to %d)", prevSeq, rec.Seq)
				} else if !bytes.Equal(rec.Prev, prevHash) {
					problem(rec.Seq, "does not follow record %d: a record was changed, inserted or removed", prevSeq)
				}
			}
			if !hashMatches(rec) {
				problem(rec.Seq, "its content does not match its hash: it was changed")
			}
			if c, ok := cps[rec.Seq]; ok && !bytes.Equal(c.Head, rec.Hash) {
				problem(rec.Seq, "differs from what the checkpoint at %d signed", rec.Seq)
			}
			rep.Records++
			prevSeq, prevHash = rec.Seq, rec.Hash
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Seq
	}
	rep.Last = prevSeq
	var newestCP int64
	for seq := range cps {
		newestCP = max(newestCP, seq)
	}
	if newestCP > prevSeq {
		problem(prevSeq+1, "records %d to %d are missing: a checkpoint signed %d records, the trail ends at %d",
			prevSeq+1, newestCP, newestCP, prevSeq)
	}
	seq, head, err := r.AuditHead(ctx)
	if err != nil {
		return rep, err
	}
	switch {
	case seq > prevSeq:
		problem(prevSeq+1, "records %d to %d are missing: the trail's head says %d records", prevSeq+1, seq, seq)
	case seq == prevSeq && seq > 0 && !bytes.Equal(head, prevHash):
		problem(seq, "is not the record the trail's head names")
	}
	slices.SortStableFunc(rep.Problems, func(a, b Problem) int { return cmp.Compare(a.Seq, b.Seq) })
	return rep, nil
}
