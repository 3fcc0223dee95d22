package sqldb_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/sqldb"
	"github.com/atrium-dev/atrium/demo/erp"
)

// testSource is the configured source name of the adapters under test.
const testSource = "erp"

// demoNow fixes the dates of the demo data.
var demoNow = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// decode reads a settings block the way the config loader does: unknown keys
// are errors.
func decode(t *testing.T, text string) *sqldb.Settings {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	var s sqldb.Settings
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("decode settings: %v\n%s", err, text)
	}
	return &s
}

// newAdapter validates settings and builds an adapter, closed when the test ends.
func newAdapter(t *testing.T, s *sqldb.Settings) *sqldb.Adapter {
	t.Helper()
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatalf("Validate() = %v, want no problem", probs)
	}
	return build(t, s, nil)
}

func build(t *testing.T, s *sqldb.Settings, log *bytes.Buffer) *sqldb.Adapter {
	t.Helper()
	src := adapters.Source{Name: testSource, Title: "ERP", Settings: s}
	if log != nil {
		src.Logger = newLogger(log)
	}
	a, err := sqldb.New(src)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = a.(*sqldb.Adapter).Close() })
	return a.(*sqldb.Adapter)
}

// demoDB writes the demo ERP to a SQLite file and returns its path.
func demoDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "erp.db")
	if err := erp.Create(t.Context(), path, demoNow, erp.DemoAccounts()); err != nil {
		t.Fatal(err)
	}
	return path
}

// demoCustomer returns the ERP customer of the demo account named name.
func demoCustomer(t *testing.T, name string) erp.Customer {
	t.Helper()
	for _, c := range erp.Customers(erp.DemoAccounts()) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no demo customer %q", name)
	return erp.Customer{}
}

// openSQLite opens a SQLite file for a test to change.
func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// problemKeys lists the keys of problems, for failure messages.
func problemKeys(ps []adapters.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Key + ": " + p.Message
	}
	return out
}
