package sqldb

import (
	"slices"
	"testing"
	"time"
)

func TestCompileTranslatesParameters(t *testing.T) {
	tests := []struct {
		name     string
		d        dialect
		sql      string
		params   []string
		want     string
		wantArgs []string
	}{
		{"numbered for pgx, repeats share a number", dialectPostgres,
			"SELECT a FROM t WHERE id = :id OR parent = :id", []string{"id"},
			"SELECT a FROM t WHERE id = $1 OR parent = $1", []string{"id"}},
		{"positional for sqlite, one argument per use", dialectSQLite,
			"SELECT a FROM t WHERE id = :id OR parent = :id", []string{"id"},
			"SELECT a FROM t WHERE id = ? OR parent = ?", []string{"id", "id"}},
		{"numbered in the order of params", dialectPostgres,
			"SELECT a FROM t WHERE a LIKE :q_like OR b = :q", []string{"q", "q_like"},
			"SELECT a FROM t WHERE a LIKE $2 OR b = $1", []string{"q", "q_like"}},
		{"sqlite arguments follow the SQL", dialectSQLite,
			"SELECT a FROM t WHERE a LIKE :q_like OR b = :q", []string{"q", "q_like"},
			"SELECT a FROM t WHERE a LIKE ? OR b = ?", []string{"q_like", "q"}},
		{"casts are not parameters", dialectPostgres,
			"SELECT created::date, n::text FROM t WHERE id = :id::text", []string{"id"},
			"SELECT created::date, n::text FROM t WHERE id = $1::text", []string{"id"}},
		{"colons inside literals and identifiers stay", dialectPostgres,
			`SELECT 'a:b', '10:30', "x:y" FROM t WHERE id = :id`, []string{"id"},
			`SELECT 'a:b', '10:30', "x:y" FROM t WHERE id = $1`, []string{"id"}},
		{"doubled quotes stay inside the literal", dialectSQLite,
			`SELECT 'it''s :x' FROM t WHERE id = :id`, []string{"id"},
			`SELECT 'it''s :x' FROM t WHERE id = ?`, []string{"id"}},
		{"escape strings keep a backslash-quoted quote", dialectPostgres,
			`SELECT E'it\'s :x' FROM t WHERE id = :id`, []string{"id"},
			`SELECT E'it\'s :x' FROM t WHERE id = $1`, []string{"id"}},
		{"dollar quotes hide ; and quotes", dialectPostgres,
			`SELECT $tag$ a;b 'c $tag$ FROM t WHERE id = :id`, []string{"id"},
			`SELECT $tag$ a;b 'c $tag$ FROM t WHERE id = $1`, []string{"id"}},
		{"comments are blanked and their parameters ignored", dialectPostgres,
			"-- by :q\nSELECT a /* :q; */ FROM t WHERE id = :id", []string{"id"},
			"SELECT a   FROM t WHERE id = $1", []string{"id"}},
		{"nested block comments in PostgreSQL", dialectPostgres,
			"SELECT a /* x /* :q */ ; */ FROM t WHERE id = :id", []string{"id"},
			"SELECT a   FROM t WHERE id = $1", []string{"id"}},
		{"bracket identifiers in SQLite", dialectSQLite,
			"SELECT [odd:name] FROM t WHERE id = :id", []string{"id"},
			"SELECT [odd:name] FROM t WHERE id = ?", []string{"id"}},
		{"a trailing semicolon is dropped", dialectSQLite,
			"SELECT a FROM t WHERE id = :id; -- done\n", []string{"id"},
			"SELECT a FROM t WHERE id = ?", []string{"id"}},
		{"a WITH query", dialectPostgres,
			"WITH o AS (SELECT * FROM orders WHERE c = :id) SELECT count(*) AS n FROM o", []string{"id"},
			"WITH o AS (SELECT * FROM orders WHERE c = $1) SELECT count(*) AS n FROM o", []string{"id"}},
		{"LIKE patterns that look like verbs pass", dialectSQLite,
			"SELECT a FROM t WHERE id = :id AND a LIKE '%sales%' AND b LIKE '%d%'", []string{"id"},
			"SELECT a FROM t WHERE id = ? AND a LIKE '%sales%' AND b LIKE '%d%'", []string{"id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, issues := compile(tt.sql, tt.d, tt.params, []string{"id", "q", "q_like", "limit"})
			if len(issues) > 0 {
				t.Fatalf("compile(%q) issues: %+v", tt.sql, issues)
			}
			if st.sql != tt.want {
				t.Errorf("compile(%q)\n got %q\nwant %q", tt.sql, st.sql, tt.want)
			}
			if !slices.Equal(st.args, tt.wantArgs) {
				t.Errorf("compile(%q) args = %q, want %q", tt.sql, st.args, tt.wantArgs)
			}
		})
	}
}

