package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var _ auditBackend = (*SQLite)(nil)

// AppendAudit adds recs at the end of the trail in one transaction, giving
// each the next sequence and letting chain link it to the one before.
func (s *SQLite) AppendAudit(ctx context.Context, recs []AuditRecord, chain ChainFunc) error {
	if len(recs) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	defer tx.Rollback()
	// Writing first takes SQLite's write lock before the head is read, so
	// that two appenders never read the same head.
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1`); err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	var (
		seq  int64
		prev []byte
	)
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("store: append audit: read head: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO audit_records
		(seq, at, kind, customer, actor_ref, body, personal, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	defer ins.Close()
	for i := range recs {
		r := &recs[i]
		if err := chain(seq, prev, r); err != nil {
			return err
		}
		seq++
		r.Seq = seq
		if _, err := ins.ExecContext(ctx, r.Seq, ms(r.At), r.Kind, r.Customer, r.ActorRef, nonNilBytes(r.Body), r.Personal, r.Prev, r.Hash); err != nil {
			return fmt.Errorf("store: append audit: %w", err)
		}
		prev = r.Hash
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, seq, prev); err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	return nil
}

func (s *SQLite) AuditRecords(ctx context.Context, q AuditQuery) ([]AuditRecord, error) {
	query, args := auditSelect(q, func(int) string { return "?" }, func(t time.Time) any { return ms(t) })
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read audit: %w", err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var (
			r  AuditRecord
			at int64
		)
		if err := rows.Scan(&r.Seq, &at, &r.Kind, &r.Customer, &r.ActorRef, &r.Body, &r.Personal, &r.Prev, &r.Hash); err != nil {
			return nil, fmt.Errorf("store: read audit: %w", err)
		}
		r.At = fromMS(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read audit: %w", err)
	}
	return out, nil
}

func (s *SQLite) AuditHead(ctx context.Context) (int64, []byte, error) {
	var (
		seq  int64
		hash []byte
	)
	if err := s.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash); err != nil {
		return 0, nil, fmt.Errorf("store: read audit head: %w", err)
	}
	return seq, hash, nil
}

func (s *SQLite) SaveAuditCheckpoint(ctx context.Context, c AuditCheckpoint) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, head, at, key_id, signature)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`, c.Seq, c.Head, ms(c.At), c.KeyID, c.Signature); err != nil {
		return fmt.Errorf("store: save audit checkpoint: %w", err)
	}
	return nil
}

func (s *SQLite) AuditCheckpoints(ctx context.Context) ([]AuditCheckpoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, head, at, key_id, signature FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: read audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []AuditCheckpoint
	for rows.Next() {
		var (
			c  AuditCheckpoint
			at int64
		)
		if err := rows.Scan(&c.Seq, &c.Head, &at, &c.KeyID, &c.Signature); err != nil {
			return nil, fmt.Errorf("store: read audit checkpoints: %w", err)
		}
		c.At = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PruneAudit deletes the records up to and including throughSeq, which must
// be a checkpoint's: the checkpoint stays and vouches for the next record's
// Prev.
func (s *SQLite) PruneAudit(ctx context.Context, throughSeq int64) (int64, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM audit_checkpoints WHERE seq = ?`, throughSeq).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrAuditPruned
	}
	if err != nil {
		return 0, fmt.Errorf("store: prune audit: %w", err)
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM audit_records WHERE seq <= ?`, throughSeq)
	if err != nil {
		return 0, fmt.Errorf("store: prune audit: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func (s *SQLite) AuditKey(ctx context.Context, ref string, generate func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, `SELECT wrapped FROM audit_keys WHERE ref = ?`, ref).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: read audit key: %w", err)
	}
	if generate == nil {
		return nil, ErrNotFound
	}
	nv, err := generate()
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO audit_keys (ref, wrapped, created_at) VALUES (?, ?, ?)
		ON CONFLICT (ref) DO NOTHING`, ref, nv, ms(time.Now())); err != nil {
		return nil, fmt.Errorf("store: save audit key: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT wrapped FROM audit_keys WHERE ref = ?`, ref).Scan(&v); err != nil {
		return nil, fmt.Errorf("store: read audit key: %w", err)
	}
	return v, nil
}

func (s *SQLite) EraseAuditKey(ctx context.Context, ref string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM audit_keys WHERE ref = ?`, ref); err != nil {
		return fmt.Errorf("store: erase audit key: %w", err)
	}
	return nil
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
