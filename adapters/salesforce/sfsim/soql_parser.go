package sfsim

import (
	"fmt"
	"strconv"
	"strings"
)

// reserved words cannot be used as field names or values where a name is
// expected; meeting one there is a syntax error.
func reserved(t token) bool {
	if t.kind != tokIdent {
		return false
	}
	switch strings.ToUpper(t.text) {
	case "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT",
		"OFFSET", "GROUP", "HAVING", "WITH", "FOR", "NULL", "TRUE", "FALSE", "ASC", "DESC", "NULLS",
		"INCLUDES", "EXCLUDES", "USING", "TYPEOF":
		return true
	}
	return false
}

// parser is a recursive-descent parser of the SOQL subset the simulator serves.
type parser struct {
	toks []token
	i    int
}

// parseSOQL parses a query.
func parseSOQL(q string) (*soqlQuery, error) {
	p := &parser{toks: lex(q)}
	query, err := p.query(false)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, unexpected(t)
	}
	return query, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF && t.kind != tokError {
		p.i++
	}
	return t
}

// accept consumes the keyword kw when it comes next.
func (p *parser) accept(kw string) bool {
	if p.peek().is(kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(kw string) error {
	if !p.accept(kw) {
		return unexpected(p.peek())
	}
	return nil
}

func (p *parser) expectKind(k tokenKind) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, unexpected(t)
	}
	return t, nil
}

func unexpected(t token) error {
	if t.kind == tokError {
		return &syntaxError{t.pos, t.text}
	}
	if t.kind == tokEOF {
		return &syntaxError{t.pos, "unexpected token: <EOF>"}
	}
	return &syntaxError{t.pos, fmt.Sprintf("unexpected token: '%s'", t.text)}
}

// query parses SELECT … FROM … [WHERE] [ORDER BY] [LIMIT] [OFFSET]. A subquery
// ends at its closing parenthesis, which the caller consumes.
func (p *parser) query(sub bool) (*soqlQuery, error) {
	if err := p.expect("SELECT"); err != nil {
		return nil, err
	}
	q := &soqlQuery{}
	for {
		item, err := p.selectItem(sub)
		if err != nil {
			return nil, err
		}
		q.fields = append(q.fields, item)
		if p.peek().kind != tokComma {
			break
		}
		p.next()
	}
	if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	from := p.next()
	if from.kind != tokIdent || reserved(from) {
		return nil, unexpected(from)
	}
	q.from = ident{from.text, from.pos}
	if p.accept("WHERE") {
		c, err := p.condition()
		if err != nil {
			return nil, err
		}
		q.where = c
	}
	if p.accept("WITH") {
		// Access-mode clauses change nothing for a user who sees every record.
		t := p.next()
		switch strings.ToUpper(t.text) {
		case "SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE":
		default:
			return nil, unexpected(t)
		}
	}
	if p.accept("ORDER") {
		if err := p.expect("BY"); err != nil {
			return nil, err
		}
		for {
			o, err := p.orderItem()
			if err != nil {
				return nil, err
			}
			q.orderBy = append(q.orderBy, o)
			if p.peek().kind != tokComma {
				break
			}
			p.next()
		}
	}
	for _, clause := range []struct {
		kw  string
		dst **intClause
	}{{"LIMIT", &q.limit}, {"OFFSET", &q.offset}} {
		if !p.accept(clause.kw) {
			continue
		}
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != tokNumber || err != nil || n < 0 {
			return nil, unexpected(t)
		}
		*clause.dst = &intClause{n: n, pos: t.pos}
	}
	if !sub && p.accept("FOR") {
		// FOR VIEW and FOR REFERENCE update recently-viewed lists, which are not
		// simulated.
		if !p.accept("VIEW") && !p.accept("REFERENCE") {
			return nil, unexpected(p.peek())
		}
	}
	return q, nil
}

func (p *parser) selectItem(sub bool) (selectItem, error) {
	t := p.next()
	if t.kind == tokLParen {
		if sub {
			return selectItem{}, &syntaxError{t.pos, "unexpected token: '('"}
		}
		q, err := p.query(true)
		if err != nil {
			return selectItem{}, err
		}
		if _, err := p.expectKind(tokRParen); err != nil {
			return selectItem{}, err
		}
		return selectItem{sub: q}, nil
	}
	if t.kind != tokIdent || reserved(t) {
		return selectItem{}, unexpected(t)
	}
	if p.peek().kind != tokLParen {
		return selectItem{path: ident{t.text, t.pos}}, nil
	}
	// An aggregate function call.
	p.next()
	call := &aggregateCall{fn: ident{t.text, t.pos}}
	if p.peek().kind != tokRParen {
		a := p.next()
		if a.kind != tokIdent || reserved(a) {
			return selectItem{}, unexpected(a)
		}
		call.arg = &ident{a.text, a.pos}
	}
	if _, err := p.expectKind(tokRParen); err != nil {
		return selectItem{}, err
	}
	if a := p.peek(); a.kind == tokIdent && !reserved(a) {
		call.alias = p.next().text
	}
	return selectItem{agg: call, path: call.fn}, nil
}

