package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/atrium-dev/atrium/adapters"
)

// QueryError is a configured query that failed in the database, or could not
// reach it. It matches one of the classes of package adapters with errors.Is,
// and context.DeadlineExceeded when the query ran out of time.
type QueryError struct {
	Query string // the query's name, e.g. "orders"
	Key   string // where it is configured, e.g. "facets[1]"
	Class error  // adapters.ErrUnavailable, adapters.ErrBadRequest, …
	Code  string // the SQLSTATE or SQLite result code, when the database gave one
	// Detail is the driver's message with passwords removed. It can quote
	// record data, so it is for the logs only (RawBody), never for a page.
	Detail string

	cause error // the context's error, when the query ran out of time or was cancelled
}

// Error says which query failed and how, without the driver's message.
func (e *QueryError) Error() string {
	code := ""
	if e.Code != "" {
		code = " (" + e.Code + ")"
	}
	return fmt.Sprintf("sqldb: query %q (%s): %v%s: %s", e.Query, e.Key, e.Class, code, e.hint())
}

func (e *QueryError) hint() string {
	switch {
	case errors.Is(e.cause, context.DeadlineExceeded):
		return "it ran longer than its timeout; make the query faster (an index on the columns it filters by) or raise its timeout"
	case errors.Is(e.Class, adapters.ErrBadRequest):
		return "check the query's SQL and the columns it names"
	case errors.Is(e.Class, adapters.ErrAuth):
		return "check the connection's user and password"
	case errors.Is(e.Class, adapters.ErrForbidden):
		return "grant the connection's user SELECT on what the query reads"
	}
	return "the database could not be reached or failed; check that it is up and that dsn points at it, or retry later"
}

// Unwrap returns the class and, for a timeout, the context's error.
func (e *QueryError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Class, e.cause}
	}
	return []error{e.Class}
}

// RawBody returns the driver's message, for adapters.RawBody: logs only.
func (e *QueryError) RawBody() string { return e.Detail }

// MissingColumnError is a mapping that names a column the query did not
// return: a configuration error found at run time, when the select list could
// not be read from the SQL. It matches adapters.ErrBadRequest.
type MissingColumnError struct {
	Query    string   // the query's name
	Column   string   // the missing column
	Key      string   // the setting that names it, e.g. "facets[1].columns[2].column"
	Returned []string // the columns the query returned
}

func (e *MissingColumnError) Error() string {
	return fmt.Sprintf("sqldb: query %q: %s names the column %q, which the query does not return (it returns %s)",
		e.Query, e.Key, e.Column, strings.Join(e.Returned, ", "))
}

func (e *MissingColumnError) Unwrap() error { return adapters.ErrBadRequest }

// classify turns a failure of q into an error of the adapters' classes. outer
// is the caller's context, ctx the query's own, with its timeout.
func (a *Adapter) classify(outer, ctx context.Context, q *query, err error) error {
	if outer.Err() != nil {
		// The caller gave up (or its deadline passed): say so, not the driver.
		return fmt.Errorf("sqldb: query %q: %w", q.name, context.Cause(outer))
	}
	qe := &QueryError{Query: q.name, Key: q.key, Detail: redact(err.Error(), a.secrets...)}
	if ctx.Err() != nil {
		qe.Class, qe.cause = adapters.ErrUnavailable, ctx.Err()
		return qe
	}
	qe.Class, qe.Code = classOf(err)
	return qe
}

// classOf sorts a driver error into a class, with the database's code.
func classOf(err error) (error, string) {
	var pge *pgconn.PgError
	if errors.As(err, &pge) {
		return pgClass(pge.Code), pge.Code
	}
	var sqe interface{ Code() int }
	if errors.As(err, &sqe) {
		return sqliteClass(sqe.Code()), "SQLite " + strconv.Itoa(sqe.Code())
	}
	// Refused or dropped connections, timeouts of the dial, a closed pool.
	return adapters.ErrUnavailable, ""
}

// pgClass sorts a SQLSTATE: https://www.postgresql.org/docs/15/errcodes-appendix.html
func pgClass(code string) error {
	switch {
	case code == "42501": // insufficient_privilege
		return adapters.ErrForbidden
	case strings.HasPrefix(code, "28"): // invalid authorization specification
		return adapters.ErrAuth
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), strings.HasPrefix(code, "57"),
		strings.HasPrefix(code, "58"), strings.HasPrefix(code, "XX"), strings.HasPrefix(code, "40"):
		// connection, resources, shutdown or cancel, system, internal, rollback
		return adapters.ErrUnavailable
	}
	// Syntax, unknown columns or tables, bad values for a type, a write in the
	// read-only session: the configuration's mistakes.
	return adapters.ErrBadRequest
}

// sqliteClass sorts a SQLite result code: https://www.sqlite.org/rescode.html
func sqliteClass(code int) error {
	switch code & 0xff {
	case 3, 23: // SQLITE_PERM, SQLITE_AUTH
		return adapters.ErrForbidden
	case 5, 6, 7, 10, 11, 13, 14, 26: // BUSY, LOCKED, NOMEM, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB
		return adapters.ErrUnavailable
	}
	return adapters.ErrBadRequest // ERROR (syntax, no such column), READONLY, RANGE, MISMATCH, …
}
