package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the store of instances that share one PostgreSQL database.
// Statements are prepared once per connection by pgx's statement cache.
type Postgres struct {
	pool *pgxpool.Pool
}

var _ backend = (*Postgres)(nil)

// PostgresOptions configure OpenPostgres.
type PostgresOptions struct {
	// DSN is a libpq connection string or URL,
	// postgres://user:password@host:5432/atrium?sslmode=verify-full.
	DSN string
	// MaxConns bounds the pool (0: DefaultMaxConns; at least 2, since
	// migrating holds one connection for the lock and uses another).
	MaxConns int
}

// DefaultMaxConns is the pool size when store.max_conns is absent.
const DefaultMaxConns = 10

// defaultConnectTimeout bounds each new connection when the DSN sets no
// connect_timeout: a database that does not answer fails a request fast
// rather than holding it.
const defaultConnectTimeout = 5 * time.Second

// Advisory lock keys (the single bigint form). Sessions hold them only
// briefly; the two-key form used for pending logins never collides with
// these.
const (
	migrateLockKey int64 = 0x4174726d_00000001 // "Atrm", 1: migrations
	sweepLockKey   int64 = 0x4174726d_00000002 // "Atrm", 2: the sweeper
)

// Namespaces of the two-key advisory locks that serialize one client's, or
// one browser's, pending logins.
const (
	loginClientLock  int32 = 1
	loginBindingLock int32 = 2
)

// ErrDSN is returned for a DSN that cannot be read. Its message never
// repeats the DSN, which may hold a password.
var ErrDSN = errors.New("store: store.dsn is not a PostgreSQL connection string (postgres://user@host:5432/db?sslmode=verify-full or host=… dbname=…)")

func parsePostgresDSN(dsn string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN, its password masked only where
		// the string is well-formed enough to find it.
		return nil, ErrDSN
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	return cfg, nil
}

// OpenPostgres connects to the database, creating the schema or migrating it
// to this binary's under an advisory lock, so that instances starting
// together migrate it once.
func OpenPostgres(ctx context.Context, o PostgresOptions) (*Postgres, error) {
	cfg, err := parsePostgresDSN(o.DSN)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(max(cmp.Or(o.MaxConns, DefaultMaxConns), 2))
	// pgx's connection errors name the host, user and database, never
	// the password.
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	p := &Postgres{pool: pool}
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return p, nil
}

// checkPostgres connects once, without a pool, and compares the schema's
// version with this binary's.
func checkPostgres(ctx context.Context, dsn string) error {
	cfg, err := parsePostgresDSN(dsn)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, latest, err := migrationsOf("postgres")
	if err != nil {
		return err
	}
	return checkPostgresSchema(ctx, conn, latest)
}

// queryer is what reading the schema version needs: a connection or a
// pooled one.
type queryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func checkPostgresSchema(ctx context.Context, q queryer, latest int64) error {
	var v int64
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version`).Scan(&v)
	if isUndefinedTable(err) {
		return nil // a new database
	}
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if v > latest {
		return &SchemaNewerError{Driver: "postgres", Schema: v, Binary: latest}
	}
	return nil
}

func (p *Postgres) CreateSession(ctx context.Context, id string, se Session) error {
	_, err := p.pool.Exec(ctx, `INSERT INTO sessions
		(key, subject, email, name, groups, id_token, csrf_token, created_at, expires_at, token_expiry, provider_sid, device, address)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		Hash(id), se.Subject, se.Email, se.Name, nonNil(se.Groups), se.IDToken, se.CSRFToken,
		se.CreatedAt, se.ExpiresAt, nullTime(se.TokenExpiry), se.ProviderSID, se.Device, se.Address)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

func (p *Postgres) Session(ctx context.Context, id string, now time.Time) (Session, error) {
	var (
		se       Session
		tokenExp pgtype.Timestamptz
	)
	err := p.pool.QueryRow(ctx, `SELECT subject, email, name, groups, id_token, csrf_token, created_at, expires_at, token_expiry, provider_sid,
		COALESCE(last_seen_at, created_at), device, address FROM sessions WHERE key = $1 AND expires_at > $2`, Hash(id), now).
		Scan(&se.Subject, &se.Email, &se.Name, &se.Groups, &se.IDToken, &se.CSRFToken, &se.CreatedAt, &se.ExpiresAt, &tokenExp, &se.ProviderSID,
			&se.LastSeenAt, &se.Device, &se.Address)
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: read session: %w", err)
	}
	if tokenExp.Valid {
		se.TokenExpiry = tokenExp.Time
	}
	if len(se.Groups) == 0 {
		se.Groups = nil
	}
	return se, nil
}

