package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/store/storetest"
)

func openSQLite(t *testing.T) *store.SQLite {
	s, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteContract(t *testing.T) { storetest.All(t, openSQLite) }

func TestSQLiteStoresOnlySessionHash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atrium.db")
	s, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	if err := s.CreateSession(context.Background(), "raw-session-id", store.Session{Subject: "x", CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var key string
	if err := db.QueryRow(`SELECT key FROM sessions`).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(key, "raw-session-id") || key != store.Hash("raw-session-id") {
		t.Errorf("stored key %q is not the hash of the id", key)
	}
}

// A path is a file name, not a URI: "?", "#" and "%" in it name that very
// file, and no other is created or opened.
func TestSQLiteOpensTheNamedFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a?b.db", "c#d.db", "e%41.db", "f g.db"} {
		s, err := store.OpenSQLite(context.Background(), filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s.Close()
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was not created: %v", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); !strings.HasSuffix(n, ".db") && !strings.HasSuffix(n, "-wal") && !strings.HasSuffix(n, "-shm") {
			t.Errorf("a file that was not named was created: %s", n)
		}
	}
}

// A database migrated by a newer Atrium is refused, by Open and by Check,
// rather than used by a binary that does not know its schema.
func TestSQLiteRefusesANewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "atrium.db")
	cfg := config.Store{Driver: config.DriverSQLite, Path: path}
	if err := store.Check(ctx, cfg); err != nil {
		t.Fatalf("a file not created yet: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("Check created the database")
	}
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if db.Driver() != config.DriverSQLite {
		t.Errorf("driver %q", db.Driver())
	}
	db.Close()
	if err := store.Check(ctx, cfg); err != nil {
		t.Fatalf("a database of this binary: %v", err)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99, 1)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	var newer *store.SchemaNewerError
	if _, err := store.Open(ctx, cfg); !errors.As(err, &newer) || newer.Schema != 99 || newer.Binary != 4 {
		t.Errorf("Open: %v; want SchemaNewerError 99 > 4", err)
	}
	if err := store.Check(ctx, cfg); !errors.As(err, &newer) {
		t.Errorf("Check: %v; want SchemaNewerError", err)
	}
}
