package sfsim

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// tokenKind is the kind of a SOQL token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokDate
	tokDateTime
	tokOp // = != <> < <= > >=
	tokComma
	tokLParen
	tokRParen
	tokColon
	tokError // a lexical error; the parser reports it if it gets that far
)

// token is one lexeme. pos is its byte offset in the query, for error carets.
type token struct {
	kind tokenKind
	text string // as written
	pos  int
	// str is the value of a string literal, escapes resolved; \% and \_ are
	// kept as written because they mean something only in LIKE patterns.
	str string
	// pattern is a string literal read as a LIKE pattern.
	pattern []likeElem
	t       time.Time // date and date-time literals
}

// is reports whether t is the keyword kw, which SOQL matches without case.
func (t token) is(kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

// likeElem is one element of a LIKE pattern: a literal rune, or a wildcard.
type likeElem struct {
	r    rune
	kind likeKind
}

type likeKind int

const (
	likeRune likeKind = iota
	likeAny           // %
	likeOne           // _
)

// syntaxError is a malformed query, at a byte offset.
type syntaxError struct {
	pos int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// lex splits a query into tokens. A lexical error ends the list with a tokError
// token, so that a syntax error earlier in the query is the one reported, as a
// parser reading tokens on demand would report it.
func lex(q string) []token {
	var toks []token
	fail := func(err error) []token {
		se := err.(*syntaxError)
		return append(toks, token{kind: tokError, text: se.msg, pos: se.pos})
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(q) && (isIdentPart(q[j]) || q[j] == '.' && j+1 < len(q) && isIdentStart(q[j+1])) {
				j++
			}
			toks = append(toks, token{kind: tokIdent, text: q[i:j], pos: i})
			i = j
		case isDigit(c) || (c == '-' || c == '+') && i+1 < len(q) && isDigit(q[i+1]):
			tok, err := lexNumberOrDate(q, i)
			if err != nil {
				return fail(err)
			}
			toks = append(toks, tok)
			i += len(tok.text)
		case c == '\'':
			tok, err := lexString(q, i)
			if err != nil {
				return fail(err)
			}
			toks = append(toks, tok)
			i += len(tok.text)
		case c == ',':
			toks = append(toks, token{kind: tokComma, text: ",", pos: i})
			i++
		case c == '(':
			toks = append(toks, token{kind: tokLParen, text: "(", pos: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokRParen, text: ")", pos: i})
			i++
		case c == ':':
			toks = append(toks, token{kind: tokColon, text: ":", pos: i})
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			op := string(c)
			if i+1 < len(q) && (q[i+1] == '=' || c == '<' && q[i+1] == '>') {
				op = q[i : i+2]
			}
			if op == "!" {
				return fail(&syntaxError{i, fmt.Sprintf("line 1:%d no viable alternative at character '!'", i)})
			}
			toks = append(toks, token{kind: tokOp, text: op, pos: i})
			i += len(op)
		default:
			r, _ := utf8.DecodeRuneInString(q[i:])
			return fail(&syntaxError{i, fmt.Sprintf("line 1:%d no viable alternative at character '%c'", i, r)})
		}
	}
	return append(toks, token{kind: tokEOF, text: "<EOF>", pos: len(q)})
}

func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }
func isDigit(c byte) bool      { return '0' <= c && c <= '9' }

// lexNumberOrDate reads a number, or an unquoted date (2026-01-31) or date-time
// (2026-01-31T00:00:00Z, with an optional fraction and a ±hh:mm offset).
func lexNumberOrDate(q string, i int) (token, error) {
	j := i
	if q[j] == '-' || q[j] == '+' {
		j++
	}
	start := j
	for j < len(q) && isDigit(q[j]) {
		j++
	}
	if j-start == 4 && j == i+4 && j+1 < len(q) && q[j] == '-' && isDigit(q[j+1]) {
		return lexDate(q, i)
	}
	if j < len(q) && q[j] == '.' {
		j++
		for j < len(q) && isDigit(q[j]) {
			j++
		}
	}
	if j < len(q) && isIdentPart(q[j]) {
		return token{}, &syntaxError{i, fmt.Sprintf("unexpected token: '%s'", identEnd(q, i))}
	}
	return token{kind: tokNumber, text: q[i:j], pos: i}, nil
}

// identEnd returns the run of identifier characters (and dots) starting at i.
func identEnd(q string, i int) string {
	j := i
	for j < len(q) && (isIdentPart(q[j]) || q[j] == '.' || q[j] == '-' || q[j] == ':' || q[j] == '+') {
		j++
	}
	return q[i:j]
}

func lexDate(q string, i int) (token, error) {
	text := identEnd(q, i)
	if len(text) == len(dateLayout) {
		t, err := time.Parse(dateLayout, text)
		if err != nil {
			return token{}, &syntaxError{i, fmt.Sprintf("line 1:%d Invalid date: %s", i, text)}
		}
		return token{kind: tokDate, text: text, pos: i, t: t}, nil
	}
	// SOQL wants the offset as ±hh:mm; the +0000 of API answers is refused.
	for _, layout := range []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, text); err == nil {
			return token{kind: tokDateTime, text: text, pos: i, t: t.UTC()}, nil
		}
	}
	return token{}, &syntaxError{i, fmt.Sprintf("line 1:%d Invalid datetime: %s", i, text)}
}

// lexString reads a single-quoted literal and resolves its escapes.
func lexString(q string, i int) (token, error) {
	var str strings.Builder
	var pat []likeElem
	for j := i + 1; j < len(q); {
		r, size := utf8.DecodeRuneInString(q[j:])
		switch r {
		case '\'':
			return token{kind: tokString, text: q[i : j+1], pos: i, str: str.String(), pattern: pat}, nil
		case '%':
			str.WriteRune(r)
			pat = append(pat, likeElem{kind: likeAny})
		case '_':
			str.WriteRune(r)
			pat = append(pat, likeElem{kind: likeOne})
		case '\\':
			if j+1 >= len(q) {
				break
			}
			e := q[j+1]
			var lit rune
			switch e {
			case 'n':
				lit = '\n'
			case 'r':
				lit = '\r'
			case 't':
				lit = '\t'
			case 'b':
				lit = '\b'
			case 'f':
				lit = '\f'
			case '"', '\'', '\\':
				lit = rune(e)
			case '%', '_':
				str.WriteByte('\\')
				lit = rune(e)
			default:
				end := strings.IndexByte(q[j+1:], '\'')
				literal := q[i:]
				if end >= 0 {
					literal = q[i : j+2+end]
				}
				return token{}, &syntaxError{j, fmt.Sprintf("Invalid string literal %s. Illegal character sequence '\\%c' in string literal.", literal, e)}
			}
			str.WriteRune(lit)
			pat = append(pat, likeElem{r: lit})
			j += 2
			continue
		default:
			str.WriteRune(r)
			pat = append(pat, likeElem{r: r})
		}
		j += size
	}
	return token{}, &syntaxError{len(q), fmt.Sprintf("line 1:%d mismatched character '<EOF>' expecting '''", len(q))}
}
