package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"

	"github.com/jackc/pgx/v5/pgconn"
)

// Store configures where Atrium keeps sessions, pending logins, identity link
// decisions and generated secrets: a SQLite file on one machine, or a
// PostgreSQL database that every instance shares.
type Store struct {
	// Driver is DriverSQLite (the default) or DriverPostgres.
	Driver string `yaml:"driver"`
	// Path is the SQLite database file.
	Path string `yaml:"path"`
	// DSN is PostgreSQL's connection string, from the key itself, the file
	// DSNFile names, or the environment variable DSNEnv names: exactly one
	// of the three. It may hold a password, so it is never logged or
	// printed (String and LogValue leave it out).
	DSN     string `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
	DSNEnv  string `yaml:"dsn_env"`
	// MaxConns bounds this instance's pool of PostgreSQL connections.
	MaxConns int `yaml:"max_conns"`
}

// Store drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// DefaultStoreMaxConns is store.max_conns when it is absent.
const DefaultStoreMaxConns = 10

// maxStoreConns bounds store.max_conns: more than PostgreSQL's usual
// max_connections would only move the queue into the database.
const maxStoreConns = 1000

func (s *Store) applyDefaults() {
	if s.Driver == "" {
		s.Driver = DriverSQLite
	}
	if s.Driver == DriverPostgres && s.MaxConns == 0 {
		s.MaxConns = DefaultStoreMaxConns
	}
}

// String describes the store without its DSN.
func (s Store) String() string {
	if s.Driver == DriverPostgres {
		return fmt.Sprintf("postgres (DSN not shown, max_conns %d)", s.MaxConns)
	}
	return fmt.Sprintf("%s at %s", s.Driver, s.Path)
}

// GoString is String, so that %#v does not print the DSN either.
func (s Store) GoString() string { return s.String() }

// LogValue logs the store without its DSN.
func (s Store) LogValue() slog.Value {
	if s.Driver == DriverPostgres {
		return slog.GroupValue(slog.String("driver", s.Driver), slog.Int("max_conns", s.MaxConns))
	}
	return slog.GroupValue(slog.String("driver", s.Driver), slog.String("path", s.Path))
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (v *validator) validateStore(s *Store) {
	switch s.Driver {
	case DriverSQLite:
		if s.Path == "" {
			v.at("store", "store.path", "is required", "set it to a writable file, e.g. /var/lib/atrium/atrium.db")
		} else {
			v.checkSQLitePath(s.Path)
		}
		for _, k := range []struct {
			key string
			set bool
		}{{"dsn", s.DSN != ""}, {"dsn_file", s.DSNFile != ""}, {"dsn_env", s.DSNEnv != ""}, {"max_conns", s.MaxConns != 0}} {
			if k.set {
				v.at("store."+k.key, "store."+k.key, "is for the postgres driver, but store.driver is sqlite",
					"set store.driver: postgres, or remove store."+k.key)
			}
		}
	case DriverPostgres:
		if s.Path != "" {
			v.at("store.path", "store.path", "is for the sqlite driver, but store.driver is postgres",
				"remove store.path: the database is the one store.dsn names")
		}
		v.postgresDSN(s)
		if s.MaxConns < 2 || s.MaxConns > maxStoreConns {
			v.at("store.max_conns", "store.max_conns", fmt.Sprintf("must be between 2 and %d", maxStoreConns),
				"give this instance's pool size, e.g. 10; all instances together must stay below PostgreSQL's max_connections")
		}
	default:
		v.at("store.driver", "store.driver", fmt.Sprintf("unknown driver %q", s.Driver), `use "sqlite" (one machine) or "postgres" (several instances)`)
	}
}

// postgresDSN fills s.DSN from dsn, dsn_file or dsn_env, and checks that it
// reads as a connection string. Problems never quote the DSN: it may hold a
// password.
func (v *validator) postgresDSN(s *Store) {
	const hint = "write it like postgres://atrium@db.internal:5432/atrium?sslmode=verify-full, with the password in dsn_file or dsn_env"
	from := "store.dsn"
	v.secretFile("store", "dsn", &s.DSN, s.DSNFile)
	if s.DSNFile != "" {
		from = "store.dsn_file"
	}
	if s.DSNEnv != "" {
		switch {
		case s.DSN != "" || s.DSNFile != "":
			v.at("store.dsn_env", "store.dsn_env", "is set beside store.dsn or store.dsn_file", "keep only one of them")
			return
		case !envName.MatchString(s.DSNEnv):
			// Not quoted: ${…} put a value here, perhaps the DSN itself.
			v.at("store.dsn_env", "store.dsn_env", "is not an environment variable's name",
				"write the variable's name, e.g. ATRIUM_STORE_DSN (not ${…}, which would put its value here)")
			return
		}
		val, ok := v.env(s.DSNEnv)
		if !ok || val == "" {
			v.at("store.dsn_env", "store.dsn_env", fmt.Sprintf("environment variable %s is not set", s.DSNEnv),
				fmt.Sprintf("export %s with the connection string before starting Atrium", s.DSNEnv))
			return
		}
		s.DSN, from = val, "store.dsn_env"
	}
	if s.DSN == "" {
		if s.DSNFile == "" { // an empty file is reported by secretFile
			v.at("store", "store.dsn", "is required by the postgres driver", "set store.dsn, dsn_file or dsn_env; "+hint)
		}
		return
	}
	if _, err := pgconn.ParseConfig(s.DSN); err != nil {
		v.at(from, from, "is not a PostgreSQL connection string", hint)
	}
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// checkSQLitePath reports a store.path that Atrium could not open as its
// database, with what to do instead of the driver's bare error at start.
func (v *validator) checkSQLitePath(path string) {
	const key = "store.path"
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if dir := filepath.Dir(path); !isDir(dir) {
			v.at(key, key, fmt.Sprintf("the folder %s does not exist", dir),
				"create it, writable by Atrium's user, or name a file in a folder that exists")
		}
	case err != nil:
		v.at(key, key, fmt.Sprintf("cannot look at %s: %v", path, errors.Unwrap(err)), "check the path and that Atrium's user may use it")
	case fi.IsDir():
		v.at(key, key, fmt.Sprintf("%s is a folder", path), "name a file in it, e.g. "+filepath.Join(path, "atrium.db"))
	case fi.Size() > 0 && !fileStartsWith(path, sqliteHeader):
		v.at(key, key, fmt.Sprintf("%s is not an SQLite database", path),
			"name a new file (Atrium creates it) or the database of an earlier Atrium")
	}
}
