package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// SQLite is the embedded store, for one machine.
type SQLite struct {
	db *sql.DB
	// Statements of the reads every request or customer page makes,
	// prepared once rather than parsed on each call.
	readSession, readDecisions *sql.Stmt
}

var _ backend = (*SQLite)(nil)

// OpenSQLite opens (creating if needed) the database at path and migrates it to
// the current schema.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path,
		"_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// SQLite allows one writer; a small pool avoids "database is locked" storms.
	// All of it stays open: a connection closed when idle is opened again,
	// pragmas and all, at the next burst.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := migrateSQLite(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	s := &SQLite{db: db}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *SQLite) prepare(ctx context.Context) error {
	var err error
	if s.readSession, err = s.db.PrepareContext(ctx, `SELECT subject, email, name, groups_json, id_token, csrf_token,
		created_at, expires_at, token_expiry, provider_sid, last_seen_at, device, address FROM sessions WHERE key = ? AND expires_at > ?`); err != nil {
		return fmt.Errorf("store: prepare session read: %w", err)
	}
	if s.readDecisions, err = s.db.PrepareContext(ctx, `SELECT source, record_id, decision, rule, value, actor, decided_at
		FROM identity_links WHERE anchor_source = ? AND anchor_id = ? ORDER BY decided_at DESC, source, record_id`); err != nil {
		return fmt.Errorf("store: prepare link decisions read: %w", err)
	}
	return nil
}

// sqliteDSN is the driver's name for the database file at path.
func sqliteDSN(path, query string) string {
	// The path is escaped: in a file: URI, "?", "#" and "%" would otherwise
	// open another file than the one named ("a?b.db" is "a").
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + query
}

func migrateSQLite(ctx context.Context, db *sql.DB) error {
	fsys, latest, err := migrationsOf("sqlite")
	if err != nil {
		return err
	}
	if err := checkSQLiteSchema(ctx, db, latest); err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// checkSQLiteSchema refuses a database that a newer Atrium migrated.
func checkSQLiteSchema(ctx context.Context, db *sql.DB, latest int64) error {
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`,
		goose.DefaultTablename).Scan(&tables); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if tables == 0 {
		return nil // a new database
	}
	var v int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM `+goose.DefaultTablename).Scan(&v); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if v > latest {
		return &SchemaNewerError{Driver: "sqlite", Schema: v, Binary: latest}
	}
	return nil
}

// checkSQLite answers whether the database at path could be opened by this
// binary, without creating or migrating it: a file that does not exist yet
// is fine (Open creates it).
func checkSQLite(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db, err := sql.Open("sqlite", sqliteDSN(path, "mode=ro&_pragma=busy_timeout(5000)"))
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	_, latest, err := migrationsOf("sqlite")
	if err != nil {
		return err
	}
	return checkSQLiteSchema(ctx, db, latest)
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

func (s *SQLite) CreateSession(ctx context.Context, id string, se Session) error {
	groups, err := json.Marshal(se.Groups)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO sessions
		(key, subject, email, name, groups_json, id_token, csrf_token, created_at, expires_at, token_expiry, provider_sid, device, address)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		Hash(id), se.Subject, se.Email, se.Name, string(groups), se.IDToken, se.CSRFToken,
		ms(se.CreatedAt), ms(se.ExpiresAt), ms(se.TokenExpiry), se.ProviderSID, se.Device, se.Address)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

func (s *SQLite) Session(ctx context.Context, id string, now time.Time) (Session, error) {
	var (
		se                         Session
		groups                     string
		created, expires, tokenExp int64
		lastSeen                   int64
	)
	err := s.readSession.QueryRowContext(ctx, Hash(id), ms(now)).Scan(&se.Subject, &se.Email, &se.Name, &groups, &se.IDToken, &se.CSRFToken,
		&created, &expires, &tokenExp, &se.ProviderSID, &lastSeen, &se.Device, &se.Address)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: read session: %w", err)
	}
	if err := json.Unmarshal([]byte(groups), &se.Groups); err != nil {
		return Session{}, fmt.Errorf("store: read session groups: %w", err)
	}
	se.CreatedAt, se.ExpiresAt, se.TokenExpiry = fromMS(created), fromMS(expires), fromMS(tokenExp)
	se.LastSeenAt = se.CreatedAt
	if lastSeen != 0 {
		se.LastSeenAt = fromMS(lastSeen)
	}
	return se, nil
}

