package sqldb_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters/sqldb"
)

// validSettings is a small valid configuration each case below breaks once.
func validSettings() *sqldb.Settings {
	return &sqldb.Settings{
		Driver: sqldb.DriverSQLite,
		DSN:    "erp.db",
		Search: sqldb.Query{
			SQL:    "SELECT customer_no, name FROM customers WHERE name LIKE '%' || :q_like || '%' ESCAPE '\\'",
			Params: []string{"q_like"},
			Fields: map[string]string{"id": "customer_no", "name": "name"},
		},
		Facets: []sqldb.Query{
			{Name: "customer", Title: "Customer", SQL: "SELECT name FROM customers WHERE customer_no = :id",
				Params: []string{"id"}, Fields: map[string]string{"name": "name"}},
			{Name: "orders", Title: "Orders",
				SQL:    "SELECT order_no, total, currency, status FROM orders WHERE customer_no = :id",
				Params: []string{"id"},
				Columns: []sqldb.Column{
					{Column: "order_no"}, {Column: "total", Kind: "money", CurrencyColumn: "currency"}, {Column: "status"},
				}},
		},
	}
}

func TestValidSettings(t *testing.T) {
	if probs := validSettings().Validate(); len(probs) > 0 {
		t.Fatalf("Validate() = %v, want no problem", problemKeys(probs))
	}
}

