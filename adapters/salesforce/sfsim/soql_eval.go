package sfsim

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// predicate decides whether a record matches a WHERE clause.
type predicate func(ev *evalCtx, r *record) bool

// evalCtx is what a running query reads: the store, held under its read lock,
// and the clock that date literals such as TODAY refer to.
type evalCtx struct {
	store *store
	now   time.Time
	all   bool // queryAll: deleted rows match too
	semi  map[*plan]map[string]bool
}

// value reads a field path of r; a missing parent yields nil.
func (ev *evalCtx) value(r *record, fp *fieldPath) any {
	cur := r
	for _, ref := range fp.refs {
		if cur = ev.parent(cur, ref); cur == nil {
			return nil
		}
	}
	return leafValue(cur, fp.leaf)
}

// parent returns the record a reference of r points at, or nil.
func (ev *evalCtx) parent(r *record, ref *field) *record {
	id, _ := r.fields[ref.name].(string)
	if id == "" {
		return nil
	}
	return ev.store.byID[id]
}

// leafValue reads f of r. The fields of the Name pseudo-object map onto
// whatever record a polymorphic reference points at.
func leafValue(r *record, f *field) any {
	if !f.pseudo {
		return r.fields[f.name]
	}
	switch f.name {
	case "Id":
		return r.id
	case "Type":
		return r.obj.name
	}
	return r.fields[r.obj.nameField]
}

// operand is the right side of a comparison, converted to the field's type.
type operand struct {
	null    bool
	v       any // string (lower-cased for text fields), float64, bool or time.Time
	rangeFn string
	n       int
}

func (b *binder) condition(o *object, c condition) (predicate, error) {
	switch c := c.(type) {
	case *boolCond:
		terms := make([]predicate, len(c.terms))
		for i, t := range c.terms {
			p, err := b.condition(o, t)
			if err != nil {
				return nil, err
			}
			terms[i] = p
		}
		return func(ev *evalCtx, r *record) bool {
			for _, t := range terms {
				if t(ev, r) != c.and {
					return !c.and
				}
			}
			return c.and
		}, nil
	case *notCond:
		x, err := b.condition(o, c.x)
		if err != nil {
			return nil, err
		}
		return func(ev *evalCtx, r *record) bool { return !x(ev, r) }, nil
	case *compareCond:
		return b.compare(o, c)
	case *inCond:
		return b.in(o, c)
	}
	return nil, fmt.Errorf("unknown condition %T", c)
}

func (b *binder) compare(o *object, c *compareCond) (predicate, error) {
	fp, err := b.path(o, c.field)
	if err != nil {
		return nil, err
	}
	f := fp.leaf
	if c.op == "LIKE" {
		if !f.typ.isText() {
			return nil, &queryError{"INVALID_QUERY_FILTER_OPERATOR", c.field.pos, "invalid operator on " + f.typ.describeName() + " field"}
		}
		if c.value.kind != litString {
			return nil, errFilterType(f, c.value.pos)
		}
		pat := lowerPattern(c.value.pattern)
		return func(ev *evalCtx, r *record) bool {
			v, ok := ev.value(r, fp).(string)
			return ok && likeMatch(pat, []rune(strings.ToLower(v)))
		}, nil
	}
	opnd, err := toOperand(f, c.value)
	if err != nil {
		return nil, err
	}
	return func(ev *evalCtx, r *record) bool {
		return matches(c.op, ev.value(r, fp), opnd, f.typ.isText() || f.pseudo && f.name != "Id", ev.now)
	}, nil
}

func (b *binder) in(o *object, c *inCond) (predicate, error) {
	fp, err := b.path(o, c.field)
	if err != nil {
		return nil, err
	}
	f := fp.leaf
	fold := f.typ.isText()
	if c.sub != nil {
		return b.semiJoin(fp, c)
	}
	opnds := make([]operand, len(c.values))
	for i, l := range c.values {
		if l.kind == litDateRange {
			return nil, &syntaxError{l.pos, "unexpected token: '" + l.text + "'"}
		}
		if opnds[i], err = toOperand(f, l); err != nil {
			return nil, err
		}
	}
	return func(ev *evalCtx, r *record) bool {
		v := ev.value(r, fp)
		for _, o := range opnds {
			if matches("=", v, o, fold, ev.now) {
				return !c.not
			}
		}
		return c.not
	}, nil
}

// semiJoin compiles field IN (SELECT idField FROM Object …).
func (b *binder) semiJoin(fp *fieldPath, c *inCond) (predicate, error) {
	if !fp.leaf.typ.isID() {
		return nil, &queryError{"INVALID_FIELD", c.field.pos, "The left operand field in the where expression for outer query should be an id field, cannot use: '" + fp.leaf.name + "'"}
	}
	o := b.schema.object(c.sub.from.text)
	if o == nil {
		return nil, errUnsupportedType(c.sub.from.text, c.sub.from.pos)
	}
	sp, err := b.bindOn(o, c.sub)
	if err != nil {
		return nil, err
	}
	if len(sp.cols) != 1 || sp.cols[0].path == nil || !sp.cols[0].path.leaf.typ.isID() {
		return nil, &queryError{"INVALID_FIELD", c.subPos, "The selected field in the subquery and the left operand field in the where expression in the outer query '" + fp.leaf.name + "' must point to the same object type"}
	}
	return func(ev *evalCtx, r *record) bool {
		v, _ := ev.value(r, fp).(string)
		return (v != "" && ev.semiSet(sp)[v]) != c.not
	}, nil
}