func (s *SQLite) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE key = ?`, Hash(id)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

func (s *SQLite) TouchSession(ctx context.Context, id string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE key = ? AND last_seen_at < ?`,
		ms(at), Hash(id), ms(at)); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

func (s *SQLite) DeleteProviderSessions(ctx context.Context, subject, providerSID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `DELETE FROM sessions WHERE `+providerSessions+` RETURNING key`,
		sql.Named("sid", providerSID), sql.Named("sub", subject))
	if err != nil {
		return nil, fmt.Errorf("store: delete a provider's sessions: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: delete a provider's sessions: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: delete a provider's sessions: %w", err)
	}
	return keys, nil
}

func (s *SQLite) SessionsOf(ctx context.Context, subject string, now time.Time) ([]SessionInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, device, address, created_at, last_seen_at, expires_at FROM sessions
		WHERE subject = ? AND expires_at > ? ORDER BY MAX(created_at, last_seen_at) DESC, key`, subject, ms(now))
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		var (
			si                       SessionInfo
			created, seen, expiresAt int64
		)
		if err := rows.Scan(&si.Key, &si.Device, &si.Address, &created, &seen, &expiresAt); err != nil {
			return nil, fmt.Errorf("store: list sessions: %w", err)
		}
		si.CreatedAt, si.LastSeenAt, si.ExpiresAt = fromMS(created), fromMS(max(seen, created)), fromMS(expiresAt)
		out = append(out, si)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	return out, nil
}

func (s *SQLite) DeleteSessionOf(ctx context.Context, subject, key string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE subject = ? AND key = ?`, subject, key)
	if err != nil {
		return false, fmt.Errorf("store: end session: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func (s *SQLite) DeleteSessionsOf(ctx context.Context, user string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `DELETE FROM sessions WHERE subject = ? OR (? <> '' AND lower(email) = lower(?)) RETURNING key`,
		user, user, user)
	if err != nil {
		return nil, fmt.Errorf("store: end a user's sessions: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: end a user's sessions: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: end a user's sessions: %w", err)
	}
	return keys, nil
}

func (s *SQLite) UseToken(ctx context.Context, key string, until time.Time) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO used_tokens (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		key, ms(until))
	if err != nil {
		return fmt.Errorf("store: use token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrTokenUsed
	}
	return nil
}

func (s *SQLite) SaveLogin(ctx context.Context, l Login, limits LoginLimits) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: save login: %w", err)
	}
	defer tx.Rollback()
	// The write comes first: it takes SQLite's write lock at once, so the
	// counts below cannot change under this transaction.
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_attempts
		(state, binding, nonce, verifier, return_to, client, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.State, l.Binding, l.Nonce, l.Verifier, l.ReturnTo, l.Client, ms(l.CreatedAt), ms(l.ExpiresAt)); err != nil {
		return fmt.Errorf("store: save login: %w", err)
	}
	if limits.PerBinding > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE binding = ? AND rowid NOT IN
			(SELECT rowid FROM login_attempts WHERE binding = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)`,
			l.Binding, l.Binding, limits.PerBinding); err != nil {
			return fmt.Errorf("store: drop a browser's oldest logins: %w", err)
		}
	}
	if limits.PerClient > 0 {
		var (
			n      int
			oldest sql.NullInt64
		)
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(expires_at) FROM login_attempts
			WHERE client = ? AND expires_at > ?`, l.Client, ms(l.CreatedAt)).Scan(&n, &oldest); err != nil {
			return fmt.Errorf("store: count a client's logins: %w", err)
		}
		if n > limits.PerClient {
			return &TooManyLoginsError{Until: fromMS(oldest.Int64)}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: save login: %w", err)
	}
	return nil
}

func (s *SQLite) TakeLogin(ctx context.Context, state, binding string, now time.Time) (Login, error) {
	l := Login{State: state, Binding: binding}
	var created, expires int64
	err := s.db.QueryRowContext(ctx, `DELETE FROM login_attempts WHERE state = ? AND binding = ?
		RETURNING nonce, verifier, return_to, client, created_at, expires_at`, state, binding).
		Scan(&l.Nonce, &l.Verifier, &l.ReturnTo, &l.Client, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Login{}, ErrNotFound
	}
	if err != nil {
		return Login{}, fmt.Errorf("store: take login: %w", err)
	}
	l.CreatedAt, l.ExpiresAt = fromMS(created), fromMS(expires)
	if !now.Before(l.ExpiresAt) {
		return Login{}, ErrNotFound
	}
	return l, nil
}

