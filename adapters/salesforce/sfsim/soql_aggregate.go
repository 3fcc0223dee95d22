package sfsim

import (
	"strings"
)

// aggregate is an aggregate function of a query without GROUP BY: the answer is
// one AggregateResult row.
type aggregate struct {
	fn   string     // upper-case function name
	path *fieldPath // nil for COUNT()
	key  string     // alias, or exprN
}

func (b *binder) aggregate(o *object, call *aggregateCall) (aggregate, error) {
	a := aggregate{fn: strings.ToUpper(call.fn.text), key: call.alias}
	switch a.fn {
	case "COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX":
	default:
		return a, &syntaxError{call.fn.pos, "Unknown function: " + call.fn.text}
	}
	if call.arg == nil {
		if a.fn != "COUNT" {
			return a, &syntaxError{call.fn.pos + len(call.fn.text) + 1, "unexpected token: ')'"}
		}
		return a, nil
	}
	fp, err := b.path(o, *call.arg)
	if err != nil {
		return a, err
	}
	if (a.fn == "SUM" || a.fn == "AVG") && !fp.leaf.typ.isNumber() {
		return a, &queryError{"INVALID_FIELD", call.arg.pos, "field " + fp.leaf.name + " does not support aggregate operator " + a.fn}
	}
	a.path = fp
	return a, nil
}

// value computes the aggregate over the matching rows, as written on the wire.
func (a aggregate) value(ev *evalCtx, rows []*record) any {
	if a.path == nil {
		return int64(len(rows))
	}
	var (
		n        int64
		sum      float64
		distinct = map[any]bool{}
		best     any
	)
	for _, r := range rows {
		v := ev.value(r, a.path)
		if v == nil {
			continue
		}
		n++
		distinct[v] = true
		if f, ok := number(v); ok {
			sum += f
		}
		if best == nil ||
			a.fn == "MIN" && compareValues(v, best, a.path.leaf.typ.isText()) < 0 ||
			a.fn == "MAX" && compareValues(v, best, a.path.leaf.typ.isText()) > 0 {
			best = v
		}
	}
	switch a.fn {
	case "COUNT":
		return n
	case "COUNT_DISTINCT":
		return int64(len(distinct))
	case "SUM", "AVG":
		if n == 0 {
			return nil
		}
		if a.fn == "AVG" {
			return sum / float64(n)
		}
		return sum
	}
	return wire(a.path.leaf, best)
}
