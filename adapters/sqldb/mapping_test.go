package sqldb_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/sqldb"
)

// thingsDB is a SQLite database whose values test the mapping of kinds.
func thingsDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "things.db")
	db := openSQLite(t, path)
	stmts := []string{
		`CREATE TABLE things (k TEXT, id TEXT, n TEXT, pct REAL, flag INTEGER, yes TEXT, day TEXT, at TEXT,
			amount NUMERIC, ccy TEXT, path TEXT, seq INTEGER)`,
		`INSERT INTO things VALUES ('k1', 'A/B 1', '12.5', 7.5, 1, 'yes', '2026-01-31', '2026-01-31T10:00:00Z', 100.5, 'EUR', 'a&b=c', 1)`,
		`INSERT INTO things VALUES ('k1', 'n2', NULL, NULL, NULL, NULL, NULL, NULL, 20, 'EUR', NULL, 2)`,
		`INSERT INTO things VALUES ('k1', 'n3', 'n/a', 1, 0, 'no', 'garbage', '2026-02-01 08:30:00', 5, 'usd', 'p', 3)`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

func thingsSettings(path string) *sqldb.Settings {
	return &sqldb.Settings{
		Driver: sqldb.DriverSQLite, DSN: path,
		Search: sqldb.Query{SQL: "SELECT k, id FROM things WHERE id = :q", Params: []string{"q"},
			Fields: map[string]string{"id": "k", "name": "id"}},
		Facets: []sqldb.Query{
			{Name: "thing", Title: "Thing", SQL: "SELECT id AS name FROM things WHERE k = :id ORDER BY seq LIMIT 1",
				Params: []string{"id"}, Fields: map[string]string{"name": "name"}},
			{Name: "things", Title: "Things", SQL: "SELECT * FROM things WHERE k = :id ORDER BY seq", Params: []string{"id"},
				URLTemplate: "https://erp.example.com/things/{id}?p={path}",
				Columns: []sqldb.Column{
					{Column: "id"}, {Column: "n", Kind: "number"}, {Column: "pct", Kind: "percent"},
					{Column: "flag", Kind: "bool"}, {Column: "yes", Kind: "bool"}, {Column: "day", Kind: "date"},
					{Column: "at", Kind: "datetime"}, {Column: "amount", Kind: "money", CurrencyColumn: "ccy"},
				},
				Summary: []sqldb.Summary{
					{Label: "In euros", Count: "*", Where: map[string]string{"ccy": "EUR"}},
					{Label: "Euro total", Sum: "amount", Where: map[string]string{"ccy": "EUR"}},
					{Label: "Total", Sum: "amount"},
					{Label: "Last day", Max: "day"},
					{Label: "Last time", Max: "at"},
					{Label: "With n", Count: "n"},
				}},
		},
	}
}

func TestMappingOfKinds(t *testing.T) {
	var log bytes.Buffer
	s := thingsSettings(thingsDB(t))
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(problemKeys(probs))
	}
	a := build(t, s, &log)
	var f *adapters.Facet
	for range 2 { // the second time, nothing new is logged
		var err error
		if f, err = a.Fetch(callCtx(t), adapters.FetchRequest{ID: "k1", Facet: "things"}); err != nil {
			t.Fatal(err)
		}
	}
	tb := f.Tables[0]
	if len(tb.Rows) != 3 {
		t.Fatalf("%d rows, want 3", len(tb.Rows))
	}
	day := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	want := [][]adapters.Value{
		{
			{Kind: adapters.KindText, Text: "A/B 1", Valid: true},
			{Kind: adapters.KindNumber, Number: 12.5, Valid: true},
			{Kind: adapters.KindPercent, Number: 7.5, Valid: true},
			{Kind: adapters.KindBool, Bool: true, Valid: true},
			{Kind: adapters.KindBool, Bool: true, Valid: true},
			{Kind: adapters.KindDate, Time: day, Valid: true},
			{Kind: adapters.KindDateTime, Time: day.Add(10 * time.Hour), Valid: true},
			{Kind: adapters.KindMoney, Number: 100.5, Currency: "EUR", Valid: true},
		},
		{
			{Kind: adapters.KindText, Text: "n2", Valid: true},
			{Kind: adapters.KindNumber}, {Kind: adapters.KindPercent}, {Kind: adapters.KindBool}, {Kind: adapters.KindBool},
			{Kind: adapters.KindDate}, {Kind: adapters.KindDateTime},
			{Kind: adapters.KindMoney, Number: 20, Currency: "EUR", Valid: true},
		},
		{
			{Kind: adapters.KindText, Text: "n3", Valid: true},
			{Kind: adapters.KindNumber}, // "n/a"
			{Kind: adapters.KindPercent, Number: 1, Valid: true},
			{Kind: adapters.KindBool, Valid: true},
			{Kind: adapters.KindBool, Valid: true},
			{Kind: adapters.KindDate}, // "garbage"
			{Kind: adapters.KindDateTime, Time: time.Date(2026, 2, 1, 8, 30, 0, 0, time.UTC), Valid: true},
			{Kind: adapters.KindMoney, Number: 5, Currency: "USD", Valid: true},
		},
	}
	for i, row := range want {
		for j, v := range row {
			if got := tb.Rows[i].Cells[j]; !sameValue(got, v) {
				t.Errorf("row %d, %s = %+v; want %+v", i, tb.Columns[j].Key, got, v)
			}
		}
	}
	if got, want := tb.Rows[0].URL, "https://erp.example.com/things/A%2FB%201?p=a%26b%3Dc"; got != want {
		t.Errorf("row 0 URL = %q, want %q", got, want)
	}
	if tb.Rows[1].URL != "" {
		t.Errorf("row 1 URL = %q, want none: its path is NULL", tb.Rows[1].URL)
	}

	sum := map[string]adapters.Value{}
	for _, m := range tb.Summary {
		sum[m.Label] = m.Value
	}
	checks := []struct {
		label string
		want  adapters.Value
	}{
		{"In euros", adapters.Value{Kind: adapters.KindNumber, Number: 2, Valid: true}},
		{"Euro total", adapters.Value{Kind: adapters.KindMoney, Number: 120.5, Currency: "EUR", Valid: true}},
		{"Total", adapters.Value{Kind: adapters.KindMoney, Number: 125.5, Currency: "EUR"}}, // EUR and USD: no total
		{"Last day", adapters.Value{Kind: adapters.KindDate, Time: day, Valid: true}},
		{"Last time", adapters.Value{Kind: adapters.KindDateTime, Time: time.Date(2026, 2, 1, 8, 30, 0, 0, time.UTC), Valid: true}},
		{"With n", adapters.Value{Kind: adapters.KindNumber, Number: 1, Valid: true}},
	}
	for _, c := range checks {
		if got := sum[c.label]; !sameValue(got, c.want) {
			t.Errorf("summary %q = %+v, want %+v", c.label, sum[c.label], c.want)
		}
	}

	for _, col := range []string{"column=n ", "column=day "} {
		if n := strings.Count(log.String(), col); n != 1 {
			t.Errorf("log mentions %q %d times, want once:\n%s", col, n, log.String())
		}
	}
}

func TestHeaderLink(t *testing.T) {
	s := thingsSettings(thingsDB(t))
	s.Facets[0].URLTemplate = "https://erp.example.com/things/{name}"
	a := newAdapter(t, s)
	f, err := a.Fetch(callCtx(t), adapters.FetchRequest{ID: "k1", Facet: "thing"})
	if err != nil {
		t.Fatal(err)
	}
	if f.URL != "https://erp.example.com/things/A%2FB%201" || f.Fields["name"].Text != "A/B 1" {
		t.Errorf("header URL %q, name %+v; want the escaped link and A/B 1", f.URL, f.Fields["name"])
	}
}

// sameValue compares values, their times as instants.
func sameValue(a, b adapters.Value) bool {
	if !a.Time.Equal(b.Time) {
		return false
	}
	a.Time = b.Time
	return a == b
}