// TestValidateRejects checks every rule, each with the key path of the
// setting at fault.
func TestValidateRejects(t *testing.T) {
	search := func(sql string, params ...string) func(*sqldb.Settings) {
		return func(s *sqldb.Settings) { s.Search.SQL, s.Search.Params = sql, params }
	}
	header := func(sql string, params ...string) func(*sqldb.Settings) {
		return func(s *sqldb.Settings) { s.Facets[0].SQL, s.Facets[0].Params = sql, params }
	}
	pg := func(f func(*sqldb.Settings)) func(*sqldb.Settings) {
		return func(s *sqldb.Settings) { s.Driver, s.DSN = sqldb.DriverPostgres, "postgres://app@db/erp"; f(s) }
	}
	orders := func(f func(q *sqldb.Query)) func(*sqldb.Settings) {
		return func(s *sqldb.Settings) { f(&s.Facets[1]) }
	}
	tests := []struct {
		name    string
		change  func(*sqldb.Settings)
		key     string
		message string
	}{
		// Bind parameters only.
		{"template braces", search("SELECT customer_no, name FROM customers WHERE name = '{{.Q}}' OR name = :q_like", "q_like"), "search.sql", `template marker "{{"`},
		{"shell-style reference", header("SELECT name FROM customers WHERE customer_no = '${ID}' OR customer_no = :id", "id"), "facets[0].sql", `template marker "${"`},
		{"format verb in a literal", header("SELECT name FROM customers WHERE customer_no = '%s' OR customer_no = :id", "id"), "facets[0].sql", "format verb %s"},
		{"format verb in SQL", header("SELECT name FROM customers WHERE customer_no = %v OR customer_no = :id", "id"), "facets[0].sql", "format verb %v"},
		{"format verb %d", search("SELECT customer_no, name FROM customers WHERE n = %d OR name = :q_like", "q_like"), "search.sql", "format verb %d"},
		{"parameter inside a literal", search("SELECT customer_no, name FROM customers WHERE name LIKE '%:q%'", "q"), "search.sql", "holds :q, which the database reads as text"},
		{"parameter used, not declared", search("SELECT customer_no, name FROM customers WHERE name = :q OR name = :q_lower", "q"), "search.params", ":q_lower is used in sql but not declared"},
		{"parameter declared, not used", search("SELECT customer_no, name FROM customers WHERE name = :q", "q", "q_lower"), "search.params[1]", `"q_lower" is declared but sql does not use :q_lower`},
		{"parameter the query cannot have", header("SELECT name FROM customers WHERE customer_no = :id AND name = :q", "id", "q"), "facets[0].params[1]", `"q" is not a parameter of this query`},
		{"unknown parameter, undeclared", search("SELECT customer_no, name FROM customers WHERE name = :q OR owner = :user", "q"), "search.params", ":user is used in sql but not declared"},
		{"parameter listed twice", search("SELECT customer_no, name FROM customers WHERE name = :q", "q", "q"), "search.params[1]", `"q" is listed twice`},
		{"driver placeholder in pgx", pg(header("SELECT name FROM customers WHERE customer_no = $1", "id")), "facets[0].sql", "placeholder $1"},
		{"driver placeholder in sqlite", header("SELECT name FROM customers WHERE customer_no = ?", "id"), "facets[0].sql", "placeholder ?"},
		{"facet without id", header("SELECT name FROM customers LIMIT 1"), "facets[0].params", "does not use id"},
		{"search without the text", search("SELECT customer_no, name FROM customers LIMIT :limit", "limit"), "search.params", "uses none of q, q_like and q_lower"},
		// One read-only statement.
		{"two statements", header("SELECT name FROM customers WHERE customer_no = :id; DELETE FROM customers", "id"), "facets[0].sql", "more than one statement"},
		{"a write", header("DELETE FROM customers WHERE customer_no = :id", "id"), "facets[0].sql", `is not a SELECT: it starts with "DELETE"`},
		{"an update", pg(header("UPDATE customers SET name = 'x' WHERE customer_no = :id", "id")), "facets[0].sql", `is not a SELECT: it starts with "UPDATE"`},
		{"a write inside WITH", pg(header("WITH d AS (DELETE FROM customers WHERE customer_no = :id RETURNING name) SELECT name FROM d", "id")), "facets[0].sql", "modifies data: DELETE"},
		{"SELECT INTO", pg(header("SELECT name INTO copy FROM customers WHERE customer_no = :id", "id")), "facets[0].sql", "creates a table"},
		{"unclosed literal", header("SELECT name FROM customers WHERE customer_no = :id AND name = 'x", "id"), "facets[0].sql", "string literal is not closed"},
		{"no SQL", header("", "id"), "facets[0].sql", "is required"},
		// Connection.
		{"no driver", func(s *sqldb.Settings) { s.Driver = "" }, "driver", "is required"},
		{"postgres as driver name", func(s *sqldb.Settings) { s.Driver = "postgres" }, "driver", `"postgres" is not a driver name`},
		{"no DSN", func(s *sqldb.Settings) { s.DSN = "" }, "dsn", "is required"},
		{"two DSNs", func(s *sqldb.Settings) { s.DSNEnv = "ERP_DSN" }, "dsn", "is set together with"},
		{"unreadable DSN file", func(s *sqldb.Settings) { s.DSN, s.DSNFile = "", "/nonexistent/erp-dsn" }, "dsn_file", "cannot be read"},
		{"unset DSN variable", func(s *sqldb.Settings) { s.DSN, s.DSNEnv = "", "ATRIUM_TEST_UNSET_DSN" }, "dsn_env", "is not set"},
		{"connections out of range", func(s *sqldb.Settings) { s.MaxOpenConns = 1000 }, "max_open_conns", "out of range"},
		// Limits.
		{"timeout too long", orders(func(q *sqldb.Query) { q.Timeout = time.Hour }), "facets[1].timeout", "out of range"},
		{"timeout too short", func(s *sqldb.Settings) { s.Search.Timeout = time.Millisecond }, "search.timeout", "out of range"},
		{"row limit too high", orders(func(q *sqldb.Query) { q.MaxRows = 1_000_000 }), "facets[1].max_rows", "out of range"},
		{"negative row limit", func(s *sqldb.Settings) { s.Search.MaxRows = -1 }, "search.max_rows", "out of range"},
		// Mappings.
		{"unknown kind", orders(func(q *sqldb.Query) { q.Columns[2].Kind = "badge" }), "facets[1].columns[2].kind", `"badge" is not a kind`},
		{"money without currency", orders(func(q *sqldb.Query) { q.Columns[1].CurrencyColumn = "" }), "facets[1].columns[1]", "money without a currency"},
		{"two currencies", orders(func(q *sqldb.Query) { q.Columns[1].Currency = "EUR" }), "facets[1].columns[1].currency", "together with currency_column"},
		{"bad currency code", orders(func(q *sqldb.Query) { q.Columns[1].CurrencyColumn, q.Columns[1].Currency = "", "euro" }), "facets[1].columns[1].currency", "not an ISO 4217 code"},
		{"currency on a text column", orders(func(q *sqldb.Query) { q.Columns[2].Currency = "EUR" }), "facets[1].columns[2]", "not of kind money"},
		{"column listed twice", orders(func(q *sqldb.Query) { q.Columns[2].Column = "ORDER_NO" }), "facets[1].columns[2].column", "listed twice"},
		{"column not selected", orders(func(q *sqldb.Query) { q.Columns[2].Column = "state" }), "facets[1].columns[2].column", `names the column "state", which sql does not select`},
		{"currency column not selected", orders(func(q *sqldb.Query) { q.Columns[1].CurrencyColumn = "ccy" }), "facets[1].columns[1].currency_column", `"ccy", which sql does not select`},
		{"header field not selected", func(s *sqldb.Settings) { s.Facets[0].Fields["city"] = "town" }, "facets[0].fields.city", `"town", which sql does not select`},
		{"not a header field", func(s *sqldb.Settings) { s.Facets[0].Fields["revenue"] = "name" }, "facets[0].fields.revenue", `"revenue" is not a header field`},
		{"header without name", func(s *sqldb.Settings) { s.Facets[0].Fields = map[string]string{"city": "name"} }, "facets[0].fields", "does not map name"},
		{"money field without currency", func(s *sqldb.Settings) { s.Facets[0].Fields["annual_revenue"] = "name" }, "facets[0].currency", "is required by the money field annual_revenue"},
		{"search without id", func(s *sqldb.Settings) { delete(s.Search.Fields, "id") }, "search.fields", "does not map id"},
		{"not a search field", func(s *sqldb.Settings) { s.Search.Fields["website"] = "name" }, "search.fields.website", `"website" is not a search field`},
		{"external id of no system", func(s *sqldb.Settings) { s.Search.Fields["external_id"] = "name" }, "search.external_system", "is required by fields.external_id"},
		{"columns on the search", func(s *sqldb.Settings) { s.Search.Columns = []sqldb.Column{{Column: "name"}} }, "search.columns", "is not used by the search"},
		{"table without columns", orders(func(q *sqldb.Query) { q.Columns = nil }), "facets[1]", "maps neither fields nor columns"},
		{"second header", orders(func(q *sqldb.Query) { q.Fields = map[string]string{"name": "order_no"}; q.Columns = nil }), "facets[1].fields", "is set on a second facet"},
		{"no header", func(s *sqldb.Settings) { s.Facets = s.Facets[1:] }, "facets", "has no header facet"},
		{"facet name taken", orders(func(q *sqldb.Query) { q.Name = "customer" }), "facets[1].name", "is used by another facet"},
		{"facet title taken", orders(func(q *sqldb.Query) { q.Title = "Customer" }), "facets[1].title", "is used by another facet"},
		{"facet name not a key", orders(func(q *sqldb.Query) { q.Name = "Recent Orders" }), "facets[1].name", "is not a facet name"},
		{"facet without title", orders(func(q *sqldb.Query) { q.Title = "" }), "facets[1].title", "is required"},
		// Links and summaries.
		{"placeholder in the host", orders(func(q *sqldb.Query) { q.URLTemplate = "https://{status}.example.com/orders/{order_no}" }), "facets[1].url_template", "host must be fixed"},
		{"relative link", orders(func(q *sqldb.Query) { q.URLTemplate = "/orders/{order_no}" }), "facets[1].url_template", "not an absolute http or https URL"},
		{"unclosed placeholder", orders(func(q *sqldb.Query) { q.URLTemplate = "https://erp.example.com/orders/{order_no" }), "facets[1].url_template", "{ without }"},
		{"link column not selected", orders(func(q *sqldb.Query) { q.URLTemplate = "https://erp.example.com/orders/{id}" }), "facets[1].url_template", `"id", which sql does not select`},
		{"summary without aggregate", orders(func(q *sqldb.Query) { q.Summary = []sqldb.Summary{{Label: "Orders"}} }), "facets[1].summary[0]", "exactly one of sum, count and max"},
		{"summary with two aggregates", orders(func(q *sqldb.Query) { q.Summary = []sqldb.Summary{{Label: "Orders", Sum: "total", Count: "*"}} }), "facets[1].summary[0]", "exactly one of sum, count and max"},
		{"sum of text", orders(func(q *sqldb.Query) { q.Summary = []sqldb.Summary{{Label: "S", Sum: "status"}} }), "facets[1].summary[0].sum", "not a number, money or percent column"},
		{"summary of an unmapped column", orders(func(q *sqldb.Query) { q.Summary = []sqldb.Summary{{Label: "Latest", Max: "ordered_at"}} }), "facets[1].summary[0].max", `"ordered_at" is not one of the table's columns`},
		{"summary filter not selected", orders(func(q *sqldb.Query) {
			q.Summary = []sqldb.Summary{{Label: "Open", Count: "*", Where: map[string]string{"state": "open"}}}
		}), "facets[1].summary[0].where.state", `"state", which sql does not select`},
		{"not a key metric", orders(func(q *sqldb.Query) { q.Summary = []sqldb.Summary{{Label: "Orders", Count: "*", Key: "orders"}} }), "facets[1].summary[0].key", `"orders" is not a key metric`},
		// Timeline events and keys.
		{"event without kind", orders(func(q *sqldb.Query) { q.Event = sqldb.Event{At: "order_no", Title: "Order {order_no}"} }), "facets[1].event.kind", "is required"},
		{"event without time", orders(func(q *sqldb.Query) { q.Event = sqldb.Event{Kind: "order", Title: "Order {order_no}"} }), "facets[1].event.at", "is required"},
		{"event without title", orders(func(q *sqldb.Query) { q.Event = sqldb.Event{Kind: "order", At: "order_no"} }), "facets[1].event.title", "is required"},
		{"event title names no column", orders(func(q *sqldb.Query) { q.Event = sqldb.Event{Kind: "order", At: "order_no", Title: "Order {no}"} }), "facets[1].event.title", `"no", which sql does not select`},
		{"event amount not money", orders(func(q *sqldb.Query) {
			q.Event = sqldb.Event{Kind: "order", At: "order_no", Title: "Order", Amount: "status"}
		}), "facets[1].event.amount", `"status" is not a money or number column`},
		{"event on the header", func(s *sqldb.Settings) { s.Facets[0].Event = sqldb.Event{Kind: "customer", At: "name", Title: "x"} }, "facets[0].event", "is not used by the search or the header"},
		{"header external id of no system", func(s *sqldb.Settings) { s.Facets[0].Fields["external_id"] = "name" }, "facets[0].external_system", "is required by fields.external_id"},
		{"external system on a table", orders(func(q *sqldb.Query) { q.ExternalSystem = "salesforce" }), "facets[1].external_system", "is not used by a table facet"},
		{"summary without label", orders(func(q *sqldb.Query) { q.Summary = []sqldb.Summary{{Count: "*"}} }), "facets[1].summary[0].label", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSettings()
			tt.change(s)
			probs := s.Validate()
			for _, p := range probs {
				if p.Key == tt.key && strings.Contains(p.Message, tt.message) {
					if p.Hint == "" {
						t.Errorf("problem %s: %s has no hint", p.Key, p.Message)
					}
					return
				}
			}
			t.Fatalf("Validate() = %q; want a problem at %s saying %q", problemKeys(probs), tt.key, tt.message)
		})
	}
}

