package sfsim

import (
	"fmt"
	"strings"
)

// maxOffset is the largest OFFSET Salesforce accepts.
const maxOffset = 2000

// plan is a query checked against the schema, ready to run.
type plan struct {
	obj    *object
	cols   []column
	where  predicate // nil: every row
	order  []orderKey
	limit  int // -1: none
	offset int
	// countOnly is SELECT COUNT(): only totalSize is answered.
	countOnly bool
	aggs      []aggregate
}

// column is one element of the SELECT list.
type column struct {
	path  *fieldPath // a field of the row or of a parent
	child *childPlan // a parent-to-child subquery
}

// fieldPath reaches a field through zero or more child-to-parent references.
type fieldPath struct {
	refs []*field
	leaf *field
}

func (p *fieldPath) String() string {
	var b strings.Builder
	for _, r := range p.refs {
		b.WriteString(r.relName + ".")
	}
	return b.String() + p.leaf.name
}

type childPlan struct {
	rel  *childRel
	plan *plan
}

type orderKey struct {
	path      *fieldPath
	desc      bool
	nullsLast bool
}

// binder checks a parsed query against the schema.
type binder struct {
	schema *schema
}

// bind checks a top-level query.
func (b *binder) bind(q *soqlQuery) (*plan, error) {
	o := b.schema.object(q.from.text)
	if o == nil {
		return nil, errUnsupportedType(q.from.text, q.from.pos)
	}
	return b.bindOn(o, q)
}

// bindOn checks a query whose FROM resolves to o: the object of a top-level
// query or the child object of a subquery.
func (b *binder) bindOn(o *object, q *soqlQuery) (*plan, error) {
	p := &plan{obj: o, limit: -1}
	seen := map[string]bool{}
	exprs := 0
	for _, item := range q.fields {
		switch {
		case item.sub != nil:
			rel := o.children[strings.ToLower(item.sub.from.text)]
			if rel == nil {
				return nil, errChildRelationship(item.sub.from.text, item.sub.from.pos)
			}
			sub, err := b.bindOn(rel.child, item.sub)
			if err != nil {
				return nil, err
			}
			if seen[strings.ToLower(rel.name)] {
				return nil, &syntaxError{item.sub.from.pos, "duplicate field selected: " + rel.name}
			}
			seen[strings.ToLower(rel.name)] = true
			p.cols = append(p.cols, column{child: &childPlan{rel: rel, plan: sub}})
		case item.agg != nil:
			a, err := b.aggregate(o, item.agg)
			if err != nil {
				return nil, err
			}
			if a.key == "" {
				// Unnamed aggregates are called expr0, expr1, … in select order.
				a.key = fmt.Sprintf("expr%d", exprs)
				exprs++
			}
			if a.fn == "COUNT" && a.path == nil {
				p.countOnly = true
			}
			p.aggs = append(p.aggs, a)
		default:
			fp, err := b.path(o, item.path)
			if err != nil {
				return nil, err
			}
			key := strings.ToLower(fp.String())
			if seen[key] {
				return nil, &syntaxError{item.path.pos, "duplicate field selected: " + fp.String()}
			}
			seen[key] = true
			p.cols = append(p.cols, column{path: fp})
		}
	}
	if err := checkAggregates(q, p); err != nil {
		return nil, err
	}
	if q.where != nil {
		pred, err := b.condition(o, q.where)
		if err != nil {
			return nil, err
		}
		p.where = pred
	}
	for _, item := range q.orderBy {
		fp, err := b.path(o, item.field)
		if err != nil {
			return nil, err
		}
		if fp.leaf.typ == typeTextArea {
			return nil, &queryError{"INVALID_FIELD", item.field.pos, fmt.Sprintf("field '%s' can not be sorted in a query call", fp.leaf.name)}
		}
		p.order = append(p.order, orderKey{path: fp, desc: item.desc, nullsLast: item.nullsLast})
	}
	if q.limit != nil {
		p.limit = q.limit.n
	}
	if q.offset != nil {
		if q.offset.n > maxOffset {
			return nil, &queryError{"NUMBER_OUTSIDE_VALID_RANGE", -1, fmt.Sprintf("Maximum SOQL offset allowed is %d", maxOffset)}
		}
		p.offset = q.offset.n
	}
	return p, nil
}

// checkAggregates rejects what SOQL rejects without GROUP BY: aggregates mixed
// with plain fields or subqueries, and COUNT() beside anything.
func checkAggregates(q *soqlQuery, p *plan) error {
	if len(p.aggs) == 0 {
		return nil
	}
	for _, item := range q.fields {
		switch {
		case item.sub != nil:
			return &syntaxError{item.sub.from.pos, "unexpected token: '" + item.sub.from.text + "'"}
		case item.agg == nil:
			return &queryError{"MALFORMED_QUERY", item.path.pos, "Field must be grouped or aggregated: " + item.path.text}
		}
	}
	if p.countOnly && len(p.aggs) > 1 {
		return &syntaxError{q.fields[1].path.pos, "unexpected token: ','"}
	}
	if len(q.orderBy) > 0 && !p.countOnly {
		return &queryError{"MALFORMED_QUERY", q.orderBy[0].field.pos, "Ordered field must be grouped or aggregated: " + q.orderBy[0].field.text}
	}
	return nil
}

// path resolves a field path such as Name or Account.Owner.Name on o.
func (b *binder) path(o *object, id ident) (*fieldPath, error) {
	parts := strings.Split(id.text, ".")
	fp := &fieldPath{}
	cur := o
	for _, rel := range parts[:len(parts)-1] {
		f := cur.byRel[strings.ToLower(rel)]
		if f == nil || len(fp.refs) == 5 {
			return nil, errRelationship(rel, id.pos)
		}
		fp.refs = append(fp.refs, f)
		cur = b.schema.target(f)
	}
	last := parts[len(parts)-1]
	fp.leaf = cur.field(last)
	if fp.leaf == nil {
		return nil, errNoSuchColumn(last, cur.name, id.pos)
	}
	return fp, nil
}
