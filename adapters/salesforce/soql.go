package salesforce

import "strings"

// Quote returns s as a single-quoted SOQL string literal. Every literal built from
// input must go through Quote (or EscapeLike): a quote or a backslash left as it
// is ends the literal and lets the input rewrite the query.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	escape(&b, s, false)
	b.WriteByte('\'')
	return b.String()
}

// EscapeLike escapes s for use inside the quotes of a LIKE pattern: the escapes of
// Quote, plus % and _, so that input matches itself and not as a wildcard. The
// caller adds the quotes and its own wildcards:
//
//	"Name LIKE '%" + EscapeLike(text) + "%'"
func EscapeLike(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	escape(&b, s, true)
	return b.String()
}

// likeContains is the quoted LIKE pattern matching values that contain s.
func likeContains(s string) string { return "'%" + EscapeLike(s) + "%'" }

// escape writes s with SOQL's escape sequences. The wildcard escapes \% and \_ are
// only valid inside LIKE, so they are written only when like is set.
func escape(b *strings.Builder, s string, like bool) {
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '%', '_':
			if like {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
}
