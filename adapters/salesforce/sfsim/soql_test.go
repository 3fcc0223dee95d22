package sfsim

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSOQL(t *testing.T) {
	for _, q := range []string{
		"SELECT Id FROM Account",
		"select id, name from account",
		"SELECT Id, Name, Owner.Name FROM Account WHERE Name = 'Acme' LIMIT 10",
		"SELECT Id, (SELECT Id, Email FROM Contacts ORDER BY LastName LIMIT 5) FROM Account",
		"SELECT Id, (SELECT Id FROM Contacts WHERE Email != null) FROM Account WHERE Id = '001Dn00000Acme1'",
		"SELECT Id FROM Account WHERE (Industry = 'Retail' OR Industry = 'Media') AND NOT Name LIKE 'A%'",
		"SELECT Id FROM Account WHERE Industry IN ('Retail', 'Media') AND Type NOT IN ('Prospect')",
		"SELECT Id FROM Account WHERE AnnualRevenue >= 1000000.50 AND NumberOfEmployees < 100",
		"SELECT Id FROM Account WHERE SystemModstamp > 2026-01-31T00:00:00Z",
		"SELECT Id FROM Account WHERE SystemModstamp > 2026-01-31T00:00:00.000+01:00",
		"SELECT Id FROM Opportunity WHERE CloseDate = 2026-01-31 AND IsClosed = false",
		"SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_DAYS:30 OR CloseDate = TODAY",
		"SELECT Id FROM Account ORDER BY Name DESC NULLS LAST, Id ASC NULLS FIRST LIMIT 5 OFFSET 10",
		"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email LIKE '%@acme.com')",
		"SELECT COUNT() FROM Contact",
		"SELECT SUM(Amount) total, COUNT(Id) FROM Opportunity",
		"SELECT Id FROM Account WHERE Name <> 'x' AND Amount > -5",
		"SELECT\n  Id,\n  Name\nFROM Account\nWHERE Name = 'a\\'b\\\\c'",
		"SELECT Id FROM Account WHERE Name = 'x' WITH SECURITY_ENFORCED ORDER BY Name LIMIT 1 FOR VIEW",
		"SELECT Id FROM Account WITH USER_MODE",
	} {
		if _, err := parseSOQL(q); err != nil {
			t.Errorf("parseSOQL(%q): %v", q, err)
		}
	}
}

func TestParseSOQLMalformed(t *testing.T) {
	for _, tc := range []struct {
		q, wantMsg string
		wantPos    int
	}{
		{"", "unexpected token: <EOF>", 0},
		{"SELECT FROM Account", "unexpected token: 'FROM'", 7},
		{"SELECT Id, FROM Account", "unexpected token: 'FROM'", 11},
		{"SELECT Id Account", "unexpected token: 'Account'", 10},
		{"SELECT Id FROM", "unexpected token: <EOF>", 14},
		{"SELECT Id FROM Account WHERE", "unexpected token: <EOF>", 28},
		{"SELECT Id FROM Account WHERE Name = 'O'Reilly'", "unexpected token: 'Reilly'", 39},
		{"SELECT Id FROM Account WHERE Name = 'abc", "mismatched character '<EOF>'", 40},
		{"SELECT Id FROM Account WHERE Name = 'a\\qb'", `Illegal character sequence '\q' in string literal.`, 38},
		{"SELECT Id FROM Account WHERE A = 1 AND B = 2 OR C = 3", "unexpected token: 'OR'", 45},
		{"SELECT Id FROM Account WHERE Name = 'a' LIMIT x", "unexpected token: 'x'", 46},
		{"SELECT Id FROM Account LIMIT 5 WHERE Name = 'a'", "unexpected token: 'WHERE'", 31},
		{"SELECT Id FROM Account WHERE SystemModstamp > 2026-01-31T00:00:00.000+0000", "Invalid datetime", 46},
		{"SELECT Id FROM Account WHERE CloseDate > 2026-13-01", "Invalid date", 41},
		{"SELECT Id FROM Account WHERE Name ! 'a'", "no viable alternative at character '!'", 34},
		{"SELECT Id FROM Account WHERE Name = 'a' GROUP BY Name", "unexpected token: 'GROUP'", 40},
		{"SELECT Id, (SELECT Id, (SELECT Id FROM Cases) FROM Contacts) FROM Account", "unexpected token: '('", 23},
		{"SELECT Id FROM Account WHERE Name IN ()", "unexpected token: ')'", 38},
		{"SELECT Id FROM Account ORDER BY Name NULLS", "unexpected token: <EOF>", 42},
		{"SELECT Id FROM Account WHERE Name = 'x' #", "no viable alternative at character '#'", 40},
		{"SELECT Id FROM Account WITH NOTHING", "unexpected token: 'NOTHING'", 28},
		{"SELECT Id FROM Account FOR UPDATE", "unexpected token: 'UPDATE'", 27},
	} {
		_, err := parseSOQL(tc.q)
		var se *syntaxError
		if !errors.As(err, &se) {
			t.Errorf("parseSOQL(%q) = %v, want a syntax error", tc.q, err)
			continue
		}
		if !strings.Contains(se.msg, tc.wantMsg) || se.pos != tc.wantPos {
			t.Errorf("parseSOQL(%q) = %q at %d, want %q at %d", tc.q, se.msg, se.pos, tc.wantMsg, tc.wantPos)
		}
	}
}

