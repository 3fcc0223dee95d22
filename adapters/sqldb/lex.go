package sqldb

import (
	"fmt"
	"strings"
)

// dialect is the SQL flavour of a driver: it decides which quotes, comments
// and placeholders the lexer knows.
type dialect int

const (
	dialectPostgres dialect = iota + 1
	dialectSQLite
)

type tokenKind int

const (
	tokSpace   tokenKind = iota
	tokComment           // -- … or /* … */
	tokWord              // identifier or keyword, unquoted
	tokQuoted            // quoted identifier: "x"; in SQLite also `x` and [x]
	tokString            // string literal: 'x'; in PostgreSQL also E'x' and $tag$x$tag$
	tokNumber
	tokParam     // :name, a named parameter of the configuration
	tokCast      // ::, PostgreSQL's cast
	tokForeign   // a driver's own placeholder: $1, ?, ?1, @x, $x
	tokSemicolon // ;
	tokPunct     // any other character
	tokOpen      // (
	tokClose     // )
	tokComma     // ,
	tokDot       // .
	tokPercent   // %
)

// token is one lexeme of a query, as written.
type token struct {
	kind tokenKind
	text string
	pos  int // byte offset in the query
}

// lexError is SQL the lexer cannot split: an unclosed literal or comment.
type lexError struct {
	pos int
	msg string
}

func (e *lexError) Error() string { return e.msg }

// lex splits a query into tokens. Every byte of src belongs to exactly one
// token, so joining the texts gives src back.
func lex(src string, d dialect) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		kind, end, err := next(src, i, d)
		if err != nil {
			return nil, err
		}
		toks = append(toks, token{kind: kind, text: src[i:end], pos: i})
		i = end
	}
	return toks, nil
}

// next returns the kind and end of the token starting at i.
func next(src string, i int, d dialect) (tokenKind, int, error) {
	c := src[i]
	peek := byte(0)
	if i+1 < len(src) {
		peek = src[i+1]
	}
	switch {
	case isSpace(c):
		j := i
		for j < len(src) && isSpace(src[j]) {
			j++
		}
		return tokSpace, j, nil
	case c == '-' && peek == '-':
		j := strings.IndexByte(src[i:], '\n')
		if j < 0 {
			return tokComment, len(src), nil
		}
		return tokComment, i + j + 1, nil
	case c == '/' && peek == '*':
		return blockComment(src, i, d)
	case c == '\'':
		return quoted(src, i, '\'', false, tokString, "string literal")
	case (c == 'E' || c == 'e') && peek == '\'' && d == dialectPostgres:
		end, err := closeQuote(src, i+1, '\'', true, "string literal")
		return tokString, end, err
	case c == '"':
		return quoted(src, i, '"', false, tokQuoted, "quoted identifier")
	case c == '`' && d == dialectSQLite:
		return quoted(src, i, '`', false, tokQuoted, "quoted identifier")
	case c == '[' && d == dialectSQLite:
		j := strings.IndexByte(src[i+1:], ']')
		if j < 0 {
			return 0, 0, unclosed(i, "[ identifier")
		}
		return tokQuoted, i + j + 2, nil
	case c == '$' && d == dialectPostgres:
		if isDigit(peek) {
			return tokForeign, scanWhile(src, i+1, isDigit), nil
		}
		if tag, ok := dollarTag(src, i); ok {
			j := strings.Index(src[i+len(tag):], tag)
			if j < 0 {
				return 0, 0, unclosed(i, "dollar-quoted string "+tag)
			}
			return tokString, i + len(tag) + j + len(tag), nil
		}
		return tokPunct, i + 1, nil
	case (c == '$' || c == '@') && d == dialectSQLite && (isIdentStart(peek) || isDigit(peek)):
		return tokForeign, scanWhile(src, i+1, isIdentPart), nil
	case c == '?' && d == dialectSQLite:
		return tokForeign, scanWhile(src, i+1, isDigit), nil
	case c == ':' && peek == ':':
		return tokCast, i + 2, nil
	case c == ':' && isIdentStart(peek):
		return tokParam, scanWhile(src, i+1, isIdentPart), nil
	case c == ';':
		return tokSemicolon, i + 1, nil
	case isDigit(c) || (c == '.' && isDigit(peek)):
		j := i
		for j < len(src) && (isIdentPart(src[j]) || src[j] == '.' ||
			((src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E'))) {
			j++
		}
		return tokNumber, j, nil
	case isIdentStart(c):
		j := scanWhile(src, i, isIdentPart)
		if d == dialectPostgres {
			j = scanWhile(src, j, func(b byte) bool { return isIdentPart(b) || b == '$' })
		}
		return tokWord, j, nil
	}
	switch c {
	case '(':
		return tokOpen, i + 1, nil
	case ')':
		return tokClose, i + 1, nil
	case ',':
		return tokComma, i + 1, nil
	case '.':
		return tokDot, i + 1, nil
	case '%':
		return tokPercent, i + 1, nil
	}
	return tokPunct, i + 1, nil
}

// quoted scans a literal or identifier that starts at i with q and doubles q
// to escape it.
func quoted(src string, i int, q byte, backslash bool, kind tokenKind, what string) (tokenKind, int, error) {
	end, err := closeQuote(src, i, q, backslash, what)
	return kind, end, err
}

// closeQuote returns the end of the quoted text that opens at src[i] == q.
func closeQuote(src string, i int, q byte, backslash bool, what string) (int, error) {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			if backslash {
				j++
			}
		case q:
			if j+1 < len(src) && src[j+1] == q {
				j++
				continue
			}
			return j + 1, nil
		}
	}
	return 0, unclosed(i, what)
}

// blockComment scans /* … */; PostgreSQL nests them, SQLite does not.
func blockComment(src string, i int, d dialect) (tokenKind, int, error) {
	depth := 0
	for j := i; j+1 < len(src); j++ {
		switch {
		case src[j] == '/' && src[j+1] == '*' && (depth == 0 || d == dialectPostgres):
			depth++
			j++
		case src[j] == '*' && src[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return tokComment, j + 1, nil
			}
		}
	}
	return 0, 0, unclosed(i, "/* comment")
}

// dollarTag returns the $tag$ that opens a dollar-quoted string at i.
func dollarTag(src string, i int) (string, bool) {
	j := i + 1
	if j < len(src) && isIdentStart(src[j]) {
		j = scanWhile(src, j, isIdentPart)
	}
	if j < len(src) && src[j] == '$' {
		return src[i : j+1], true
	}
	return "", false
}

func unclosed(pos int, what string) error {
	return &lexError{pos: pos, msg: fmt.Sprintf("a %s is not closed", what)}
}

func scanWhile(src string, j int, ok func(byte) bool) int {
	for j < len(src) && ok(src[j]) {
		j++
	}
	return j
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIdentStart counts every byte of a multi-byte UTF-8 character as a letter,
// as both databases do.
func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

// significant drops spaces and comments.
func significant(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if t.kind != tokSpace && t.kind != tokComment {
			out = append(out, t)
		}
	}
	return out
}

// isWord reports whether t is the unquoted keyword kw, in any case.
func (t token) isWord(kw string) bool { return t.kind == tokWord && strings.EqualFold(t.text, kw) }

// lineOf returns the 1-based line of byte offset pos in src.
func lineOf(src string, pos int) int { return strings.Count(src[:pos], "\n") + 1 }
