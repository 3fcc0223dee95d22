package policy

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// kindNames are the words a field rule's "kind:" names value kinds by.
var kindNames = map[adapters.Kind]string{
	adapters.KindText: "text", adapters.KindNumber: "number", adapters.KindMoney: "money",
	adapters.KindDate: "date", adapters.KindDateTime: "datetime", adapters.KindEmail: "email",
	adapters.KindURL: "url", adapters.KindPhone: "phone", adapters.KindPercent: "percent", adapters.KindBool: "bool",
}

// KindName is the word a field rule names kind by ("money"), "" if none.
func KindName(k adapters.Kind) string { return kindNames[k] }

// Kinds lists the words a field rule's "kind:" may use.
func Kinds() []string {
	out := make([]string, 0, len(kindNames))
	for _, n := range kindNames {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// EventAmount is the field name an event's amount goes by in field rules.
const EventAmount = "amount"

// Redaction is what Redact took out of a facet and what restricted fields it
// let through, each as source/facet/field.
type Redaction struct {
	Shown    []string
	Withheld []string
}

// Redact returns f as v may see it: without the fields, table columns,
// summary figures and event amounts field rules keep from v, and without
// events of kinds v may not see. f itself is never changed (it may be a
// cached answer shared by every viewer): when anything is taken out, the
// result is a copy, whose Version names the redaction too, so that what is
// rendered of it is never written for a viewer who may see more.
func (r *Rules) Redact(v Viewer, source string, f *adapters.Facet) (*adapters.Facet, Redaction) {
	var red Redaction
	if f == nil {
		return nil, red
	}
	name := func(field string) string { return source + "/" + f.Name + "/" + field }
	check := func(field string, kind adapters.Kind) bool {
		ok, restricted := r.Field(v, source, f.Name, field, KindName(kind))
		if restricted {
			if ok {
				red.Shown = appendOnce(red.Shown, name(field))
			} else {
				red.Withheld = appendOnce(red.Withheld, name(field))
			}
		}
		return ok
	}
	out := *f
	changed := false
	for k, val := range f.Fields {
		if !check(k, val.Kind) {
			if !changed {
				out.Fields = cloneFields(f.Fields)
				changed = true
			}
			delete(out.Fields, k)
		}
	}
	tables, tablesChanged := r.redactTables(f.Tables, check)
	if tablesChanged {
		out.Tables, changed = tables, true
	}
	events, eventsChanged := r.redactEvents(v, f.Events, check, &red)
	if eventsChanged {
		out.Events, changed = events, true
	}
	if !changed {
		return f, red
	}
	if f.Version != "" {
		sum := sha256.Sum256([]byte(strings.Join(red.Withheld, "\x00")))
		out.Version = f.Version + "~" + base64.RawURLEncoding.EncodeToString(sum[:9])
	}
	return &out, red
}

func cloneFields(m map[string]adapters.Value) map[string]adapters.Value {
	out := make(map[string]adapters.Value, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (r *Rules) redactTables(tables []adapters.Table, check func(string, adapters.Kind) bool) ([]adapters.Table, bool) {
	var out []adapters.Table
	changed := false
	for i, t := range tables {
		keep := make([]bool, len(t.Columns))
		dropped := false
		for j, col := range t.Columns {
			keep[j] = check(col.Key, col.Kind)
			dropped = dropped || !keep[j]
		}
		var metrics []adapters.Metric
		metricsDropped := false
		for _, m := range t.Summary {
			if check(metricName(m), m.Value.Kind) {
				metrics = append(metrics, m)
			} else {
				metricsDropped = true
			}
		}
		if !dropped && !metricsDropped {
			if changed {
				out = append(out, t)
			}
			continue
		}
		if !changed {
			out = append(make([]adapters.Table, 0, len(tables)), tables[:i]...)
			changed = true
		}
		nt := t
		if metricsDropped {
			nt.Summary = metrics
		}
		if dropped {
			nt.Columns = nil
			for j, col := range t.Columns {
				if keep[j] {
					nt.Columns = append(nt.Columns, col)
				}
			}
			nt.Rows = make([]adapters.Row, len(t.Rows))
			for ri, row := range t.Rows {
				nr := row
				nr.Cells = nil
				for j, cell := range row.Cells {
					if j < len(keep) && keep[j] {
						nr.Cells = append(nr.Cells, cell)
					}
				}
				nt.Rows[ri] = nr
			}
		}
		out = append(out, nt)
	}
	if !changed {
		return tables, false
	}
	return out, true
}

// metricName is the field name a summary figure goes by in field rules: its
// key, else its label in lower case with underscores ("Open pipeline":
// open_pipeline).
func metricName(m adapters.Metric) string {
	if m.Key != "" {
		return m.Key
	}
	return strings.Join(strings.Fields(strings.ToLower(m.Label)), "_")
}

func (r *Rules) redactEvents(v Viewer, events []adapters.Event, check func(string, adapters.Kind) bool, red *Redaction) ([]adapters.Event, bool) {
	var out []adapters.Event
	changed := false
	for i, e := range events {
		keepKind := r.Kind(v, e.Kind)
		keepAmount := !e.Amount.Valid || check(EventAmount, e.Amount.Kind)
		if keepKind && keepAmount {
			if changed {
				out = append(out, e)
			}
			continue
		}
		if !changed {
			out = append(make([]adapters.Event, 0, len(events)), events[:i]...)
			changed = true
		}
		if !keepKind {
			red.Withheld = appendOnce(red.Withheld, "timeline/"+e.Kind)
			continue
		}
		e.Amount = adapters.Value{}
		out = append(out, e)
	}
	if !changed {
		return events, false
	}
	return out, true
}

// Match returns m as v may see it: the fields of a search hit are those of
// the source's header facet and follow its field rules.
func (r *Rules) Match(v Viewer, headerFacet string, m adapters.Match) adapters.Match {
	for _, f := range []struct {
		name string
		p    *string
	}{{adapters.FieldIndustry, &m.Industry}, {adapters.FieldCity, &m.City}, {adapters.FieldOwner, &m.Owner}} {
		if ok, _ := r.Field(v, m.Source, headerFacet, f.name, "text"); !ok {
			*f.p = ""
		}
	}
	return m
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