func TestSelectList(t *testing.T) {
	tests := []struct {
		sql          string
		want         []string
		wantComplete bool
	}{
		{"SELECT a, t.b, s.t.c FROM t", []string{"a", "b", "c"}, true},
		{"SELECT DISTINCT a AS x, count(*) AS n, 'lit' label FROM t", []string{"x", "n", "label"}, true},
		{`SELECT "Order No", "say ""hi""", x AS "Total" FROM t`, []string{"Order No", `say "hi"`, "Total"}, true},
		{"SELECT CASE WHEN a THEN 1 ELSE 2 END AS state, CASE WHEN b THEN 1 END flag FROM t", []string{"state", "flag"}, true},
		{"SELECT (SELECT sum(q) FROM l WHERE l.o = o.o) AS items, count(*) OVER () AS total FROM o", []string{"items", "total"}, true},
		{"SELECT extract(year FROM d) AS y FROM t", []string{"y"}, true},
		{"WITH x AS (SELECT a FROM t) SELECT b, c FROM x", []string{"b", "c"}, true},
		{"SELECT DISTINCT ON (a) a, b FROM t", []string{"a", "b"}, true},
		{"SELECT a FROM t UNION SELECT z FROM u", []string{"a"}, true},
		{"SELECT * FROM t", nil, false},
		{"SELECT t.*, a FROM t", []string{"a"}, false},
		{"SELECT a, count(*) FROM t", []string{"a"}, false},
		{"SELECT a + b FROM t", nil, false},
		{"SELECT a::text FROM t", nil, false},
		{"SELECT a IS NULL FROM t", nil, false},
		{"SELECT x COLLATE nocase FROM t", nil, false},
	}
	for _, tt := range tests {
		toks, err := lex(tt.sql, dialectPostgres)
		if err != nil {
			t.Fatalf("lex(%q): %v", tt.sql, err)
		}
		got, complete := selectList(significant(toks))
		if !slices.Equal(got, tt.want) || complete != tt.wantComplete {
			t.Errorf("selectList(%q) = %q, %v; want %q, %v", tt.sql, got, complete, tt.want, tt.wantComplete)
		}
	}
}

func TestValidateAppliesDefaults(t *testing.T) {
	s := &Settings{
		Driver: DriverSQLite, DSN: "erp.db",
		Search: Query{SQL: "SELECT no, name FROM c WHERE name = :q", Params: []string{"q"}, Fields: map[string]string{"id": "no", "name": "name"}},
		Facets: []Query{
			{Name: "customer", Title: "Customer", SQL: "SELECT name FROM c WHERE no = :id", Params: []string{"id"}, Fields: map[string]string{"name": "name"}},
			{Name: "orders", Title: "Orders", SQL: "SELECT o FROM o WHERE c = :id", Params: []string{"id"}, Columns: []Column{{Column: "o"}},
				Timeout: 250 * time.Millisecond, MaxRows: 7},
		},
	}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatalf("Validate() = %v", probs)
	}
	if s.MaxOpenConns != DefaultMaxOpenConns {
		t.Errorf("MaxOpenConns = %d, want %d", s.MaxOpenConns, DefaultMaxOpenConns)
	}
	if q := s.search; q.timeout != DefaultTimeout || q.maxRows != DefaultMaxRows || q.name != "search" {
		t.Errorf("search: timeout %s, max_rows %d, name %q; want %s, %d, search", q.timeout, q.maxRows, q.name, DefaultTimeout, DefaultMaxRows)
	}
	if q := s.facets[1]; q.timeout != 250*time.Millisecond || q.maxRows != 7 || q.columns[0].title != "o" || q.columns[0].kind != 0 {
		t.Errorf("orders: timeout %s, max_rows %d, column %+v; want the configured values and the column's name as title", q.timeout, q.maxRows, q.columns[0])
	}
}

func TestSQLiteDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/data/erp.db", "file:/data/erp.db?_query_only=1&mode=ro"},
		{"/data/erp 100%#2.db", "file:/data/erp 100%25%232.db?_query_only=1&mode=ro"},
		{"file:/data/erp.db?cache=shared", "file:/data/erp.db?_query_only=1&mode=ro&cache=shared"},
		{"file:/data/erp.db?mode=rw", "file:/data/erp.db?_query_only=1&mode=rw"},
	}
	for _, tt := range tests {
		if got := sqliteDSN(tt.in); got != tt.want {
			t.Errorf("sqliteDSN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		msg     string
		secrets []string
		want    string
	}{
		{"cannot parse `postgres://app:s3cr%t@db:5432/erp`: bad", nil, "cannot parse `postgres://app:xxxxx@db:5432/erp`: bad"},
		{"dial postgres://app:p@ss@db/erp failed", nil, "dial postgres://app:xxxxx@db/erp failed"},
		{"host=db password='a b\\'c' user=x", nil, "host=db password=xxxxx user=x"},
		{"host=db password=hunter22 user=x", nil, "host=db password=xxxxx user=x"},
		{"auth failed: hunter22 was wrong", []string{"hunter22"}, "auth failed: xxxxx was wrong"},
	}
	for _, tt := range tests {
		if got := redact(tt.msg, tt.secrets...); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}