func (p *parser) orderItem() (orderItem, error) {
	t := p.next()
	if t.kind != tokIdent || reserved(t) {
		return orderItem{}, unexpected(t)
	}
	o := orderItem{field: ident{t.text, t.pos}}
	if p.accept("DESC") {
		o.desc = true
	} else {
		p.accept("ASC")
	}
	// Nulls come first ascending and last descending unless told otherwise.
	o.nullsLast = o.desc
	if p.accept("NULLS") {
		o.nullsGiven = true
		switch {
		case p.accept("FIRST"):
			o.nullsLast = false
		case p.accept("LAST"):
			o.nullsLast = true
		default:
			return orderItem{}, unexpected(p.peek())
		}
	}
	return o, nil
}

// condition parses terms joined by AND or by OR. Mixing the two without
// parentheses is an error in SOQL, as it is here.
func (p *parser) condition() (condition, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	b := &boolCond{terms: []condition{first}}
	for {
		t := p.peek()
		isAnd, isOr := t.is("AND"), t.is("OR")
		if !isAnd && !isOr {
			break
		}
		if len(b.terms) > 1 && isAnd != b.and {
			return nil, unexpected(t)
		}
		p.next()
		b.and = isAnd
		term, err := p.unary()
		if err != nil {
			return nil, err
		}
		b.terms = append(b.terms, term)
	}
	if len(b.terms) == 1 {
		return first, nil
	}
	return b, nil
}

func (p *parser) unary() (condition, error) {
	if p.accept("NOT") {
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &notCond{x}, nil
	}
	if p.peek().kind == tokLParen {
		p.next()
		c, err := p.condition()
		if err != nil {
			return nil, err
		}
		if _, err := p.expectKind(tokRParen); err != nil {
			return nil, err
		}
		return c, nil
	}
	return p.simple()
}

// simple parses field op value, field LIKE 'pattern' and field [NOT] IN (…).
func (p *parser) simple() (condition, error) {
	f := p.next()
	if f.kind != tokIdent || reserved(f) {
		return nil, unexpected(f)
	}
	field := ident{f.text, f.pos}
	op := p.next()
	switch {
	case op.kind == tokOp:
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		sym := op.text
		if sym == "<>" {
			sym = "!="
		}
		return &compareCond{field: field, op: sym, opPos: op.pos, value: v}, nil
	case op.is("LIKE"):
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		return &compareCond{field: field, op: "LIKE", opPos: op.pos, value: v}, nil
	case op.is("IN"):
		return p.in(field, false)
	case op.is("NOT"):
		if err := p.expect("IN"); err != nil {
			return nil, err
		}
		return p.in(field, true)
	}
	return nil, unexpected(op)
}

func (p *parser) in(field ident, not bool) (condition, error) {
	if _, err := p.expectKind(tokLParen); err != nil {
		return nil, err
	}
	c := &inCond{field: field, not: not}
	if p.peek().is("SELECT") {
		c.subPos = p.peek().pos
		q, err := p.query(true)
		if err != nil {
			return nil, err
		}
		c.sub = q
	} else {
		for {
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			c.values = append(c.values, v)
			if p.peek().kind != tokComma {
				break
			}
			p.next()
		}
	}
	if _, err := p.expectKind(tokRParen); err != nil {
		return nil, err
	}
	return c, nil
}

// literal parses a value: a string, number, date, date-time, true, false, null,
// or a date literal such as TODAY or LAST_N_DAYS:30.
func (p *parser) literal() (literal, error) {
	t := p.next()
	l := literal{pos: t.pos, text: t.text}
	switch t.kind {
	case tokString:
		l.kind, l.str, l.pattern = litString, t.str, t.pattern
	case tokNumber:
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return l, unexpected(t)
		}
		l.kind, l.num = litNumber, n
	case tokDate:
		l.kind, l.t = litDate, t.t
	case tokDateTime:
		l.kind, l.t = litDateTime, t.t
	case tokIdent:
		switch up := strings.ToUpper(t.text); {
		case up == "TRUE" || up == "FALSE":
			l.kind, l.b = litBool, up == "TRUE"
		case up == "NULL":
			l.kind = litNull
		case dateRangeNames(up) == 0:
			l.kind, l.rangeFn = litDateRange, up
		case dateRangeNames(up) == 1:
			l.kind, l.rangeFn = litDateRange, up
			if _, err := p.expectKind(tokColon); err != nil {
				return l, err
			}
			n := p.next()
			v, err := strconv.Atoi(n.text)
			if n.kind != tokNumber || err != nil || v < 0 {
				return l, unexpected(n)
			}
			l.n = v
			l.text = t.text + ":" + n.text
		default:
			return l, unexpected(t)
		}
	default:
		return l, unexpected(t)
	}
	return l, nil
}

// dateRangeNames tells the date literals apart: 0 for a plain one (TODAY), 1 for
// one that takes n (LAST_N_DAYS:n), -1 for anything else.
func dateRangeNames(up string) int {
	switch up {
	case "TODAY", "YESTERDAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK",
		"LAST_MONTH", "THIS_MONTH", "NEXT_MONTH", "LAST_YEAR", "THIS_YEAR", "NEXT_YEAR",
		"LAST_90_DAYS", "NEXT_90_DAYS":
		return 0
	case "LAST_N_DAYS", "NEXT_N_DAYS":
		return 1
	}
	return -1
}
