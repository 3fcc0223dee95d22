package store

// Hooks for the tests of package store_test.

// SweepLockKey is the advisory lock the PostgreSQL sweeper takes.
const SweepLockKey = sweepLockKey

// PoolMaxConns is the size of p's connection pool.
func PoolMaxConns(p *Postgres) int { return int(p.pool.Config().MaxConns) }

// Implementation is the store Open chose.
func Implementation(db *DB) any { return db.backend }

// MigrateLockKey is the advisory lock migrations are applied under.
const MigrateLockKey = migrateLockKey

// LatestMigration is the newest schema version of driver this binary has.
func LatestMigration(driver string) int64 {
	_, latest, err := migrationsOf(driver)
	if err != nil {
		panic(err)
	}
	return latest
}
