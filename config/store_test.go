package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withStore is the valid configuration with its store section replaced.
func withStore(t *testing.T, section string) string {
	t.Helper()
	const old = "store:\n  path: /tmp/atrium.db\n"
	if !strings.Contains(valid, old) {
		t.Fatal("the valid configuration no longer has the store section this test replaces")
	}
	return strings.Replace(valid, old, section, 1)
}

func storeEnv(more map[string]string) func(string) (string, bool) {
	vars := map[string]string{"SECRET": strings.Repeat("x", 40), "LIMIT": "7"}
	for k, v := range more {
		vars[k] = v
	}
	return env(vars)
}

const testDSN = "postgres://atrium:pw-from-test@db.internal:5432/atrium?sslmode=verify-full"

func TestStorePostgresDSNFromKeyFileOrEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(file, []byte(testDSN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, section := range map[string]string{
		"key":  "store:\n  driver: postgres\n  dsn: " + testDSN + "\n",
		"file": "store:\n  driver: postgres\n  dsn_file: " + file + "\n",
		"env":  "store:\n  driver: postgres\n  dsn_env: ATRIUM_TEST_DSN\n",
	} {
		l, err := Load([]byte(withStore(t, section)), registry(), storeEnv(map[string]string{"ATRIUM_TEST_DSN": testDSN}))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if l.Store.DSN != testDSN || l.Store.MaxConns != DefaultStoreMaxConns {
			t.Errorf("%s: dsn %q, max_conns %d; want the DSN and %d connections", name, l.Store.DSN, l.Store.MaxConns, DefaultStoreMaxConns)
		}
	}
	l, err := Load([]byte(withStore(t, "store:\n  driver: postgres\n  dsn: "+testDSN+"\n  max_conns: 25\n")), registry(), storeEnv(nil))
	if err != nil || l.Store.MaxConns != 25 {
		t.Fatalf("max_conns 25: %+v, %v", l, err)
	}
	// The keyword/value form is a connection string too.
	if _, err := Load([]byte(withStore(t, "store:\n  driver: postgres\n  dsn: host=db.internal dbname=atrium user=atrium\n")), registry(), storeEnv(nil)); err != nil {
		t.Errorf("keyword/value DSN: %v", err)
	}
}

// Every problem of the store section is reported with the others, at its
// key's line, and none quotes the DSN.
func TestStoreProblems(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(file, []byte(testDSN), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, section, path, text string
	}{
		{"no dsn", "store:\n  driver: postgres\n", "store.dsn", "is required by the postgres driver"},
		{"dsn and file", "store:\n  driver: postgres\n  dsn: " + testDSN + "\n  dsn_file: " + file + "\n", "store.dsn_file", "both dsn and dsn_file are set"},
		{"dsn and env", "store:\n  driver: postgres\n  dsn: " + testDSN + "\n  dsn_env: ATRIUM_TEST_DSN\n", "store.dsn_env", "beside store.dsn"},
		{"env unset", "store:\n  driver: postgres\n  dsn_env: ATRIUM_TEST_UNSET_DSN\n", "store.dsn_env", "environment variable ATRIUM_TEST_UNSET_DSN is not set"},
		{"env not a name", "store:\n  driver: postgres\n  dsn_env: \"${ATRIUM_TEST_DSN}\"\n", "store.dsn_env", "is not an environment variable's name"},
		{"bad dsn", "store:\n  driver: postgres\n  dsn: postgres://atrium:pw-from-test@db.internal:notaport/atrium\n", "store.dsn", "is not a PostgreSQL connection string"},
		{"bad dsn from env", "store:\n  driver: postgres\n  dsn_env: ATRIUM_TEST_BAD_DSN\n", "store.dsn_env", "is not a PostgreSQL connection string"},
		{"one connection", "store:\n  driver: postgres\n  dsn: " + testDSN + "\n  max_conns: 1\n", "store.max_conns", "must be between 2 and 1000"},
		{"too many connections", "store:\n  driver: postgres\n  dsn: " + testDSN + "\n  max_conns: 5000\n", "store.max_conns", "must be between 2 and 1000"},
		{"path with postgres", "store:\n  driver: postgres\n  dsn: " + testDSN + "\n  path: /tmp/atrium.db\n", "store.path", "is for the sqlite driver"},
		{"dsn with sqlite", "store:\n  path: /tmp/atrium.db\n  dsn: " + testDSN + "\n", "store.dsn", "is for the postgres driver"},
		{"max_conns with sqlite", "store:\n  path: /tmp/atrium.db\n  max_conns: 4\n", "store.max_conns", "is for the postgres driver"},
		{"unknown driver", "store:\n  driver: mysql\n", "store.driver", `use "sqlite" (one machine) or "postgres"`},
	}
	vars := storeEnv(map[string]string{"ATRIUM_TEST_DSN": testDSN, "ATRIUM_TEST_BAD_DSN": "host=db port=notaport password=pw-from-test"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A second, unrelated problem shows that the store's are
			// reported with the rest.
			doc := strings.Replace(withStore(t, tc.section), "client_id: atrium", "client_id: \"\"", 1)
			_, err := Load([]byte(doc), registry(), vars)
			var ps *Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want *Problems, got %v", err)
			}
			var found, other bool
			for _, p := range ps.List {
				if p.Path == tc.path && strings.Contains(p.Message+" fix: "+p.Hint, tc.text) {
					found = true
					if p.Line == 0 || p.Hint == "" {
						t.Errorf("%s: no line or no fix: %+v", tc.path, p)
					}
				}
				other = other || p.Path == "auth.client_id"
			}
			if !found || !other || len(ps.List) != 2 {
				t.Errorf("want %s: %s and auth.client_id, got:\n%v", tc.path, tc.text, err)
			}
			if strings.Contains(err.Error(), "pw-from-test") {
				t.Errorf("a problem quotes the DSN's password:\n%v", err)
			}
		})
	}
}

// The DSN may hold a password: printing or logging the configuration never
// shows it.
func TestStoreNeverShowsTheDSN(t *testing.T) {
	l, err := Load([]byte(withStore(t, "store:\n  driver: postgres\n  dsn: "+testDSN+"\n")), registry(), storeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("starting", "store", l.Store)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("starting", "store", l.Store)
	for _, out := range []string{fmt.Sprint(l.Store), fmt.Sprintf("%+v", l.Config), fmt.Sprintf("%#v", l.Store), logged.String()} {
		if strings.Contains(out, "pw-from-test") || strings.Contains(out, "db.internal") {
			t.Errorf("the DSN is shown: %s", out)
		}
		if !strings.Contains(out, "postgres") {
			t.Errorf("the driver is not shown: %s", out)
		}
	}
}
