package salesforce

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `''`},
		{"Acme", `'Acme'`},
		{"O'Brien", `'O\'Brien'`},
		{`x' OR Name LIKE '%`, `'x\' OR Name LIKE \'%'`},
		{`x\' OR Id != '`, `'x\\\' OR Id != \''`},
		{`back\slash`, `'back\\slash'`},
		{"line\nbreak\r\ttab", `'line\nbreak\r\ttab'`},
		{"bell\bform\f", `'bell\bform\f'`},
		{`say "hi"`, `'say \"hi\"'`},
		{"100%_done", `'100%_done'`}, // wildcards are plain characters outside LIKE
		{"Zürich 東京", `'Zürich 東京'`},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme", `Acme`},
		{`x' OR Name LIKE '%`, `x\' OR Name LIKE \'\%`},
		{"100%_done", `100\%\_done`},
		{`a\b`, `a\\b`},
		{`\%`, `\\\%`},
		{"'; DELETE", `\'; DELETE`},
		{"tab\there", `tab\there`},
	}
	for _, tt := range tests {
		if got := EscapeLike(tt.in); got != tt.want {
			t.Errorf("EscapeLike(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestQuoteRoundTrip reads quoted literals back the way SOQL does: the literal
// must end exactly where Quote ends it and hold the input unchanged.
func TestQuoteRoundTrip(t *testing.T) {
	inputs := []string{
		`x' OR Name LIKE '%`, `\`, `\\'`, `'`, `''`, "\n'\\", `%' OR Id != null OR Name = '`, `é'ñ"`,
	}
	for _, in := range inputs {
		q := Quote(in)
		got, rest, ok := readLiteral(q)
		if !ok || rest != "" || got != in {
			t.Errorf("Quote(%q) = %s reads back as %q with %q left over (ok=%v)", in, q, got, rest, ok)
		}
		like := "'%" + EscapeLike(in) + "%'"
		got, rest, ok = readLiteral(like)
		if !ok || rest != "" || got != "%"+strings.NewReplacer("%", `\%`, "_", `\_`).Replace(in)+"%" {
			t.Errorf("LIKE pattern of %q = %s reads back as %q with %q left over", in, like, got, rest)
		}
	}
}

// readLiteral reads a SOQL string literal at the start of s. Inside LIKE, \% and
// \_ stay escaped in the pattern, so they are kept as two characters.
func readLiteral(s string) (value, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", s, false
	}
	var b strings.Builder
	escapes := map[byte]string{'n': "\n", 'r': "\r", 't': "\t", 'b': "\b", 'f': "\f", '"': `"`, '\'': "'", '\\': `\`, '%': `\%`, '_': `\_`}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\'':
			return b.String(), s[i+1:], true
		case '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			e, known := escapes[s[i+1]]
			if !known {
				return "", "", false
			}
			b.WriteString(e)
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}
