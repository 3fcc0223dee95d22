package store

import (
	"context"
	"errors"
	"time"
)

// AuditRecord is one entry of the audit trail as stored. The store keeps
// and orders records; the audit package decides what they say and chains
// them: Hash covers every other field, Prev included.
type AuditRecord struct {
	Seq      int64 // 1, 2, …, given by AppendAudit
	At       time.Time
	Kind     string // "customer.view", "auth.sign_in", …
	Customer string // the customer concerned, or ""
	ActorRef string // a pseudonym of who acted: filterable, names nobody
	Body     []byte // what happened, naming nobody
	Personal []byte // what names a person, sealed with the person's key
	Prev     []byte // Hash of the record before, or of the checkpoint covering the pruned ones
	Hash     []byte
}

// AuditCheckpoint is a signed statement that the trail had Seq records,
// the last with hash Head.
type AuditCheckpoint struct {
	Seq       int64
	Head      []byte
	At        time.Time
	KeyID     string
	Signature []byte
}

// AuditQuery selects records. Zero fields do not filter.
type AuditQuery struct {
	ActorRef string
	Customer string
	Kind     string
	From, To time.Time // From ≤ At < To
	AfterSeq int64     // records with Seq > AfterSeq (ascending), or < BeforeSeq (descending)
	// BeforeSeq, when set, lists newest first, below it.
	BeforeSeq int64
	Newest    bool // newest first (from the end when BeforeSeq is 0)
	Limit     int  // 0: 1,000
}

// ChainFunc fills r.Prev and r.Hash given the record before it: prevSeq is
// 0 and prevHash nil for the first record of an empty trail.
type ChainFunc func(prevSeq int64, prevHash []byte, r *AuditRecord) error

// ErrAuditPruned is returned when a prune would cut into records that no
// checkpoint covers.
var ErrAuditPruned = errors.New("store: no checkpoint at that sequence: prune only up to a checkpoint")

// auditBackend is the audit capability every implementation provides.
type auditBackend interface {
	AppendAudit(ctx context.Context, recs []AuditRecord, chain ChainFunc) error
	AuditRecords(ctx context.Context, q AuditQuery) ([]AuditRecord, error)
	AuditHead(ctx context.Context) (seq int64, hash []byte, err error)
	SaveAuditCheckpoint(ctx context.Context, c AuditCheckpoint) error
	AuditCheckpoints(ctx context.Context) ([]AuditCheckpoint, error)
	PruneAudit(ctx context.Context, throughSeq int64) (int64, error)
	AuditKey(ctx context.Context, ref string, generate func() ([]byte, error)) ([]byte, error)
	EraseAuditKey(ctx context.Context, ref string) error
}

func auditLimit(n int) int {
	if n <= 0 || n > 10_000 {
		return 1000
	}
	return n
}