// semiSet runs the subquery of a semi-join once per query and returns the ids it
// selects.
func (ev *evalCtx) semiSet(sp *plan) map[string]bool {
	if set, ok := ev.semi[sp]; ok {
		return set
	}
	set := map[string]bool{}
	for _, r := range ev.store.rows[sp.obj] {
		if r.deleted || sp.where != nil && !sp.where(ev, r) {
			continue
		}
		if v, ok := ev.value(r, sp.cols[0].path).(string); ok {
			set[v] = true
		}
	}
	if ev.semi == nil {
		ev.semi = map[*plan]map[string]bool{}
	}
	ev.semi[sp] = set
	return set
}

// toOperand checks a literal against the field's type and converts it.
func toOperand(f *field, l literal) (operand, error) {
	if l.kind == litNull {
		return operand{null: true}, nil
	}
	switch {
	case f.typ.isText() || f.pseudo && f.name != "Id":
		if l.kind == litString {
			return operand{v: strings.ToLower(l.str)}, nil
		}
	case f.typ.isID():
		if l.kind == litString {
			if l.str == "" {
				return operand{null: true}, nil
			}
			id, ok := normalizeID(l.str)
			if !ok {
				return operand{}, &queryError{"INVALID_QUERY_FILTER_OPERATOR", l.pos, "invalid ID field: " + l.str}
			}
			return operand{v: id}, nil
		}
	case f.typ.isNumber():
		if l.kind == litNumber {
			return operand{v: l.num}, nil
		}
	case f.typ == typeBoolean:
		if l.kind == litBool {
			return operand{v: l.b}, nil
		}
	case f.typ == typeDate:
		if l.kind == litDate {
			return operand{v: l.t}, nil
		}
		if l.kind == litDateRange {
			return operand{rangeFn: l.rangeFn, n: l.n}, nil
		}
	case f.typ == typeDateTime:
		if l.kind == litDateTime {
			return operand{v: l.t}, nil
		}
		if l.kind == litDateRange {
			return operand{rangeFn: l.rangeFn, n: l.n}, nil
		}
	}
	return operand{}, errFilterType(f, l.pos)
}

// matches applies a comparison. As in SOQL, != also matches null values.
func matches(op string, v any, o operand, fold bool, now time.Time) bool {
	if o.null {
		switch op {
		case "=":
			return v == nil
		case "!=":
			return v != nil
		}
		return false
	}
	if v == nil {
		return op == "!="
	}
	if o.rangeFn != "" {
		t, _ := v.(time.Time)
		start, end := dateRange(o.rangeFn, o.n, now)
		in := !t.Before(start) && t.Before(end)
		switch op {
		case "=":
			return in
		case "!=":
			return !in
		case "<":
			return t.Before(start)
		case "<=":
			return t.Before(end)
		case ">":
			return !t.Before(end)
		case ">=":
			return !t.Before(start)
		}
		return false
	}
	c := compareValues(v, o.v, fold)
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// compareValues orders two non-nil stored values of one field. Text compares
// without regard to case when fold is set.
func compareValues(a, b any, fold bool) int {
	switch x := a.(type) {
	case string:
		y, _ := b.(string)
		if fold {
			x, y = strings.ToLower(x), strings.ToLower(y)
		}
		return strings.Compare(x, y)
	case float64, int64:
		fx, _ := number(x)
		fy, _ := number(b)
		switch {
		case fx < fy:
			return -1
		case fx > fy:
			return 1
		}
		return 0
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case time.Time:
		y, _ := b.(time.Time)
		return x.Compare(y)
	}
	return 0
}

// dateRange returns the half-open UTC interval a date literal stands for.
func dateRange(fn string, n int, now time.Time) (time.Time, time.Time) {
	now = now.UTC()
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	week := d.AddDate(0, 0, -int(d.Weekday())) // weeks start on Sunday
	month := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(d.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	days := func(from, to int) (time.Time, time.Time) { return d.AddDate(0, 0, from), d.AddDate(0, 0, to) }
	switch fn {
	case "YESTERDAY":
		return days(-1, 0)
	case "TOMORROW":
		return days(1, 2)
	case "LAST_N_DAYS":
		return days(-n, 1)
	case "NEXT_N_DAYS":
		return days(1, 1+n)
	case "LAST_90_DAYS":
		return days(-90, 1)
	case "NEXT_90_DAYS":
		return days(1, 91)
	case "THIS_WEEK":
		return week, week.AddDate(0, 0, 7)
	case "LAST_WEEK":
		return week.AddDate(0, 0, -7), week
	case "NEXT_WEEK":
		return week.AddDate(0, 0, 7), week.AddDate(0, 0, 14)
	case "THIS_MONTH":
		return month, month.AddDate(0, 1, 0)
	case "LAST_MONTH":
		return month.AddDate(0, -1, 0), month
	case "NEXT_MONTH":
		return month.AddDate(0, 1, 0), month.AddDate(0, 2, 0)
	case "THIS_YEAR":
		return year, year.AddDate(1, 0, 0)
	case "LAST_YEAR":
		return year.AddDate(-1, 0, 0), year
	case "NEXT_YEAR":
		return year.AddDate(1, 0, 0), year.AddDate(2, 0, 0)
	}
	return days(0, 1) // TODAY
}

func lowerPattern(p []likeElem) []likeElem {
	out := make([]likeElem, len(p))
	for i, e := range p {
		out[i] = likeElem{r: unicode.ToLower(e.r), kind: e.kind}
	}
	return out
}

// likeMatch matches s against a LIKE pattern: % is any run of characters, _ is
// one character. It backtracks only to the last %, which is enough for a
// pattern language without other repetition.
func likeMatch(pat []likeElem, s []rune) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && (pat[p].kind == likeOne || pat[p].kind == likeRune && pat[p].r == s[i]):
			p++
			i++
		case p < len(pat) && pat[p].kind == likeAny:
			star, mark = p, i
			p++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p].kind == likeAny {
		p++
	}
	return p == len(pat)
}
