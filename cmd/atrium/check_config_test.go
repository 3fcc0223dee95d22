package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/internal/testenv"
	"github.com/atrium-dev/atrium/store"
)

// replaceStore rewrites the store section of the configuration file at
// path (the example's, as exampleConfig leaves it) and appends more.
func replaceStore(t *testing.T, path, section, more string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := "store:\n  driver: sqlite\n  path: " + filepath.Join(filepath.Dir(path), "atrium.db") + "\n"
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no store section like %q", path, old)
	}
	return writeFile(t, path, strings.Replace(string(b), old, section, 1)+more)
}

// createDatabase makes an empty database on pg and returns its DSN.
func createDatabase(t *testing.T, pg *testenv.Postgres, name string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(pg.DSN, "/postgres?", "/"+name+"?", 1)
}

func markSchemaNewer(t *testing.T, driver, dsn string) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99, true)`); err != nil {
		t.Fatal(err)
	}
}

// check-config connects to the store: a database it cannot reach or whose
// schema is newer than the binary is a problem of the configuration, with
// a fix, and the DSN's password is never printed.
func TestCheckConfigLooksAtTheStore(t *testing.T) {
	pg := testenv.StartPostgres(t)
	ctx := context.Background()
	const password = "Hunter2-s3cret"
	closed := testenv.FreePort(t)

	empty := createDatabase(t, pg, "atrium_empty")
	newer := createDatabase(t, pg, "atrium_newer")
	db, err := store.Open(ctx, config.Store{Driver: config.DriverPostgres, DSN: newer})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	markSchemaNewer(t, "pgx", newer)

	sqliteDir := t.TempDir()
	sqliteNewer := filepath.Join(sqliteDir, "newer.db")
	sdb, err := store.Open(ctx, config.Store{Driver: config.DriverSQLite, Path: sqliteNewer})
	if err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	markSchemaNewer(t, "sqlite", sqliteNewer)

	t.Setenv("ATRIUM_TEST_STORE_DSN", fmt.Sprintf("postgres://atrium:%s@127.0.0.1:%d/atrium?sslmode=disable&connect_timeout=2", password, closed))
	for _, tc := range []struct {
		name, section string
		code          int
		want          []string
	}{
		{"an empty PostgreSQL database", "store:\n  driver: postgres\n  dsn: " + empty + "\n", exitOK, []string{": OK"}},
		{"a PostgreSQL that does not answer", "store:\n  driver: postgres\n  dsn_env: ATRIUM_TEST_STORE_DSN\n", exitUsage,
			[]string{"1 problem(s)", "store.dsn_env: cannot use the database", "connect", "fix: check that PostgreSQL answers"}},
		{"a newer PostgreSQL schema", "store:\n  driver: postgres\n  dsn: " + newer + "\n", exitUsage,
			[]string{"store.dsn: the database has schema version 99, newer than this Atrium knows (4)", "fix: run the Atrium release"}},
		{"a newer SQLite schema", "store:\n  path: " + sqliteNewer + "\n", exitUsage,
			[]string{"store.path: the database has schema version 99", "fix: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := replaceStore(t, exampleConfig(t, dir), tc.section, "")
			code, stdout, stderr := runWithin(t, 20*time.Second, "check-config", cfg)
			out := stdout + stderr
			if code != tc.code {
				t.Errorf("exit code %d, want %d\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, password) {
				t.Errorf("the DSN's password is printed:\n%s", out)
			}
		})
	}
}
