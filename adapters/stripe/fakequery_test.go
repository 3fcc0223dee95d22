package stripe

import (
	"errors"
	"fmt"
	"strings"
)

// searchQuery is a parsed query of Stripe's search query language, in the
// subset the double understands: clauses field:'v' or field~'v' on email, name
// and metadata['key'], joined by AND or by OR.
type searchQuery struct {
	clauses []clause
	or      bool
}

type clause struct {
	field, metaKey string
	substring      bool
	value          string
}

func (q searchQuery) matches(c obj) bool {
	for _, cl := range q.clauses {
		if cl.matches(c) == q.or {
			return q.or
		}
	}
	return !q.or
}

func (cl clause) matches(c obj) bool {
	var have string
	switch cl.field {
	case "metadata":
		md, _ := c["metadata"].(obj)
		have, _ = md[cl.metaKey].(string)
		return have != "" && have == cl.value
	default:
		have, _ = c[cl.field].(string)
	}
	have, want := strings.ToLower(have), strings.ToLower(cl.value)
	if cl.substring {
		return strings.Contains(have, want)
	}
	return have == want
}

// parseQuery parses a query, with the errors Stripe gives for what it
// rejects.
func parseQuery(s string) (searchQuery, error) {
	var q searchQuery
	sawAnd := false
	p := &queryParser{s: s}
	for {
		cl, err := p.clause()
		if err != nil {
			return q, err
		}
		q.clauses = append(q.clauses, cl)
		p.spaces()
		if p.done() {
			break
		}
		switch word := p.word(); word {
		case "OR", "or":
			q.or = true
		case "AND", "and":
			sawAnd = true
		default:
			return q, fmt.Errorf("Invalid query: unexpected %q at position %d", word, p.i)
		}
		if q.or && sawAnd {
			return q, errors.New("Invalid query: AND and OR cannot be combined")
		}
		p.spaces()
	}
	return q, nil
}

type queryParser struct {
	s string
	i int
}

func (p *queryParser) done() bool { return p.i >= len(p.s) }

func (p *queryParser) spaces() {
	for !p.done() && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *queryParser) word() string {
	start := p.i
	for !p.done() && p.s[p.i] != ' ' {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *queryParser) clause() (clause, error) {
	var cl clause
	start := p.i
	for !p.done() && ('a' <= p.s[p.i] && p.s[p.i] <= 'z' || p.s[p.i] == '_') {
		p.i++
	}
	cl.field = p.s[start:p.i]
	switch cl.field {
	case "email", "name", "phone":
	case "metadata":
		if p.done() || p.s[p.i] != '[' {
			return cl, fmt.Errorf("Invalid query: metadata needs a key at position %d", p.i)
		}
		p.i++
		key, err := p.quoted()
		if err != nil {
			return cl, err
		}
		if p.done() || p.s[p.i] != ']' {
			return cl, fmt.Errorf("Invalid query: missing ] at position %d", p.i)
		}
		p.i++
		cl.metaKey = key
	default:
		return cl, fmt.Errorf("Invalid query: unknown field %q at position %d", cl.field, start)
	}
	if p.done() {
		return cl, errors.New("Invalid query: missing operator")
	}
	switch p.s[p.i] {
	case ':':
	case '~':
		cl.substring = true
	default:
		return cl, fmt.Errorf("Invalid query: unknown operator %q at position %d", p.s[p.i], p.i)
	}
	p.i++
	v, err := p.quoted()
	if err != nil {
		return cl, err
	}
	if cl.substring && len([]rune(v)) < 3 {
		return cl, errors.New("Invalid query: substring search requires at least 3 characters")
	}
	cl.value = v
	return cl, nil
}

// quoted reads a value in single or double quotes, where a backslash escapes
// the next character.
func (p *queryParser) quoted() (string, error) {
	if p.done() || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("Invalid query: expected a quoted value at position %d", p.i)
	}
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '\\':
			if p.done() {
				return "", errors.New("Invalid query: dangling escape")
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case c == q:
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("Invalid query: unterminated string")
}
