// Package erp is the demo's legacy ERP: a SQL database of customers, orders,
// order lines and shipments, seeded deterministically for a list of customers,
// and the sqldb settings that connect Atrium to it. The same schema and data
// load into SQLite (a file, for `atrium demo`) or PostgreSQL (for tests against
// a real server).
package erp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Account is a customer the ERP is seeded with.
type Account struct {
	Name   string
	Domain string // the website's domain, e.g. acme-corp.com
	// SalesforceID is the Salesforce account the ERP record points to; empty
	// for a customer Salesforce knows only by its domain, or not at all.
	SalesforceID string
	// City and Country (ISO 3166 alpha-2) default to a place chosen from the
	// name.
	City, Country string
}

// Customer is an Account as the ERP holds it.
type Customer struct {
	Account
	No           string // customer_no, e.g. C-10042
	VATID        string // empty where the country has no VAT
	BillingEmail string
	Currency     string // of the customer's orders
}

// Dialect is the SQL flavour of the database Seed writes to.
type Dialect int

const (
	SQLite Dialect = iota + 1
	Postgres
)

// Customers returns the customers Seed writes for accounts: numbered in the
// order given, with attributes that depend only on each account.
func Customers(accounts []Account) []Customer {
	out := make([]Customer, len(accounts))
	for i, a := range accounts {
		out[i] = customerOf(i, a)
	}
	return out
}

// Create writes a new SQLite database file at path with the ERP's schema and
// data. It fails if the file exists, and never touches an existing file. If
// seeding fails, the file it created is removed: a file left behind empty
// would be taken for a seeded ERP on the next run.
func Create(ctx context.Context, path string, now time.Time, accounts []Account) (err error) {
	// Creating the file exclusively, rather than checking first, leaves no
	// moment in which another process's file could be opened and then removed.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("erp: create %s: the file exists; remove it to seed a new database, or use it as it is", path)
	} else if err != nil {
		return fmt.Errorf("erp: create: %w", err)
	}
	if err := f.Close(); err != nil {
		return errors.Join(fmt.Errorf("erp: create %s: %w", path, err), os.Remove(path))
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, os.Remove(path))
		}
	}()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("erp: create %s: %w", path, err)
	}
	defer func() {
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("erp: create %s: %w", path, cerr)
		}
	}()
	return Seed(ctx, db, SQLite, now, accounts)
}

// Seed creates the ERP's tables in db and fills them, in one transaction.
// Dates are relative to now; the data depends only on now and accounts.
func Seed(ctx context.Context, db *sql.DB, d Dialect, now time.Time, accounts []Account) error {
	if d != SQLite && d != Postgres {
		return fmt.Errorf("erp: seed: unknown dialect %d", d)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("erp: seed: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	for _, stmt := range schema(d) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("erp: seed: create schema: %w", err)
		}
	}
	w, err := newWriter(ctx, tx, d)
	if err != nil {
		return err
	}
	defer w.close()
	seq := &sequence{order: 100000, shipment: 500000}
	for i, a := range accounts {
		c := customerOf(i, a)
		if err := w.customer(ctx, c); err != nil {
			return err
		}
		for _, o := range ordersOf(c, now, seq) {
			if err := w.order(ctx, o); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("erp: seed: %w", err)
	}
	return nil
}

// schema returns the statements that create the tables.
func schema(d Dialect) []string {
	timestamp := "TIMESTAMP"
	if d == Postgres {
		timestamp = "TIMESTAMPTZ"
	}
	return []string{
		`CREATE TABLE customers (
			customer_no   TEXT PRIMARY KEY,
			name          TEXT NOT NULL,
			vat_id        TEXT,
			domain        TEXT,
			billing_email TEXT,
			city          TEXT,
			country       TEXT NOT NULL,
			salesforce_id TEXT
		)`,
		`CREATE TABLE orders (
			order_no    TEXT PRIMARY KEY,
			customer_no TEXT NOT NULL REFERENCES customers (customer_no),
			ordered_at  DATE NOT NULL,
			status      TEXT NOT NULL CHECK (status IN ('open', 'shipped', 'delivered', 'cancelled')),
			total       NUMERIC(12, 2) NOT NULL,
			currency    TEXT NOT NULL
		)`,
		`CREATE INDEX orders_by_customer ON orders (customer_no, ordered_at)`,
		`CREATE TABLE order_lines (
			order_no    TEXT NOT NULL REFERENCES orders (order_no),
			line_no     INTEGER NOT NULL,
			sku         TEXT NOT NULL,
			description TEXT NOT NULL,
			qty         INTEGER NOT NULL,
			unit_price  NUMERIC(12, 2) NOT NULL,
			PRIMARY KEY (order_no, line_no)
		)`,
		`CREATE TABLE shipments (
			shipment_no  TEXT PRIMARY KEY,
			order_no     TEXT NOT NULL REFERENCES orders (order_no),
			carrier      TEXT NOT NULL,
			tracking_no  TEXT NOT NULL,
			shipped_at   ` + timestamp + ` NOT NULL,
			delivered_at ` + timestamp + `
		)`,
		`CREATE INDEX shipments_by_order ON shipments (order_no)`,
	}
}
