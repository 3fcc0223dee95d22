package store

import (
	"strconv"
	"strings"
	"time"
)

// auditSelect builds the query of q for either driver: ph gives the
// placeholder of the i-th argument (1-based) and at the argument of a time.
func auditSelect(q AuditQuery, ph func(i int) string, at func(time.Time) any) (string, []any) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, cond+" "+ph(len(args)))
	}
	if q.ActorRef != "" {
		add("actor_ref =", q.ActorRef)
	}
	if q.Customer != "" {
		add("customer =", q.Customer)
	}
	if q.Kind != "" {
		add("kind =", q.Kind)
	}
	if !q.From.IsZero() {
		add("at >=", at(q.From))
	}
	if !q.To.IsZero() {
		add("at <", at(q.To))
	}
	if q.AfterSeq > 0 {
		add("seq >", q.AfterSeq)
	}
	if q.BeforeSeq > 0 {
		add("seq <", q.BeforeSeq)
	}
	var b strings.Builder
	b.WriteString("SELECT seq, at, kind, customer, actor_ref, body, personal, prev, hash FROM audit_records")
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	if q.Newest || q.BeforeSeq > 0 {
		b.WriteString(" ORDER BY seq DESC")
	} else {
		b.WriteString(" ORDER BY seq")
	}
	b.WriteString(" LIMIT " + strconv.Itoa(auditLimit(q.Limit)))
	return b.String(), args
}