func (p *Postgres) DeleteSession(ctx context.Context, id string) error {
	if _, err := p.pool.Exec(ctx, `DELETE FROM sessions WHERE key = $1`, Hash(id)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

func (p *Postgres) TouchSession(ctx context.Context, id string, at time.Time) error {
	if _, err := p.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE key = $2
		AND (last_seen_at IS NULL OR last_seen_at < $1)`, at, Hash(id)); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

func (p *Postgres) SessionsOf(ctx context.Context, subject string, now time.Time) ([]SessionInfo, error) {
	rows, err := p.pool.Query(ctx, `SELECT key, device, address, created_at, GREATEST(created_at, COALESCE(last_seen_at, created_at)), expires_at
		FROM sessions WHERE subject = $1 AND expires_at > $2
		ORDER BY GREATEST(created_at, COALESCE(last_seen_at, created_at)) DESC, key`, subject, now)
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SessionInfo, error) {
		var si SessionInfo
		err := r.Scan(&si.Key, &si.Device, &si.Address, &si.CreatedAt, &si.LastSeenAt, &si.ExpiresAt)
		return si, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	return out, nil
}

func (p *Postgres) DeleteSessionOf(ctx context.Context, subject, key string) (bool, error) {
	tag, err := p.pool.Exec(ctx, `DELETE FROM sessions WHERE subject = $1 AND key = $2`, subject, key)
	if err != nil {
		return false, fmt.Errorf("store: end session: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

func (p *Postgres) DeleteSessionsOf(ctx context.Context, user string) ([]string, error) {
	rows, err := p.pool.Query(ctx, `DELETE FROM sessions WHERE subject = $1 OR ($1 <> '' AND lower(email) = lower($1)) RETURNING key`, user)
	if err != nil {
		return nil, fmt.Errorf("store: end a user's sessions: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: end a user's sessions: %w", err)
	}
	return keys, nil
}

func (p *Postgres) DeleteProviderSessions(ctx context.Context, subject, providerSID string) ([]string, error) {
	rows, err := p.pool.Query(ctx, `DELETE FROM sessions WHERE `+providerSessions+` RETURNING key`,
		pgx.NamedArgs{"sid": providerSID, "sub": subject})
	if err != nil {
		return nil, fmt.Errorf("store: delete a provider's sessions: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: delete a provider's sessions: %w", err)
	}
	return keys, nil
}

func (p *Postgres) UseToken(ctx context.Context, key string, until time.Time) error {
	tag, err := p.pool.Exec(ctx, `INSERT INTO used_tokens (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, until)
	if err != nil {
		return fmt.Errorf("store: use token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrTokenUsed
	}
	return nil
}

func (p *Postgres) SaveLogin(ctx context.Context, l Login, limits LoginLimits) error {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: save login: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Under READ COMMITTED two transactions would each count without the
	// other's row: the client's and the browser's logins are taken in turn,
	// always client first, so the limits hold across instances and no two
	// transactions wait on each other in a cycle.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2), pg_advisory_xact_lock($3, $4)`,
		loginClientLock, lockKey(l.Client), loginBindingLock, lockKey(l.Binding)); err != nil {
		return fmt.Errorf("store: save login: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO login_attempts
		(state, binding, nonce, verifier, return_to, client, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		l.State, l.Binding, l.Nonce, l.Verifier, l.ReturnTo, l.Client, l.CreatedAt, l.ExpiresAt); err != nil {
		return fmt.Errorf("store: save login: %w", err)
	}
	if limits.PerBinding > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE binding = $1 AND state NOT IN
			(SELECT state FROM login_attempts WHERE binding = $1 ORDER BY created_at DESC, state DESC LIMIT $2)`,
			l.Binding, limits.PerBinding); err != nil {
			return fmt.Errorf("store: drop a browser's oldest logins: %w", err)
		}
	}
	if limits.PerClient > 0 {
		var (
			n      int
			oldest pgtype.Timestamptz
		)
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), MIN(expires_at) FROM login_attempts
			WHERE client = $1 AND expires_at > $2`, l.Client, l.CreatedAt).Scan(&n, &oldest); err != nil {
			return fmt.Errorf("store: count a client's logins: %w", err)
		}
		if n > limits.PerClient {
			return &TooManyLoginsError{Until: oldest.Time}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: save login: %w", err)
	}
	return nil
}

// lockKey maps a text to the second key of a two-key advisory lock. Two
// texts sharing a key only wait on each other.
func lockKey(s string) int32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int32(h.Sum32())
}

func (p *Postgres) TakeLogin(ctx context.Context, state, binding string, now time.Time) (Login, error) {
	l := Login{State: state, Binding: binding}
	err := p.pool.QueryRow(ctx, `DELETE FROM login_attempts WHERE state = $1 AND binding = $2
		RETURNING nonce, verifier, return_to, client, created_at, expires_at`, state, binding).
		Scan(&l.Nonce, &l.Verifier, &l.ReturnTo, &l.Client, &l.CreatedAt, &l.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Login{}, ErrNotFound
	}
	if err != nil {
		return Login{}, fmt.Errorf("store: take login: %w", err)
	}
	if !now.Before(l.ExpiresAt) {
		return Login{}, ErrNotFound
	}
	return l, nil
}

func (p *Postgres) Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := p.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: read secret %s: %w", name, err)
	}
	nv, err := generate()
	if err != nil {
		return nil, err
	}
	// Another instance may have won the race: keep whichever value was stored first.
	if _, err := p.pool.Exec(ctx, `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, nv, time.Now()); err != nil {
		return nil, fmt.Errorf("store: save secret %s: %w", name, err)
	}
	if err := p.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("store: read secret %s: %w", name, err)
	}
	return v, nil
}

// DeleteExpired removes expired sessions and logins, on one instance at a
// time: an instance that finds another sweeping skips this round and
// reports 0, since that one removes the same rows.
func (p *Postgres) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var mine bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, sweepLockKey).Scan(&mine); err != nil {
		return 0, fmt.Errorf("store: delete expired: %w", err)
	}
	if !mine {
		return 0, nil
	}
	var total int64
	for _, q := range []string{
		`DELETE FROM sessions WHERE expires_at <= $1`,
		`DELETE FROM login_attempts WHERE expires_at <= $1`,
		`DELETE FROM used_tokens WHERE expires_at <= $1`,
	} {
		tag, err := tx.Exec(ctx, q, now)
		if err != nil {
			return 0, fmt.Errorf("store: delete expired: %w", err)
		}
		total += tag.RowsAffected()
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("store: delete expired: %w", err)
	}
	return total, nil
}

func (p *Postgres) LinkDecisions(ctx context.Context, anchorSource, anchorID string) ([]LinkDecision, error) {
	rows, err := p.pool.Query(ctx, `SELECT source, record_id, decision, rule, value, actor, decided_at
		FROM identity_links WHERE anchor_source = $1 AND anchor_id = $2 ORDER BY decided_at DESC, source, record_id`,
		anchorSource, anchorID)
	if err != nil {
		return nil, fmt.Errorf("store: read link decisions: %w", err)
	}
	return collectDecisions(rows, "link decisions", anchorSource, anchorID, func(d *LinkDecision) []any {
		return []any{&d.Source, &d.RecordID, &d.Decision, &d.Rule, &d.Value, &d.Actor, &d.At}
	})
}

func (p *Postgres) DecideLink(ctx context.Context, d LinkDecision) error {
	switch d.Decision {
	case DecisionConfirmed, DecisionManual, DecisionSplit, DecisionCleared:
	default:
		return fmt.Errorf("store: unknown link decision %q", d.Decision)
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: decide link: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if d.Decision == DecisionCleared {
		if _, err := tx.Exec(ctx, `DELETE FROM identity_links
			WHERE anchor_source = $1 AND anchor_id = $2 AND source = $3 AND record_id = $4`,
			d.AnchorSource, d.AnchorID, d.Source, d.RecordID); err != nil {
			return fmt.Errorf("store: clear link decision: %w", err)
		}
	} else if _, err := tx.Exec(ctx, `INSERT INTO identity_links
		(anchor_source, anchor_id, source, record_id, decision, rule, value, actor, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (anchor_source, anchor_id, source, record_id) DO UPDATE SET
		decision = excluded.decision, rule = excluded.rule, value = excluded.value,
		actor = excluded.actor, decided_at = excluded.decided_at`,
		d.AnchorSource, d.AnchorID, d.Source, d.RecordID, d.Decision, d.Rule, d.Value, d.Actor, d.At); err != nil {
		return fmt.Errorf("store: decide link: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO identity_link_history
		(anchor_source, anchor_id, source, record_id, decision, actor, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		d.AnchorSource, d.AnchorID, d.Source, d.RecordID, d.Decision, d.Actor, d.At); err != nil {
		return fmt.Errorf("store: record link history: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: decide link: %w", err)
	}
	return nil
}

func (p *Postgres) LinkHistory(ctx context.Context, anchorSource, anchorID string) ([]LinkDecision, error) {
	rows, err := p.pool.Query(ctx, `SELECT source, record_id, decision, actor, decided_at
		FROM identity_link_history WHERE anchor_source = $1 AND anchor_id = $2 ORDER BY seq`, anchorSource, anchorID)
	if err != nil {
		return nil, fmt.Errorf("store: read link history: %w", err)
	}
	return collectDecisions(rows, "link history", anchorSource, anchorID, func(d *LinkDecision) []any {
		return []any{&d.Source, &d.RecordID, &d.Decision, &d.Actor, &d.At}
	})
}

// collectDecisions reads and closes the rows of one anchor's decisions into
// the fields that fields points at.
func collectDecisions(rows pgx.Rows, what, anchorSource, anchorID string, fields func(*LinkDecision) []any) ([]LinkDecision, error) {
	defer rows.Close()
	var out []LinkDecision
	for rows.Next() {
		d := LinkDecision{AnchorSource: anchorSource, AnchorID: anchorID}
		if err := rows.Scan(fields(&d)...); err != nil {
			return nil, fmt.Errorf("store: read %s: %w", what, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read %s: %w", what, err)
	}
	return out, nil
}

func (p *Postgres) Ping(ctx context.Context) error { return p.pool.Ping(ctx) }

// Close closes the pool's connections, waiting for those in use.
func (p *Postgres) Close() error {
	p.pool.Close()
	return nil
}

func nonNil(groups []string) []string {
	if groups == nil {
		return []string{}
	}
	return groups
}

// nullTime stores the zero time, "not known", as NULL.
func nullTime(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}
