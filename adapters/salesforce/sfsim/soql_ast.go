package sfsim

import "time"

// soqlQuery is a parsed SELECT statement, not yet checked against the schema.
type soqlQuery struct {
	fields  []selectItem
	from    ident
	where   condition // nil when there is no WHERE
	orderBy []orderItem
	limit   *intClause
	offset  *intClause
}

// ident is a name as written, with its position.
type ident struct {
	text string
	pos  int
}

// selectItem is one element of the SELECT list: a field path, a parent-to-child
// subquery, or an aggregate function.
type selectItem struct {
	path ident
	sub  *soqlQuery
	agg  *aggregateCall
}

// aggregateCall is COUNT(), COUNT(f), SUM(f), AVG(f), MIN(f), MAX(f) or
// COUNT_DISTINCT(f), with an optional alias.
type aggregateCall struct {
	fn    ident
	arg   *ident // nil for COUNT()
	alias string
}

type intClause struct {
	n   int
	pos int
}

type orderItem struct {
	field      ident
	desc       bool
	nullsLast  bool
	nullsGiven bool
}

// condition is a WHERE expression.
type condition interface{ isCondition() }

// boolCond joins terms with one connective: SOQL does not mix AND and OR without
// parentheses.
type boolCond struct {
	and   bool
	terms []condition
}

type notCond struct{ x condition }

// compareCond is field op value, LIKE included.
type compareCond struct {
	field ident
	op    string // "=", "!=", "<", "<=", ">", ">=", "LIKE"
	opPos int
	value literal
}

// inCond is field [NOT] IN (values) or field [NOT] IN (SELECT …).
type inCond struct {
	field  ident
	not    bool
	values []literal
	sub    *soqlQuery
	subPos int
}

func (*boolCond) isCondition()    {}
func (*notCond) isCondition()     {}
func (*compareCond) isCondition() {}
func (*inCond) isCondition()      {}

type literalKind int

const (
	litString literalKind = iota
	litNumber
	litBool
	litNull
	litDate
	litDateTime
	litDateRange // TODAY, LAST_N_DAYS:n, …
)

// literal is a value in a WHERE clause.
type literal struct {
	kind    literalKind
	pos     int
	text    string
	str     string
	pattern []likeElem
	num     float64
	b       bool
	t       time.Time
	rangeFn string // upper-case name of a date literal
	n       int    // its n, for the _N_ forms
}
