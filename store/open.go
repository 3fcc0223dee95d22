package store

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-dev/atrium/config"
)

// DB is an open store: the implementation store.driver names. It has every
// capability's methods; each consumer holds it through the small interface
// it declares (auth.SessionStore, customer.Decisions, …).
type DB struct {
	backend
	driver string
}

// backend is what every implementation provides. It is not exported: no
// consumer depends on all of it, so a capability added here is added to the
// implementations and to no consumer's fake.
type backend interface {
	CreateSession(ctx context.Context, id string, s Session) error
	Session(ctx context.Context, id string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, id string) error
	SaveLogin(ctx context.Context, l Login, limits LoginLimits) error
	TakeLogin(ctx context.Context, state, binding string, now time.Time) (Login, error)
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
	DeleteProviderSessions(ctx context.Context, subject, providerSID string) ([]string, error)
	UseToken(ctx context.Context, key string, until time.Time) error
	TouchSession(ctx context.Context, id string, at time.Time) error

	Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)

	LinkDecisions(ctx context.Context, anchorSource, anchorID string) ([]LinkDecision, error)
	DecideLink(ctx context.Context, d LinkDecision) error
	LinkHistory(ctx context.Context, anchorSource, anchorID string) ([]LinkDecision, error)

	RecordVisit(ctx context.Context, v Visit, keep int) error
	Visit(ctx context.Context, subject, customerID string) (Visit, error)
	Visits(ctx context.Context, subject string) ([]Visit, error)
	Pin(ctx context.Context, v Visit, pinned bool, limit int) error

	auditBackend

	Ping(ctx context.Context) error
	Close() error
}

// Driver names the implementation: "sqlite" or "postgres".
func (db *DB) Driver() string { return db.driver }

// Open opens the store cfg configures, creating and migrating its schema as
// needed: SQLite at store.path, or PostgreSQL at store.dsn with a pool of
// store.max_conns connections. A database whose schema is newer than this
// binary is refused with *SchemaNewerError. Errors never hold the DSN's
// password.
func Open(ctx context.Context, cfg config.Store) (*DB, error) {
	switch cfg.Driver {
	case "", config.DriverSQLite:
		s, err := OpenSQLite(ctx, cfg.Path)
		if err != nil {
			return nil, err
		}
		return &DB{backend: s, driver: config.DriverSQLite}, nil
	case config.DriverPostgres:
		s, err := OpenPostgres(ctx, PostgresOptions{DSN: cfg.DSN, MaxConns: cfg.MaxConns})
		if err != nil {
			return nil, err
		}
		return &DB{backend: s, driver: config.DriverPostgres}, nil
	}
	return nil, fmt.Errorf("store: unknown driver %q", cfg.Driver)
}

// Check reports whether Open would succeed on cfg's database, without
// creating or migrating anything: a PostgreSQL that cannot be reached or
// refuses the DSN's credentials, or a schema newer than this binary
// (*SchemaNewerError). A SQLite file that does not exist yet is fine.
func Check(ctx context.Context, cfg config.Store) error {
	switch cfg.Driver {
	case "", config.DriverSQLite:
		return checkSQLite(ctx, cfg.Path)
	case config.DriverPostgres:
		return checkPostgres(ctx, cfg.DSN)
	}
	return fmt.Errorf("store: unknown driver %q", cfg.Driver)
}