func TestValidateHintsAtBuildingLikePatterns(t *testing.T) {
	s := validSettings()
	s.Search.SQL = "SELECT customer_no, name FROM customers WHERE name LIKE '%:q%'"
	s.Search.Params = []string{"q"}
	for _, p := range s.Validate() {
		if p.Key == "search.sql" && strings.Contains(p.Hint, "'%' || :q || '%'") {
			return
		}
	}
	t.Fatal("no problem at search.sql hints at '%' || :q || '%'")
}

func TestValidateReadsTheDSN(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(file, []byte("postgres://app:from-file@db/erp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ATRIUM_TEST_ERP_DSN", "postgres://app:from-env@db/erp")
	for _, set := range []func(*sqldb.Settings){
		func(s *sqldb.Settings) { s.DSN = "postgres://app:inline@db/erp" },
		func(s *sqldb.Settings) { s.DSNFile = file },
		func(s *sqldb.Settings) { s.DSNEnv = "ATRIUM_TEST_ERP_DSN" },
	} {
		s := validSettings()
		s.Driver, s.DSN = sqldb.DriverPostgres, ""
		set(s)
		if probs := s.Validate(); len(probs) > 0 {
			t.Errorf("Validate() = %q, want no problem", problemKeys(probs))
		}
	}
}

func TestValidateKeepsPasswordsOut(t *testing.T) {
	const password = "Tr0ub4dor&3"
	for _, dsn := range []string{
		"postgres://app:" + password + "@db:notaport/erp",
		"host=db port=notaport password=" + password,
	} {
		s := validSettings()
		s.Driver, s.DSN = sqldb.DriverPostgres, dsn
		probs := s.Validate()
		if len(probs) == 0 {
			t.Fatalf("Validate() with DSN %q found no problem", dsn)
		}
		for _, p := range probs {
			if strings.Contains(p.Message+p.Hint, password) || strings.Contains(p.Message+p.Hint, dsn) {
				t.Errorf("problem %s: %q shows the password", p.Key, p.Message)
			}
		}
	}
}
