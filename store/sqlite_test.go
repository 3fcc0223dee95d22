package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/store/storetest"
)

func openSQLite(t *testing.T) store.Store {
	s, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteContract(t *testing.T) { storetest.Run(t, openSQLite) }

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

func TestSQLiteLinks(t *testing.T) { storetest.RunLinks(t, openSQLite) }
