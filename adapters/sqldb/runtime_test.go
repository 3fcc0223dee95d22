package sqldb_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/sqldb"
	"github.com/atrium-dev/atrium/demo/erp"
)

// demoSettings returns the demo ERP's settings with a change to the orders
// facet (facets[1]).
func demoSettings(t *testing.T, path string, change func(q *sqldb.Query)) *sqldb.Settings {
	s := decode(t, erp.DemoSettings(path))
	if change != nil {
		change(&s.Facets[1])
	}
	return s
}

func fetchOrders(t *testing.T, a *sqldb.Adapter, id string) (*adapters.Facet, error) {
	return a.Fetch(callCtx(t), adapters.FetchRequest{ID: id, Facet: "orders"})
}

func TestRowLimit(t *testing.T) {
	path := demoDB(t)
	acme := demoCustomer(t, "Acme Corporation")
	all, err := fetchOrders(t, newAdapter(t, demoSettings(t, path, nil)), acme.No)
	if err != nil {
		t.Fatal(err)
	}
	orders := len(all.Tables[0].Rows)
	if orders < 4 {
		t.Fatalf("fixture: Acme has %d orders, want at least 4", orders)
	}

	t.Run("without LIMIT in the SQL", func(t *testing.T) {
		var log bytes.Buffer
		s := demoSettings(t, path, func(q *sqldb.Query) {
			q.SQL = strings.Replace(q.SQL, "LIMIT :limit", "", 1)
			q.Params = []string{"id"}
			q.TotalColumn = ""
			q.MaxRows = 3
		})
		if probs := s.Validate(); len(probs) > 0 {
			t.Fatal(problemKeys(probs))
		}
		a := build(t, s, &log)
		f, err := fetchOrders(t, a, acme.No)
		if err != nil {
			t.Fatal(err)
		}
		tb := f.Tables[0]
		if len(tb.Rows) != 3 || tb.Total != 4 {
			t.Errorf("%d rows, Total %d; want 3 rows and Total 4 (max_rows+1: more than 3)", len(tb.Rows), tb.Total)
		}
		if !strings.Contains(log.String(), "LIMIT :limit") {
			t.Errorf("log does not advise LIMIT :limit:\n%s", log.String())
		}
	})
	t.Run("with a total column", func(t *testing.T) {
		a := newAdapter(t, demoSettings(t, path, func(q *sqldb.Query) { q.MaxRows = 2 }))
		f, err := fetchOrders(t, a, acme.No)
		if err != nil {
			t.Fatal(err)
		}
		if tb := f.Tables[0]; len(tb.Rows) != 2 || tb.Total != orders {
			t.Errorf("%d rows, Total %d; want 2 rows and Total %d", len(tb.Rows), tb.Total, orders)
		}
	})
}

func TestMissingColumn(t *testing.T) {
	path := demoDB(t)
	var log bytes.Buffer
	// SELECT * hides the select list from the check at load time.
	s := demoSettings(t, path, func(q *sqldb.Query) {
		q.SQL = "SELECT * FROM orders WHERE customer_no = :id"
		q.Params = []string{"id"}
		q.TotalColumn = ""
		q.Columns = append(q.Columns[:3], sqldb.Column{Column: "shipped_on", Kind: "date"})
		q.Summary, q.Event = nil, sqldb.Event{}
	})
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(problemKeys(probs))
	}
	a := build(t, s, &log)
	for range 2 {
		f, err := fetchOrders(t, a, demoCustomer(t, "Acme Corporation").No)
		var mc *sqldb.MissingColumnError
		if !errors.As(err, &mc) || mc.Column != "shipped_on" || mc.Key != "facets[1].columns[3].column" {
			t.Fatalf("Fetch = %v, %v; want a MissingColumnError naming shipped_on at facets[1].columns[3].column", f, err)
		}
		if !errors.Is(err, adapters.ErrBadRequest) || !strings.Contains(err.Error(), `"shipped_on"`) {
			t.Errorf("error %v: want one matching ErrBadRequest that names the column", err)
		}
	}
	if n := strings.Count(log.String(), "shipped_on"); n != 1 {
		t.Errorf("log names the missing column %d times, want once:\n%s", n, log.String())
	}
	// The same mapping over no rows still names the column, before any row.
	if _, err := fetchOrders(t, a, "C-99999"); !errors.Is(err, adapters.ErrBadRequest) {
		t.Errorf("Fetch of a customer without orders = %v, want the missing column", err)
	}
}

func TestEmptyTable(t *testing.T) {
	a := newAdapter(t, demoSettings(t, demoDB(t), nil))
	f, err := fetchOrders(t, a, "C-99999")
	if err != nil {
		t.Fatal(err)
	}
	if tb := f.Tables[0]; len(tb.Rows) != 0 || tb.Total != 0 || len(tb.Columns) != 5 {
		t.Errorf("table = %d rows, Total %d, %d columns; want an empty table with its 5 columns", len(tb.Rows), tb.Total, len(tb.Columns))
	}
}

func TestSearchTextIsData(t *testing.T) {
	path := demoDB(t)
	a := newAdapter(t, decode(t, erp.DemoSettings(path)))
	for _, text := range []string{`x' OR '1'='1`, `' OR 1=1 --`, `%' OR name LIKE '%`, `'); DROP TABLE customers; --`} {
		ms, err := a.Search(callCtx(t), adapters.Query{Text: text, Limit: 20})
		if err != nil || len(ms) != 0 {
			t.Errorf("Search(%q) = %v, %v; want no match and no error", text, ms, err)
		}
	}
	ms, err := a.Search(callCtx(t), adapters.Query{Text: "o'reilly", Limit: 20})
	if err != nil || len(ms) != 1 || ms[0].Name != "O'Reilly Media Group" {
		t.Errorf("Search(o'reilly) = %v, %v; want O'Reilly Media Group", ms, err)
	}
	var n int
	if err := openSQLite(t, path).QueryRow("SELECT count(*) FROM customers").Scan(&n); err != nil || n != len(erp.DemoAccounts()) {
		t.Errorf("customers after the searches: %d, %v; want %d", n, err, len(erp.DemoAccounts()))
	}
}