func TestStringLiteralEscapes(t *testing.T) {
	for _, tc := range []struct {
		literal, want string
	}{
		{`'plain'`, "plain"},
		{`'O\'Reilly'`, "O'Reilly"},
		{`'back\\slash'`, `back\slash`},
		{`'say \"hi\"'`, `say "hi"`},
		{`'a\nb\tc\rd'`, "a\nb\tc\rd"},
		{`'\b\f'`, "\b\f"},
		// The wildcard escapes mean something only in LIKE; elsewhere they stay.
		{`'100\%'`, `100\%`},
		{`'a\_b'`, `a\_b`},
		{`'ünïcödé ✓'`, "ünïcödé ✓"},
	} {
		toks := lex(tc.literal)
		if toks[0].kind != tokString {
			t.Errorf("lex(%s) = %v, want a string", tc.literal, toks[0])
			continue
		}
		if toks[0].str != tc.want {
			t.Errorf("lex(%s) = %q, want %q", tc.literal, toks[0].str, tc.want)
		}
	}
}

func TestLike(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{`'Acme%'`, "Acme Corporation", true},
		{`'acme%'`, "ACME Corporation", true}, // case-insensitive
		{`'%corp%'`, "Acme Corporation", true},
		{`'%corp'`, "Acme Corporation", false},
		{`'%'`, "", true},
		{`'_cme%'`, "Acme", true},
		{`'_cme'`, "cme", false},
		{`'A_m_'`, "Acme", true},
		{`'O\'Reilly%'`, "O'Reilly Media Group", true},
		{`'100\% Pure%'`, "100% Pure Foods", true},
		{`'100\% Pure%'`, "1000 Pure Foods", false},
		{`'100% Pure%'`, "1000 Pure Foods", true},
		{`'a\_b'`, "a_b", true},
		{`'a\_b'`, "axb", false},
		{`'a_b'`, "axb", true},
		{`'%a%b%c%'`, "xxaxxbxxcxx", true},
		{`'%a%b%c%'`, "xxaxxcxxbxx", false},
		{`'%ab%ab'`, "abxab", true},
		{`'%ab%ab'`, "abxaab", true},
		{`'ü%'`, "Über", true},
		{`'back\\%'`, `back\slash`, true},
		{`'back\\%'`, `backslash`, false},
	} {
		toks := lex(tc.pattern)
		if toks[0].kind != tokString {
			t.Fatalf("lex(%s) = %v", tc.pattern, toks[0])
		}
		got := likeMatch(lowerPattern(toks[0].pattern), []rune(strings.ToLower(tc.s)))
		if got != tc.want {
			t.Errorf("%q LIKE %s = %v, want %v", tc.s, tc.pattern, got, tc.want)
		}
	}
}

func TestCaret(t *testing.T) {
	got := caret("SELECT Id, Nmae FROM Account", 11, "No such column")
	want := "\nSELECT Id, Nmae FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column"
	if got != want {
		t.Errorf("caret =\n%q\nwant\n%q", got, want)
	}
	got = caret("SELECT Id\nFROM Acount\nLIMIT 1", 15, "bad")
	want = "\nSELECT Id\nFROM Acount\n     ^\nERROR at Row:2:Column:6\nbad"
	if got != want {
		t.Errorf("multi-line caret =\n%q\nwant\n%q", got, want)
	}
}

func TestJavaDouble(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0.0"}, {15000, "15000.0"}, {1234.5, "1234.5"}, {9999999, "9999999.0"},
		{1e7, "1.0E7"}, {12500000, "1.25E7"}, {1.4462e9, "1.4462E9"}, {-2.5e7, "-2.5E7"},
		{0.001, "0.001"}, {0.0005, "5.0E-4"}, {75, "75.0"},
	} {
		if got := javaDouble(tc.v); got != tc.want {
			t.Errorf("javaDouble(%v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}
