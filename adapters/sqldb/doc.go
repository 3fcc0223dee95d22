// Package sqldb connects a SQL database (PostgreSQL through pgx, or SQLite)
// with configuration only: a search query and one query per facet, each
// mapped onto Atrium's fields, columns and keys.
//
// Queries refer to values only as bind parameters (:q, :id, …), which the
// package numbers for the driver when the configuration is loaded; it rejects
// SQL that splices text, runs several statements or writes. Connections are
// read-only as well: PostgreSQL sessions start with
// default_transaction_read_only, SQLite files open with mode=ro and
// query_only. Each query runs under its own timeout and reads at most its
// max_rows rows.
package sqldb