func TestSearchMatches(t *testing.T) {
	a := newAdapter(t, decode(t, erp.DemoSettings(demoDB(t))))
	acme, initech := demoCustomer(t, "Acme Corporation"), demoCustomer(t, "Initech Global Services")
	tests := []struct {
		text, id, matchedBy string
		key                 adapters.Key
		noKind              string
	}{
		{"acme corp", acme.No, "name", adapters.Key{Kind: adapters.KeyExternalID, Value: "salesforce:" + acme.SalesforceID}, ""},
		{strings.ToLower(acme.No), acme.No, adapters.KeyExternalID, adapters.Key{Kind: adapters.KeyEmail, Value: acme.BillingEmail}, ""},
		{"INITECH-GLOBAL.COM", initech.No, adapters.KeyDomain, adapters.Key{Kind: adapters.KeyDomain, Value: "initech-global.com"}, adapters.KeyExternalID},
		{acme.BillingEmail, acme.No, adapters.KeyEmail, adapters.Key{Kind: adapters.KeyDomain, Value: "acme-corp.com"}, ""},
	}
	for _, tt := range tests {
		ms, err := a.Search(callCtx(t), adapters.Query{Text: tt.text, Limit: 5})
		if err != nil || len(ms) != 1 || ms[0].ID != tt.id {
			t.Errorf("Search(%q) = %+v, %v; want %s alone", tt.text, ms, err, tt.id)
			continue
		}
		m := ms[0]
		if m.MatchedBy != tt.matchedBy || m.Source != testSource || m.City == "" {
			t.Errorf("Search(%q): MatchedBy %q, Source %q, City %q; want %q, %q and a city", tt.text, m.MatchedBy, m.Source, m.City, tt.matchedBy, testSource)
		}
		has := false
		for _, k := range m.Keys {
			has = has || k == tt.key
			if k.Kind == tt.noKind {
				t.Errorf("Search(%q): key %v, want no key of kind %q", tt.text, k, tt.noKind)
			}
		}
		if !has {
			t.Errorf("Search(%q) keys %v, want %v among them", tt.text, m.Keys, tt.key)
		}
	}
}

func TestSQLErrorsAreClassified(t *testing.T) {
	path := demoDB(t)
	s := demoSettings(t, path, func(q *sqldb.Query) {
		q.SQL = "SELECT * FROM ordres WHERE customer_no = :id"
		q.Params, q.TotalColumn, q.Summary = []string{"id"}, "", nil
	})
	a := newAdapter(t, s)
	_, err := fetchOrders(t, a, "C-10001")
	var qe *sqldb.QueryError
	if !errors.As(err, &qe) || !errors.Is(err, adapters.ErrBadRequest) {
		t.Fatalf("Fetch from a missing table = %v; want a QueryError matching ErrBadRequest", err)
	}
	if strings.Contains(err.Error(), "ordres") || !strings.Contains(adapters.RawBody(err), "ordres") {
		t.Errorf("Error() = %q, RawBody = %q; want the driver's message in RawBody only", err.Error(), adapters.RawBody(err))
	}
}

func TestSQLiteTimeout(t *testing.T) {
	s := demoSettings(t, demoDB(t), func(q *sqldb.Query) {
		q.SQL = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000)
			SELECT count(*) AS order_no, :id AS ordered_at, 0 AS status, 0 AS total, 'EUR' AS currency, 0 AS items FROM n`
		q.Params, q.TotalColumn, q.Summary = []string{"id"}, "", nil
		q.Timeout = 200 * time.Millisecond
	})
	a := newAdapter(t, s)
	start := time.Now()
	_, err := fetchOrders(t, a, "C-10001")
	if took := time.Since(start); took > time.Second {
		t.Errorf("Fetch took %s with a 200ms timeout", took)
	}
	if !errors.Is(err, adapters.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Fetch = %v; want an error matching ErrUnavailable and DeadlineExceeded", err)
	}
}

func TestSQLiteOpensReadOnly(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such.db")
	s := decode(t, erp.DemoSettings(missing))
	a := newAdapter(t, s)
	if h := a.Check(callCtx(t)); h.OK {
		t.Errorf("Check() of a missing file = %+v, want not OK", h)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the adapter created %s (%v): it must open files read-only", missing, err)
	}
	if _, err := a.Search(callCtx(t), adapters.Query{Text: "acme"}); !errors.Is(err, adapters.ErrUnavailable) {
		t.Errorf("Search on a missing file = %v, want ErrUnavailable", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	const password = "s3cret-pw"
	s := decode(t, erp.Settings(sqldb.DriverPostgres, "postgres://atrium:"+password+"@127.0.0.1:1/erp?sslmode=disable&connect_timeout=2"))
	a := newAdapter(t, s)
	h := a.Check(callCtx(t))
	if h.OK || strings.Contains(h.Message, password) {
		t.Errorf("Check() = %+v; want not OK, without the password", h)
	}
	_, err := a.Search(callCtx(t), adapters.Query{Text: "acme"})
	if !errors.Is(err, adapters.ErrUnavailable) {
		t.Errorf("Search = %v, want ErrUnavailable", err)
	}
	if strings.Contains(err.Error()+adapters.RawBody(err), password) {
		t.Errorf("error %q (raw %q) shows the password", err, adapters.RawBody(err))
	}
}
