package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/adaptertest"
	"github.com/atrium-dev/atrium/adapters/sqldb"
	"github.com/atrium-dev/atrium/demo/erp"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// TestPostgres runs the demo ERP on a real PostgreSQL 15: the contract, the
// same answers as on SQLite, and the limits.
func TestPostgres(t *testing.T) {
	pg := testenv.StartPostgres(t)
	db, err := sql.Open("pgx", pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := erp.Seed(callCtx(t), db, erp.Postgres, demoNow, erp.DemoAccounts()); err != nil {
		t.Fatal(err)
	}
	settings := func(t *testing.T, change func(q *sqldb.Query)) *sqldb.Settings {
		s := decode(t, erp.Settings(sqldb.DriverPostgres, pg.DSN))
		if change != nil {
			change(&s.Facets[1])
		}
		return s
	}

	t.Run("contract", func(t *testing.T) {
		adaptertest.Run(t, demoFixture(t, func(t *testing.T) adapters.Adapter { return newAdapter(t, settings(t, nil)) }))
	})

	t.Run("answers as SQLite does", func(t *testing.T) {
		onPG := newAdapter(t, settings(t, nil))
		onSQLite := newAdapter(t, decode(t, erp.DemoSettings(demoDB(t))))
		for _, c := range erp.Customers(erp.DemoAccounts()) {
			for _, spec := range onPG.Facets() {
				req := adapters.FetchRequest{ID: c.No, Facet: spec.Name}
				want, err := onSQLite.Fetch(callCtx(t), req)
				if err != nil {
					t.Fatal(err)
				}
				got, err := onPG.Fetch(callCtx(t), req)
				if err != nil {
					t.Fatalf("Fetch(%s, %s) on PostgreSQL: %v", c.No, spec.Name, err)
				}
				compareFacets(t, c.No+" "+spec.Name, got, want)
			}
		}
	})

	t.Run("timeout", func(t *testing.T) {
		a := newAdapter(t, settings(t, func(q *sqldb.Query) {
			q.SQL = strings.Replace(q.SQL, "count(*) OVER () AS order_count", "count(*) OVER () AS order_count, pg_sleep(5) AS slept", 1)
			q.Timeout = 200 * time.Millisecond
		}))
		start := time.Now()
		_, err := fetchOrders(t, a, demoCustomer(t, "Acme Corporation").No)
		if took := time.Since(start); took > time.Second {
			t.Errorf("Fetch took %s with a 200ms timeout", took)
		}
		if !errors.Is(err, adapters.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Fetch = %v; want an error matching ErrUnavailable and DeadlineExceeded", err)
		}
		// The server stopped the query, rather than sleep on behind a dropped connection.
		waitFor(t, "the sleeping query to stop", func() bool {
			var n int
			err := db.QueryRowContext(callCtx(t), `SELECT count(*) FROM pg_stat_activity
				WHERE state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`).Scan(&n)
			return err == nil && n == 0
		})
		if h := a.Check(callCtx(t)); !h.OK {
			t.Errorf("Check() after the timeout = %+v, want OK", h)
		}
	})

	t.Run("row limit", func(t *testing.T) {
		a := newAdapter(t, settings(t, func(q *sqldb.Query) {
			q.SQL = strings.Replace(q.SQL, "LIMIT :limit", "", 1)
			q.Params, q.TotalColumn, q.MaxRows = []string{"id"}, "", 2
		}))
		f, err := fetchOrders(t, a, demoCustomer(t, "Acme Corporation").No)
		if err != nil {
			t.Fatal(err)
		}
		if tb := f.Tables[0]; len(tb.Rows) != 2 || tb.Total != 3 {
			t.Errorf("%d rows, Total %d; want 2 rows and Total 3", len(tb.Rows), tb.Total)
		}
	})

	t.Run("missing column", func(t *testing.T) {
		a := newAdapter(t, settings(t, func(q *sqldb.Query) {
			q.SQL = "SELECT o.* FROM orders o WHERE o.customer_no = :id"
			q.Params, q.TotalColumn, q.Summary = []string{"id"}, "", nil
			q.Columns[4].Column = "items"
		}))
		_, err := fetchOrders(t, a, demoCustomer(t, "Acme Corporation").No)
		var mc *sqldb.MissingColumnError
		if !errors.As(err, &mc) || mc.Column != "items" {
			t.Errorf("Fetch = %v, want a MissingColumnError naming items", err)
		}
	})

	t.Run("search text is data", func(t *testing.T) {
		a := newAdapter(t, settings(t, nil))
		for _, text := range []string{`x' OR '1'='1`, `'; SELECT pg_sleep(1); --`, `$1`, `:q`} {
			if ms, err := a.Search(callCtx(t), adapters.Query{Text: text, Limit: 20}); err != nil || len(ms) != 0 {
				t.Errorf("Search(%q) = %v, %v; want no match and no error", text, ms, err)
			}
		}
	})

	t.Run("sessions are read-only", func(t *testing.T) {
		if _, err := db.ExecContext(callCtx(t), "CREATE SEQUENCE order_numbers"); err != nil {
			t.Fatal(err)
		}
		a := newAdapter(t, settings(t, func(q *sqldb.Query) {
			q.SQL = strings.Replace(q.SQL, "SELECT o.order_no,", "SELECT nextval('order_numbers') AS seq, o.order_no,", 1)
		}))
		_, err := fetchOrders(t, a, demoCustomer(t, "Acme Corporation").No)
		var qe *sqldb.QueryError
		if !errors.As(err, &qe) || qe.Code != "25006" || !errors.Is(err, adapters.ErrBadRequest) {
			t.Errorf("Fetch calling nextval = %v; want a QueryError with SQLSTATE 25006 (read-only transaction)", err)
		}
	})
}

// compareFacets checks that two facets show the same values.
func compareFacets(t *testing.T, what string, got, want *adapters.Facet) {
	t.Helper()
	for k, v := range want.Fields {
		if !sameValue(got.Fields[k], v) {
			t.Errorf("%s: field %s = %+v, want %+v", what, k, got.Fields[k], v)
		}
	}
	if len(got.Tables) != len(want.Tables) {
		t.Fatalf("%s: %d tables, want %d", what, len(got.Tables), len(want.Tables))
	}
	for i, wt := range want.Tables {
		gt := got.Tables[i]
		if len(gt.Rows) != len(wt.Rows) || gt.Total != wt.Total {
			t.Errorf("%s: %d rows, Total %d; want %d, %d", what, len(gt.Rows), gt.Total, len(wt.Rows), wt.Total)
			continue
		}
		for r, row := range wt.Rows {
			for c, v := range row.Cells {
				if !sameValue(gt.Rows[r].Cells[c], v) {
					t.Errorf("%s: row %d %s = %+v, want %+v", what, r, wt.Columns[c].Key, gt.Rows[r].Cells[c], v)
				}
			}
		}
		for m, metric := range wt.Summary {
			if !sameValue(gt.Summary[m].Value, metric.Value) {
				t.Errorf("%s: %s = %+v, want %+v", what, metric.Label, gt.Summary[m].Value, metric.Value)
			}
		}
	}
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
