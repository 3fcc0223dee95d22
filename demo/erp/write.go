package erp

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// writer inserts the ERP's rows through prepared statements: values are
// always bound, never written into the SQL.
type writer struct {
	d                                   Dialect
	customers, orders, lines, shipments *sql.Stmt
}

func newWriter(ctx context.Context, tx *sql.Tx, d Dialect) (*writer, error) {
	w := &writer{d: d}
	for _, s := range []struct {
		stmt  **sql.Stmt
		table string
		cols  []string
	}{
		{&w.customers, "customers", []string{"customer_no", "name", "vat_id", "domain", "billing_email", "city", "country", "salesforce_id"}},
		{&w.orders, "orders", []string{"order_no", "customer_no", "ordered_at", "status", "total", "currency"}},
		{&w.lines, "order_lines", []string{"order_no", "line_no", "sku", "description", "qty", "unit_price"}},
		{&w.shipments, "shipments", []string{"shipment_no", "order_no", "carrier", "tracking_no", "shipped_at", "delivered_at"}},
	} {
		stmt, err := tx.PrepareContext(ctx, insert(d, s.table, s.cols))
		if err != nil {
			w.close()
			return nil, fmt.Errorf("erp: seed: prepare %s: %w", s.table, err)
		}
		*s.stmt = stmt
	}
	return w, nil
}

// insert returns an INSERT with the dialect's placeholders.
func insert(d Dialect, table string, cols []string) string {
	marks := make([]string, len(cols))
	for i := range cols {
		marks[i] = "?"
		if d == Postgres {
			marks[i] = "$" + strconv.Itoa(i+1)
		}
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(cols, ", "), strings.Join(marks, ", "))
}

func (w *writer) close() {
	for _, s := range []*sql.Stmt{w.customers, w.orders, w.lines, w.shipments} {
		if s != nil {
			_ = s.Close()
		}
	}
}

func (w *writer) customer(ctx context.Context, c Customer) error {
	_, err := w.customers.ExecContext(ctx, c.No, c.Name, null(c.VATID), null(c.Domain), null(c.BillingEmail),
		null(c.City), c.Country, null(c.SalesforceID))
	if err != nil {
		return fmt.Errorf("erp: seed: customer %s: %w", c.No, err)
	}
	return nil
}

func (w *writer) order(ctx context.Context, o order) error {
	if _, err := w.orders.ExecContext(ctx, o.no, o.customer, w.date(o.orderedAt), o.status, amount(o.totalCents), o.currency); err != nil {
		return fmt.Errorf("erp: seed: order %s: %w", o.no, err)
	}
	for _, l := range o.lines {
		if _, err := w.lines.ExecContext(ctx, o.no, l.no, l.sku, l.description, l.qty, amount(l.unitCents)); err != nil {
			return fmt.Errorf("erp: seed: order %s line %d: %w", o.no, l.no, err)
		}
	}
	if s := o.shipment; s != nil {
		var delivered any
		if s.deliveredAt != nil {
			delivered = w.timestamp(*s.deliveredAt)
		}
		if _, err := w.shipments.ExecContext(ctx, s.no, o.no, s.carrier, s.tracking, w.timestamp(s.shippedAt), delivered); err != nil {
			return fmt.Errorf("erp: seed: shipment %s: %w", s.no, err)
		}
	}
	return nil
}

// date and timestamp bind times: PostgreSQL takes them typed, SQLite as the
// text forms its date functions read.
func (w *writer) date(t time.Time) any {
	if w.d == Postgres {
		return t
	}
	return t.Format(time.DateOnly)
}

func (w *writer) timestamp(t time.Time) any {
	if w.d == Postgres {
		return t.UTC()
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// null binds an empty text as NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}
