package main

import (
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/handlers"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/web"
)

// Each store implementation has every capability its consumers declare;
// store.DB, what store.Open returns, has them whichever it wraps.
var (
	_ auth.SessionStore    = (*store.SQLite)(nil)
	_ auth.Sweeper         = (*store.SQLite)(nil)
	_ auth.LogoutStore     = (*store.SQLite)(nil)
	_ auth.SessionActivity = (*store.SQLite)(nil)
	_ customer.Decisions   = (*store.SQLite)(nil)
	_ secrets              = (*store.SQLite)(nil)
	_ web.Pinger           = (*store.SQLite)(nil)
	_ handlers.Visits      = (*store.SQLite)(nil)

	_ auth.SessionStore    = (*store.Postgres)(nil)
	_ auth.Sweeper         = (*store.Postgres)(nil)
	_ auth.LogoutStore     = (*store.Postgres)(nil)
	_ auth.SessionActivity = (*store.Postgres)(nil)
	_ customer.Decisions   = (*store.Postgres)(nil)
	_ secrets              = (*store.Postgres)(nil)
	_ web.Pinger           = (*store.Postgres)(nil)
	_ handlers.Visits      = (*store.Postgres)(nil)

	_ auth.SessionStore    = (*store.DB)(nil)
	_ auth.Sweeper         = (*store.DB)(nil)
	_ auth.LogoutStore     = (*store.DB)(nil)
	_ auth.SessionActivity = (*store.DB)(nil)
	_ customer.Decisions   = (*store.DB)(nil)
	_ secrets              = (*store.DB)(nil)
	_ web.Pinger           = (*store.DB)(nil)
	_ handlers.Visits      = (*store.DB)(nil)
)
