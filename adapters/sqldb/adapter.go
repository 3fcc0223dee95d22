package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/atrium-dev/atrium/adapters"
)

// checkTimeout bounds a health check.
const checkTimeout = 5 * time.Second

// cancelGrace is how long a cancelled PostgreSQL query may take to stop on the
// server before its connection is dropped.
const cancelGrace = time.Second

var _ adapters.Adapter = (*Adapter)(nil)

// Adapter presents the customers of a SQL database as configured.
type Adapter struct {
	source  string
	driver  string
	db      *sql.DB
	search  *query
	facets  []*query
	secrets []string // never shown: the DSN and its password
	log     *slog.Logger
	now     func() time.Time
}

// Type returns the registry entry of the SQL adapter.
func Type() adapters.Type {
	return adapters.Type{
		NewSettings: func() adapters.Settings { return &Settings{} },
		New:         New,
	}
}

// New builds the adapter of a source. It does not connect: the first query
// does, and Check reports a database that cannot be reached.
func New(src adapters.Source) (adapters.Adapter, error) {
	return newAdapter(src)
}

func newAdapter(src adapters.Source) (*Adapter, error) {
	s, err := adapters.SettingsOf[Settings]("sqldb", src)
	if err != nil {
		return nil, err
	}
	db, err := open(s)
	if err != nil {
		return nil, fmt.Errorf("sqldb: source %q: %s", src.Name, redact(err.Error(), s.secrets()...))
	}
	db.SetMaxOpenConns(s.MaxOpenConns)
	db.SetMaxIdleConns(s.MaxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &Adapter{
		source:  src.Name,
		driver:  s.Driver,
		db:      db,
		search:  s.search,
		facets:  s.facets,
		secrets: s.secrets(),
		log:     src.Log(),
		now:     time.Now,
	}, nil
}

// open returns the connection pool of valid settings; it does no I/O. Both
// drivers are told to refuse writes, whatever the database user may do.
func open(s *Settings) (*sql.DB, error) {
	if s.dialect == dialectSQLite {
		return sql.Open(DriverSQLite, sqliteDSN(s.dsn))
	}
	cfg := s.pgx.Copy()
	cfg.RuntimeParams["default_transaction_read_only"] = "on"
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "atrium"
	}
	// Ask the server to stop a query whose context ends, rather than leave it
	// running behind a dropped connection.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: cancelGrace}
	}
	return stdlib.OpenDB(*cfg), nil
}

// sqliteDSN opens a database file read-only: a URI filename with mode=ro, so
// that a wrong path fails instead of creating an empty database, and
// query_only, so that no statement can write.
func sqliteDSN(dsn string) string {
	path, params, _ := strings.Cut(dsn, "?")
	if path == ":memory:" {
		return dsn
	}
	if !strings.HasPrefix(path, "file:") {
		path = "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	}
	extra := "_query_only=1"
	if !strings.Contains("&"+params, "&mode=") {
		extra += "&mode=ro"
	}
	if params != "" {
		extra += "&" + params
	}
	return path + "?" + extra
}

// Close releases the connection pool.
func (a *Adapter) Close() error { return a.db.Close() }

// Facets lists the configured facets, in display order.
func (a *Adapter) Facets() []adapters.FacetSpec {
	out := make([]adapters.FacetSpec, len(a.facets))
	for i, q := range a.facets {
		out[i] = adapters.FacetSpec{Name: q.name, Title: q.title, Header: q.role == roleHeader}
	}
	return out
}

// Check pings the database.
func (a *Adapter) Check(ctx context.Context) adapters.Health {
	h := adapters.Health{CheckedAt: a.now()}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if err := a.db.PingContext(ctx); err != nil {
		h.Message = "sqldb: ping: " + redact(err.Error(), a.secrets...)
		return h
	}
	h.OK = true
	h.Message = "connected (" + map[string]string{DriverPostgres: "PostgreSQL", DriverSQLite: "SQLite"}[a.driver] + ")"
	return h
}

// hint logs advice about a query's configuration, once per configured query.
func (a *Adapter) hint(q *query, key, msg string, attrs ...any) {
	if _, seen := q.hinted.LoadOrStore(key, true); seen {
		return
	}
	a.log.Warn(msg, append([]any{"query", q.name, "config", q.key}, attrs...)...)
}
