package erp_test

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/atrium-dev/atrium/adapters/sqldb"
	"github.com/atrium-dev/atrium/demo/erp"
)

var now = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

func create(t *testing.T) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "erp.db")
	if err := erp.Create(t.Context(), path, now, erp.DemoAccounts()); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return path, db
}

func TestCustomers(t *testing.T) {
	accounts := erp.DemoAccounts()
	cs := erp.Customers(accounts)
	if cs[0].No != "C-10001" || cs[1].No != "C-10042" {
		t.Errorf("customer numbers %s, %s; want C-10001, C-10042", cs[0].No, cs[1].No)
	}
	linked, domainOnly := 0, 0
	for i, c := range cs {
		if c.Name != accounts[i].Name || c.SalesforceID != accounts[i].SalesforceID {
			t.Errorf("customer %d = %+v, want the account %+v", i, c, accounts[i])
		}
		if !strings.HasSuffix(c.BillingEmail, "@"+c.Domain) || c.Currency == "" || c.City == "" || len(c.Country) != 2 {
			t.Errorf("customer %s = %+v: want a billing email at its domain, a currency and a place", c.No, c)
		}
		if c.SalesforceID != "" {
			linked++
		} else {
			domainOnly++
		}
	}
	if linked < 2 || domainOnly < 4 {
		t.Errorf("%d customers carry a Salesforce id and %d do not; want some of each (and the ERP-only ones)", linked, domainOnly)
	}
	// A customer's data depends on its account only, not on its neighbours.
	if again := erp.Customers(accounts[3:4])[0]; again.BillingEmail != cs[3].BillingEmail || again.VATID != cs[3].VATID {
		t.Errorf("customer %q differs when seeded alone: %+v, want %+v", cs[3].Name, again, cs[3])
	}
}

func TestCreateIsDeterministic(t *testing.T) {
	_, a := create(t)
	_, b := create(t)
	da, db := dump(t, a), dump(t, b)
	if da != db {
		t.Error("two databases created for the same accounts and time differ")
	}
	if !strings.Contains(da, "C-10001|Acme Corporation") {
		t.Errorf("dump lacks Acme:\n%.500s", da)
	}
}

func TestCreateRefusesAnExistingFile(t *testing.T) {
	path, db := create(t)
	before := dump(t, db)
	if err := erp.Create(t.Context(), path, now, erp.DemoAccounts()); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("Create over an existing file = %v, want an error saying it exists", err)
	}
	if after := dump(t, db); after != before {
		t.Error("a refused Create changed the existing database")
	}
}

// A Create that fails leaves no file behind, which a later run would take
// for a seeded ERP; the next Create then succeeds.
func TestCreateRemovesItsFileOnFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "erp.db")
	// A directory where SQLite's rollback journal goes makes the first write
	// fail, once the database file has been opened.
	journal := path + "-journal"
	if err := os.Mkdir(journal, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := erp.Create(t.Context(), path, now, erp.DemoAccounts()); err == nil {
		t.Fatal("Create without a place for its journal succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after a failed Create, stat %s = %v, want no file", path, err)
	}
	if err := os.Remove(journal); err != nil {
		t.Fatal(err)
	}
	if err := erp.Create(t.Context(), path, now, erp.DemoAccounts()); err != nil {
		t.Errorf("Create after a failed one: %v", err)
	}
}

// TestDataIsConsistent checks what an ERP guarantees: totals add up, orders
// ship once, dates run forward, nothing lies in the future.
func TestDataIsConsistent(t *testing.T) {
	_, db := create(t)
	checks := []struct{ what, sql string }{
		{"orders whose total is not the sum of their lines", `SELECT count(*) FROM orders o WHERE abs(o.total -
			(SELECT sum(l.qty * l.unit_price) FROM order_lines l WHERE l.order_no = o.order_no)) > 0.005`},
		{"orders without lines", `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_no = o.order_no)`},
		{"shipped or delivered orders without exactly one shipment", `SELECT count(*) FROM orders o WHERE o.status IN ('shipped', 'delivered')
			AND (SELECT count(*) FROM shipments s WHERE s.order_no = o.order_no) <> 1`},
		{"open or cancelled orders with a shipment", `SELECT count(*) FROM orders o JOIN shipments s ON s.order_no = o.order_no
			WHERE o.status IN ('open', 'cancelled')`},
		{"delivered orders without a delivery, or shipped ones with one", `SELECT count(*) FROM orders o JOIN shipments s ON s.order_no = o.order_no
			WHERE (o.status = 'delivered') <> (s.delivered_at IS NOT NULL)`},
		{"shipments before their order or delivered before shipping", `SELECT count(*) FROM shipments s JOIN orders o ON o.order_no = s.order_no
			WHERE s.shipped_at < o.ordered_at OR s.delivered_at < s.shipped_at`},
		{"dates in the future", `SELECT count(*) FROM orders o LEFT JOIN shipments s ON s.order_no = o.order_no
			WHERE o.ordered_at > '2026-03-02' OR s.shipped_at > '2026-03-02 15:04:05' OR s.delivered_at > '2026-03-02 15:04:05'`},
		{"orders in a currency not the customer's", `SELECT count(*) FROM orders o JOIN customers c ON c.customer_no = o.customer_no
			WHERE (c.country = 'US' AND o.currency <> 'USD') OR (c.country = 'DE' AND o.currency <> 'EUR')`},
		{"customers with fewer than 4 orders", `SELECT count(*) FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer_no = c.customer_no) < 4`},
	}
	for _, c := range checks {
		var n int
		if err := db.QueryRow(c.sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
	var statuses int
	if err := db.QueryRow("SELECT count(DISTINCT status) FROM orders").Scan(&statuses); err != nil || statuses != 4 {
		t.Errorf("%d distinct order statuses (%v), want all 4", statuses, err)
	}
}

func TestDemoSettingsAreValid(t *testing.T) {
	for _, path := range []string{"/var/lib/atrium/erp.db", `C:\demo "erp".db`} {
		dec := yaml.NewDecoder(strings.NewReader(erp.DemoSettings(path)))
		dec.KnownFields(true)
		var s sqldb.Settings
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if s.DSN != path {
			t.Errorf("dsn = %q, want %q", s.DSN, path)
		}
		if probs := s.Validate(); len(probs) > 0 {
			t.Errorf("Validate() = %v", probs)
		}
	}
}

// dump returns every row of every table, in a stable order.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT * FROM customers ORDER BY customer_no",
		"SELECT * FROM orders ORDER BY order_no",
		"SELECT * FROM order_lines ORDER BY order_no, line_no",
		"SELECT * FROM shipments ORDER BY shipment_no",
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteByte('|')
				}
				fmt.Fprint(&b, v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}