func (s *SQLite) Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: read secret %s: %w", name, err)
	}
	nv, err := generate()
	if err != nil {
		return nil, err
	}
	// Another instance may have won the race: keep whichever value was stored first.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, name, nv, ms(time.Now())); err != nil {
		return nil, fmt.Errorf("store: save secret %s: %w", name, err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("store: read secret %s: %w", name, err)
	}
	return v, nil
}

func (s *SQLite) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, q := range []string{
		`DELETE FROM sessions WHERE expires_at <= ?`,
		`DELETE FROM login_attempts WHERE expires_at <= ?`,
		`DELETE FROM used_tokens WHERE expires_at <= ?`,
	} {
		res, err := s.db.ExecContext(ctx, q, ms(now))
		if err != nil {
			return total, fmt.Errorf("store: delete expired: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

func (s *SQLite) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *SQLite) Close() error {
	for _, st := range []*sql.Stmt{s.readSession, s.readDecisions} {
		if st != nil {
			st.Close()
		}
	}
	return s.db.Close()
}

func (s *SQLite) LinkDecisions(ctx context.Context, anchorSource, anchorID string) ([]LinkDecision, error) {
	rows, err := s.readDecisions.QueryContext(ctx, anchorSource, anchorID)
	if err != nil {
		return nil, fmt.Errorf("store: read link decisions: %w", err)
	}
	return scanDecisions(rows, "link decisions", anchorSource, anchorID, func(d *LinkDecision) []any {
		return []any{&d.Source, &d.RecordID, &d.Decision, &d.Rule, &d.Value, &d.Actor}
	})
}

func (s *SQLite) DecideLink(ctx context.Context, d LinkDecision) error {
	switch d.Decision {
	case DecisionConfirmed, DecisionManual, DecisionSplit, DecisionCleared:
	default:
		return fmt.Errorf("store: unknown link decision %q", d.Decision)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: decide link: %w", err)
	}
	defer tx.Rollback()
	if d.Decision == DecisionCleared {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_links
			WHERE anchor_source = ? AND anchor_id = ? AND source = ? AND record_id = ?`,
			d.AnchorSource, d.AnchorID, d.Source, d.RecordID); err != nil {
			return fmt.Errorf("store: clear link decision: %w", err)
		}
	} else if _, err := tx.ExecContext(ctx, `INSERT INTO identity_links
		(anchor_source, anchor_id, source, record_id, decision, rule, value, actor, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (anchor_source, anchor_id, source, record_id) DO UPDATE SET
		decision = excluded.decision, rule = excluded.rule, value = excluded.value,
		actor = excluded.actor, decided_at = excluded.decided_at`,
		d.AnchorSource, d.AnchorID, d.Source, d.RecordID, d.Decision, d.Rule, d.Value, d.Actor, ms(d.At)); err != nil {
		return fmt.Errorf("store: decide link: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO identity_link_history
		(anchor_source, anchor_id, source, record_id, decision, actor, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.AnchorSource, d.AnchorID, d.Source, d.RecordID, d.Decision, d.Actor, ms(d.At)); err != nil {
		return fmt.Errorf("store: record link history: %w", err)
	}
	return tx.Commit()
}

func (s *SQLite) LinkHistory(ctx context.Context, anchorSource, anchorID string) ([]LinkDecision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source, record_id, decision, actor, decided_at
		FROM identity_link_history WHERE anchor_source = ? AND anchor_id = ? ORDER BY seq`, anchorSource, anchorID)
	if err != nil {
		return nil, fmt.Errorf("store: read link history: %w", err)
	}
	return scanDecisions(rows, "link history", anchorSource, anchorID, func(d *LinkDecision) []any {
		return []any{&d.Source, &d.RecordID, &d.Decision, &d.Actor}
	})
}

// scanDecisions reads and closes the rows of one anchor's decisions: the
// columns that fields points at, then decided_at.
func scanDecisions(rows *sql.Rows, what, anchorSource, anchorID string, fields func(*LinkDecision) []any) ([]LinkDecision, error) {
	defer rows.Close()
	var out []LinkDecision
	for rows.Next() {
		d := LinkDecision{AnchorSource: anchorSource, AnchorID: anchorID}
		var at int64
		if err := rows.Scan(append(fields(&d), &at)...); err != nil {
			return nil, fmt.Errorf("store: read %s: %w", what, err)
		}
		d.At = fromMS(at)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read %s: %w", what, err)
	}
	return out, nil
}
