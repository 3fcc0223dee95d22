package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/internal/testenv"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/store/storetest"
)

// pgServer is one PostgreSQL server for all of this file's subtests; each
// gets a database of its own.
type pgServer struct {
	pg *testenv.Postgres
	n  atomic.Int64
}

// database creates an empty database and returns its DSN.
func (s *pgServer) database(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, s.pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("atrium_%d", s.n.Add(1))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(s.pg.DSN, "/postgres?", "/"+name+"?", 1)
}

func (s *pgServer) open(t *testing.T) *store.Postgres {
	t.Helper()
	p, err := store.OpenPostgres(context.Background(), store.PostgresOptions{DSN: s.database(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func query[T any](t *testing.T, dsn, sql string, args ...any) T {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v T
	if err := conn.QueryRow(ctx, sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("no %s within 10s", what)
		case <-tick.C:
		}
	}
}

func TestPostgres(t *testing.T) {
	srv := &pgServer{pg: testenv.StartPostgres(t)}
	ctx := context.Background()

	t.Run("contract", func(t *testing.T) { storetest.All(t, srv.open) })

	// Instances that start together on an empty database all come up, and
	// the schema is migrated once: each waits for the lock before it looks
	// at the schema. The test holds the lock first, as an instance in the
	// middle of migrating would, so that all of them are seen waiting.
	t.Run("instances starting together migrate once", func(t *testing.T) {
		dsn := srv.database(t)
		first, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close(ctx)
		if _, err := first.Exec(ctx, `SELECT pg_advisory_lock($1)`, store.MigrateLockKey); err != nil {
			t.Fatal(err)
		}
		const instances = 3
		opened := make(chan error, instances)
		for range instances {
			go func() {
				p, err := store.OpenPostgres(ctx, store.PostgresOptions{DSN: dsn, MaxConns: 2})
				if err == nil {
					p.Close()
				}
				opened <- err
			}()
		}
		waitFor(t, "every instance waiting for the migration lock", func() bool {
			select {
			case err := <-opened:
				t.Fatalf("an instance opened the store (%v) while the migration lock was held", err)
			default:
			}
			return query[int64](t, dsn, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
				AND ((classid::bigint << 32) | objid::bigint) = $1`, store.MigrateLockKey) == instances
		})
		if n := query[int64](t, dsn, `SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'`); n != 0 {
			t.Errorf("%d tables created while the migration lock was held", n)
		}
		if _, err := first.Exec(ctx, `SELECT pg_advisory_unlock($1)`, store.MigrateLockKey); err != nil {
			t.Fatal(err)
		}
		for i := range instances {
			if err := <-opened; err != nil {
				t.Errorf("instance %d: %v", i, err)
			}
		}
		// goose's row for version 0, and one per migration.
		if n := query[int64](t, dsn, `SELECT COUNT(*) FROM goose_db_version`); n != 5 {
			t.Errorf("goose_db_version has %d rows, want 5: the migrations ran more than once", n)
		}
	})

	t.Run("a schema newer than the binary is refused", func(t *testing.T) {
		dsn := srv.database(t)
		p, err := store.OpenPostgres(ctx, store.PostgresOptions{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		query[int64](t, dsn, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99, true) RETURNING version_id`)
		cfg := config.Store{Driver: config.DriverPostgres, DSN: dsn}
		var newer *store.SchemaNewerError
		_, err = store.Open(ctx, cfg)
		if !errors.As(err, &newer) || newer.Schema != 99 || newer.Binary != 4 {
			t.Errorf("Open: %v; want SchemaNewerError 99 > 4", err)
		}
		if err := store.Check(ctx, cfg); !errors.As(err, &newer) {
			t.Errorf("Check: %v; want SchemaNewerError", err)
		}
	})

	t.Run("check", func(t *testing.T) {
		dsn := srv.database(t)
		cfg := config.Store{Driver: config.DriverPostgres, DSN: dsn}
		if err := store.Check(ctx, cfg); err != nil {
			t.Errorf("an empty database: %v", err)
		}
		if n := query[int64](t, dsn, `SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'`); n != 0 {
			t.Errorf("Check created %d tables; it must change nothing", n)
		}
		db, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := store.Check(ctx, cfg); err != nil {
			t.Errorf("a migrated database: %v", err)
		}
	})

	t.Run("open by configuration with its pool size", func(t *testing.T) {
		db, err := store.Open(ctx, config.Store{Driver: config.DriverPostgres, DSN: srv.database(t), MaxConns: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		p, ok := store.Implementation(db).(*store.Postgres)
		if db.Driver() != config.DriverPostgres || !ok || store.PoolMaxConns(p) != 3 {
			t.Errorf("driver %s, %T: want postgres with 3 connections", db.Driver(), store.Implementation(db))
		}
		if err := db.Ping(ctx); err != nil {
			t.Error(err)
		}
	})

	// While another instance sweeps (holds the sweeper's lock), this one
	// skips the round: the rows stay for that one to delete.
	t.Run("one instance sweeps at a time", func(t *testing.T) {
		dsn := srv.database(t)
		p, err := store.OpenPostgres(ctx, store.PostgresOptions{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		if err := p.CreateSession(ctx, "old", store.Session{Subject: "x", CSRFToken: "c", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		other, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close(ctx)
		tx, err := other.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, store.SweepLockKey); err != nil {
			t.Fatal(err)
		}
		if n, err := p.DeleteExpired(ctx, now); err != nil || n != 0 {
			t.Errorf("while another instance sweeps: deleted %d, %v; want 0", n, err)
		}
		if n := query[int64](t, dsn, `SELECT COUNT(*) FROM sessions`); n != 1 {
			t.Errorf("%d sessions left while another instance sweeps, want 1", n)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := p.DeleteExpired(ctx, now); err != nil || n != 1 {
			t.Errorf("once the other is done: deleted %d, %v; want 1", n, err)
		}
	})

	// The DSN's password appears in no error, whether the DSN cannot be
	// read or the server cannot be reached.
	t.Run("errors never hold the password", func(t *testing.T) {
		const password = "Hunter2-s3cret"
		closed := testenv.FreePort(t)
		for _, dsn := range []string{
			fmt.Sprintf("postgres://atrium:%s@127.0.0.1:%d/atrium?sslmode=disable&connect_timeout=2", password, closed),
			fmt.Sprintf("host=127.0.0.1 port=%d user=atrium password=%s dbname=atrium sslmode=disable connect_timeout=2", closed, password),
			fmt.Sprintf("postgres://atrium:%s@127.0.0.1:notaport/atrium", password),
			fmt.Sprintf("postgres://atrium:%s@[::1/atrium", password),
			fmt.Sprintf("host=127.0.0.1 password='%s user=atrium", password),
			fmt.Sprintf("host=127.0.0.1 port=notaport user=atrium password = %s", password),
		} {
			cfg := config.Store{Driver: config.DriverPostgres, DSN: dsn}
			_, err := store.Open(ctx, cfg)
			if err == nil || strings.Contains(err.Error(), password) {
				t.Errorf("Open: %v", err)
			}
			if err := store.Check(ctx, cfg); err == nil || strings.Contains(err.Error(), password) {
				t.Errorf("Check: %v", err)
			}
		}
	})
}
