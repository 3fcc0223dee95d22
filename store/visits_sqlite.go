package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RecordVisit notes that v.Subject opened v.CustomerID, named v.Name, at
// v.OpenedAt, and keeps only the keep customers they opened last, besides
// those they pinned.
func (s *SQLite) RecordVisit(ctx context.Context, v Visit, keep int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: record visit: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO customer_visits (subject, customer_id, name, opened_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (subject, customer_id) DO UPDATE SET name = excluded.name, opened_at = excluded.opened_at`,
		v.Subject, v.CustomerID, v.Name, ms(v.OpenedAt)); err != nil {
		return fmt.Errorf("store: record visit: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM customer_visits
		WHERE subject = ? AND pinned_at IS NULL AND customer_id NOT IN (
			SELECT customer_id FROM customer_visits WHERE subject = ? AND pinned_at IS NULL
			ORDER BY opened_at DESC, customer_id LIMIT ?)`, v.Subject, v.Subject, keep); err != nil {
		return fmt.Errorf("store: trim visits: %w", err)
	}
	return tx.Commit()
}

// Visit returns what subject's start page knows of one customer, or
// ErrNotFound.
func (s *SQLite) Visit(ctx context.Context, subject, customerID string) (Visit, error) {
	v := Visit{Subject: subject, CustomerID: customerID}
	var opened int64
	var pinned sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT name, opened_at, pinned_at FROM customer_visits
		WHERE subject = ? AND customer_id = ?`, subject, customerID).Scan(&v.Name, &opened, &pinned)
	if errors.Is(err, sql.ErrNoRows) {
		return Visit{}, ErrNotFound
	}
	if err != nil {
		return Visit{}, fmt.Errorf("store: read visit: %w", err)
	}
	v.OpenedAt, v.PinnedAt = fromMS(opened), fromMS(pinned.Int64)
	return v, nil
}

// Visits returns the customers subject opened or pinned, last opened first.
func (s *SQLite) Visits(ctx context.Context, subject string) ([]Visit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT customer_id, name, opened_at, pinned_at FROM customer_visits
		WHERE subject = ? ORDER BY opened_at DESC, customer_id`, subject)
	if err != nil {
		return nil, fmt.Errorf("store: read visits: %w", err)
	}
	defer rows.Close()
	var out []Visit
	for rows.Next() {
		v := Visit{Subject: subject}
		var opened int64
		var pinned sql.NullInt64
		if err := rows.Scan(&v.CustomerID, &v.Name, &opened, &pinned); err != nil {
			return nil, fmt.Errorf("store: read visits: %w", err)
		}
		v.OpenedAt, v.PinnedAt = fromMS(opened), fromMS(pinned.Int64)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read visits: %w", err)
	}
	return out, nil
}

// Pin pins v.CustomerID for v.Subject at v.PinnedAt (a customer never opened
// is added, named v.Name), or unpins it. A user who has limit customers
// pinned already gets ErrTooManyPins.
func (s *SQLite) Pin(ctx context.Context, v Visit, pinned bool, limit int) error {
	if !pinned {
		if _, err := s.db.ExecContext(ctx, `UPDATE customer_visits SET pinned_at = NULL
			WHERE subject = ? AND customer_id = ?`, v.Subject, v.CustomerID); err != nil {
			return fmt.Errorf("store: unpin: %w", err)
		}
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: pin: %w", err)
	}
	defer tx.Rollback()
	// Writing first takes SQLite's write lock before the count is read: a
	// read lock raised to a write one fails at once (SQLITE_BUSY) when
	// another connection writes meanwhile, as a visit being noted does.
	if _, err := tx.ExecContext(ctx, `UPDATE customer_visits SET pinned_at = pinned_at WHERE subject = ? AND customer_id = ?`,
		v.Subject, v.CustomerID); err != nil {
		return fmt.Errorf("store: pin: %w", err)
	}
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM customer_visits
		WHERE subject = ? AND pinned_at IS NOT NULL AND customer_id <> ?`, v.Subject, v.CustomerID).Scan(&others); err != nil {
		return fmt.Errorf("store: pin: %w", err)
	}
	if others >= limit {
		return ErrTooManyPins
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO customer_visits (subject, customer_id, name, opened_at, pinned_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (subject, customer_id) DO UPDATE SET pinned_at = excluded.pinned_at`,
		v.Subject, v.CustomerID, v.Name, ms(v.PinnedAt), ms(v.PinnedAt)); err != nil {
		return fmt.Errorf("store: pin: %w", err)
	}
	return tx.Commit()
}
