package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

var _ auditBackend = (*Postgres)(nil)

// AppendAudit adds recs at the end of the trail in one transaction. The
// head row is locked first, so instances sharing the database extend one
// chain, one batch after the other.
func (p *Postgres) AppendAudit(ctx context.Context, recs []AuditRecord, chain ChainFunc) error {
	if len(recs) == 0 {
		return nil
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var (
		seq  int64
		prev []byte
	)
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("store: append audit: read head: %w", err)
	}
	rows := make([][]any, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		if err := chain(seq, prev, r); err != nil {
			return err
		}
		seq++
		r.Seq = seq
		rows = append(rows, []any{r.Seq, r.At, r.Kind, r.Customer, r.ActorRef, nonNilBytes(r.Body), r.Personal, r.Prev, r.Hash})
		prev = r.Hash
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_records"},
		[]string{"seq", "at", "kind", "customer", "actor_ref", "body", "personal", "prev", "hash"},
		pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, seq, prev); err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	return nil
}

func (p *Postgres) AuditRecords(ctx context.Context, q AuditQuery) ([]AuditRecord, error) {
	query, args := auditSelect(q, func(i int) string { return "$" + strconv.Itoa(i) }, func(t time.Time) any { return t })
	rows, err := p.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read audit: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditRecord, error) {
		var r AuditRecord
		err := row.Scan(&r.Seq, &r.At, &r.Kind, &r.Customer, &r.ActorRef, &r.Body, &r.Personal, &r.Prev, &r.Hash)
		r.At = r.At.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: read audit: %w", err)
	}
	return out, nil
}

func (p *Postgres) AuditHead(ctx context.Context) (int64, []byte, error) {
	var (
		seq  int64
		hash []byte
	)
	if err := p.pool.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash); err != nil {
		return 0, nil, fmt.Errorf("store: read audit head: %w", err)
	}
	return seq, hash, nil
}

func (p *Postgres) SaveAuditCheckpoint(ctx context.Context, c AuditCheckpoint) error {
	if _, err := p.pool.Exec(ctx, `INSERT INTO audit_checkpoints (seq, head, at, key_id, signature)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING`, c.Seq, c.Head, c.At, c.KeyID, c.Signature); err != nil {
		return fmt.Errorf("store: save audit checkpoint: %w", err)
	}
	return nil
}

func (p *Postgres) AuditCheckpoints(ctx context.Context) ([]AuditCheckpoint, error) {
	rows, err := p.pool.Query(ctx, `SELECT seq, head, at, key_id, signature FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: read audit checkpoints: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditCheckpoint, error) {
		var c AuditCheckpoint
		err := row.Scan(&c.Seq, &c.Head, &c.At, &c.KeyID, &c.Signature)
		c.At = c.At.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: read audit checkpoints: %w", err)
	}
	return out, nil
}

func (p *Postgres) PruneAudit(ctx context.Context, throughSeq int64) (int64, error) {
	var one int
	err := p.pool.QueryRow(ctx, `SELECT 1 FROM audit_checkpoints WHERE seq = $1`, throughSeq).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrAuditPruned
	}
	if err != nil {
		return 0, fmt.Errorf("store: prune audit: %w", err)
	}
	tag, err := p.pool.Exec(ctx, `DELETE FROM audit_records WHERE seq <= $1`, throughSeq)
	if err != nil {
		return 0, fmt.Errorf("store: prune audit: %w", err)
	}
	return tag.RowsAffected(), nil
}

func (p *Postgres) AuditKey(ctx context.Context, ref string, generate func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := p.pool.QueryRow(ctx, `SELECT wrapped FROM audit_keys WHERE ref = $1`, ref).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: read audit key: %w", err)
	}
	if generate == nil {
		return nil, ErrNotFound
	}
	nv, err := generate()
	if err != nil {
		return nil, err
	}
	if _, err := p.pool.Exec(ctx, `INSERT INTO audit_keys (ref, wrapped, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (ref) DO NOTHING`, ref, nv, time.Now()); err != nil {
		return nil, fmt.Errorf("store: save audit key: %w", err)
	}
	if err := p.pool.QueryRow(ctx, `SELECT wrapped FROM audit_keys WHERE ref = $1`, ref).Scan(&v); err != nil {
		return nil, fmt.Errorf("store: read audit key: %w", err)
	}
	return v, nil
}

func (p *Postgres) EraseAuditKey(ctx context.Context, ref string) error {
	if _, err := p.pool.Exec(ctx, `DELETE FROM audit_keys WHERE ref = $1`, ref); err != nil {
		return fmt.Errorf("store: erase audit key: %w", err)
	}
	return nil
}
