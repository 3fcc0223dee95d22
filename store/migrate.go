package store

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Migrations, one folder per driver, applied by goose at Open. A
// capability adds its tables to both.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// migrationsOf returns the migrations of one driver ("sqlite", "postgres")
// and the version of the newest, the schema this binary knows.
func migrationsOf(driver string) (fs.FS, int64, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+driver)
	if err != nil {
		return nil, 0, err
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, 0, err
	}
	var latest int64
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			return nil, 0, fmt.Errorf("store: migration %s/%s: %w", driver, n, err)
		}
		latest = max(latest, v)
	}
	return fsys, latest, nil
}

// SchemaNewerError is returned when the database was migrated by a newer
// Atrium than this one: this binary does not know what the newer schema
// means, and it migrates nothing back.
type SchemaNewerError struct {
	Driver string
	Schema int64 // the database's schema version
	Binary int64 // the newest version this binary knows
}

func (e *SchemaNewerError) Error() string {
	return fmt.Sprintf("store: the %s database has schema version %d, newer than this Atrium knows (%d): run the newer Atrium, or restore a backup taken before it was upgraded",
		e.Driver, e.Schema, e.Binary)
}
