package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RecordVisit: see SQLite.RecordVisit.
func (p *Postgres) RecordVisit(ctx context.Context, v Visit, keep int) error {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: record visit: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `INSERT INTO customer_visits (subject, customer_id, name, opened_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (subject, customer_id) DO UPDATE SET name = excluded.name, opened_at = excluded.opened_at`,
		v.Subject, v.CustomerID, v.Name, v.OpenedAt); err != nil {
		return fmt.Errorf("store: record visit: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM customer_visits
		WHERE subject = $1 AND pinned_at IS NULL AND customer_id NOT IN (
			SELECT customer_id FROM customer_visits WHERE subject = $1 AND pinned_at IS NULL
			ORDER BY opened_at DESC, customer_id LIMIT $2)`, v.Subject, keep); err != nil {
		return fmt.Errorf("store: trim visits: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: record visit: %w", err)
	}
	return nil
}

// Visit: see SQLite.Visit.
func (p *Postgres) Visit(ctx context.Context, subject, customerID string) (Visit, error) {
	v := Visit{Subject: subject, CustomerID: customerID}
	var pinned *time.Time
	err := p.pool.QueryRow(ctx, `SELECT name, opened_at, pinned_at FROM customer_visits
		WHERE subject = $1 AND customer_id = $2`, subject, customerID).Scan(&v.Name, &v.OpenedAt, &pinned)
	if errors.Is(err, pgx.ErrNoRows) {
		return Visit{}, ErrNotFound
	}
	if err != nil {
		return Visit{}, fmt.Errorf("store: read visit: %w", err)
	}
	if pinned != nil {
		v.PinnedAt = *pinned
	}
	return v, nil
}

// Visits: see SQLite.Visits.
func (p *Postgres) Visits(ctx context.Context, subject string) ([]Visit, error) {
	rows, err := p.pool.Query(ctx, `SELECT customer_id, name, opened_at, pinned_at FROM customer_visits
		WHERE subject = $1 ORDER BY opened_at DESC, customer_id`, subject)
	if err != nil {
		return nil, fmt.Errorf("store: read visits: %w", err)
	}
	defer rows.Close()
	var out []Visit
	for rows.Next() {
		v := Visit{Subject: subject}
		var pinned *time.Time
		if err := rows.Scan(&v.CustomerID, &v.Name, &v.OpenedAt, &pinned); err != nil {
			return nil, fmt.Errorf("store: read visits: %w", err)
		}
		if pinned != nil {
			v.PinnedAt = *pinned
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read visits: %w", err)
	}
	return out, nil
}

// Pin: see SQLite.Pin. The count of a user's pins and the pin are one
// transaction; two pins of one user at the same instant may both pass.
func (p *Postgres) Pin(ctx context.Context, v Visit, pinned bool, limit int) error {
	if !pinned {
		if _, err := p.pool.Exec(ctx, `UPDATE customer_visits SET pinned_at = NULL
			WHERE subject = $1 AND customer_id = $2`, v.Subject, v.CustomerID); err != nil {
			return fmt.Errorf("store: unpin: %w", err)
		}
		return nil
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: pin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var others int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM customer_visits
		WHERE subject = $1 AND pinned_at IS NOT NULL AND customer_id <> $2`, v.Subject, v.CustomerID).Scan(&others); err != nil {
		return fmt.Errorf("store: pin: %w", err)
	}
	if others >= limit {
		return ErrTooManyPins
	}
	if _, err := tx.Exec(ctx, `INSERT INTO customer_visits (subject, customer_id, name, opened_at, pinned_at)
		VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (subject, customer_id) DO UPDATE SET pinned_at = excluded.pinned_at`,
		v.Subject, v.CustomerID, v.Name, v.PinnedAt); err != nil {
		return fmt.Errorf("store: pin: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: pin: %w", err)
	}
	return nil
}
