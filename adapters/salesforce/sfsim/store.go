package sfsim

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// record is one stored row. Its field values are immutable (strings, numbers,
// times), so a copy of the map is a safe snapshot.
type record struct {
	obj     *object
	id      string
	fields  map[string]any // canonical field name → value
	deleted bool
}

// store holds the records of an org. Callers lock mu: readers for a whole query so
// that it sees one consistent state, writers for one change.
type store struct {
	mu      sync.RWMutex
	schema  *schema
	rows    map[*object][]*record // in insertion order, deleted rows included
	byID    map[string]*record    // 18-character id
	seqs    map[string]*idSequence
	caseSeq int
}

func newStore(sc *schema) *store {
	return &store{schema: sc, rows: map[*object][]*record{}, byID: map[string]*record{}, seqs: map[string]*idSequence{}}
}

// clone copies the store, so that servers built from one data set do not share
// changes.
func (s *store) clone() *store {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := newStore(s.schema)
	c.caseSeq = s.caseSeq
	for p, q := range s.seqs {
		c.seqs[p] = &idSequence{prefix: q.prefix, next: q.next}
	}
	for o, rows := range s.rows {
		copied := make([]*record, len(rows))
		for i, r := range rows {
			copied[i] = &record{obj: r.obj, id: r.id, fields: maps.Clone(r.fields), deleted: r.deleted}
			c.byID[r.id] = copied[i]
		}
		c.rows[o] = copied
	}
	return c
}

// writeMode tells system writes (building a data set, which may set read-only
// fields and ids) from API writes, which Salesforce's rules apply to.
type writeMode int

const (
	systemWrite writeMode = iota
	apiWrite
)

// insert creates a record from field values. owner is the default OwnerId.
func (s *store) insert(o *object, in map[string]any, mode writeMode, now time.Time, owner string) (*record, *apiError) {
	r := &record{obj: o, fields: map[string]any{}}
	if err := s.assign(r, in, mode, true); err != nil {
		return nil, err
	}
	if id, ok := r.fields["Id"].(string); ok {
		if s.byID[id] != nil {
			return nil, &apiError{status: http.StatusBadRequest, code: "DUPLICATE_VALUE", message: "duplicate value found: Id duplicates value on record with id: " + id, fields: []string{"Id"}}
		}
		r.id = id
	}
	// Each audit date defaults to the one before it, so that a data set giving
	// only CreatedDate or LastModifiedDate stays consistent.
	prev := any(now.UTC().Truncate(time.Millisecond))
	for _, name := range []string{"CreatedDate", "LastModifiedDate", "SystemModstamp"} {
		if r.fields[name] == nil {
			r.fields[name] = prev
		}
		prev = r.fields[name]
	}
	if o.field("IsDeleted") != nil {
		r.fields["IsDeleted"] = false
	}
	if o.field("OwnerId") != nil && r.fields["OwnerId"] == nil && owner != "" {
		r.fields["OwnerId"] = owner
	}
	applyDefaults(r)
	var missing []string
	for _, f := range o.fields {
		if f.required && r.fields[f.name] == nil {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, &apiError{status: http.StatusBadRequest, code: "REQUIRED_FIELD_MISSING",
			message: "Required fields are missing: [" + strings.Join(missing, ", ") + "]", fields: missing}
	}
	if err := derive(r, in, now, true); err != nil {
		return nil, err
	}
	if r.id == "" {
		q := s.seqs[o.prefix]
		if q == nil {
			q = &idSequence{prefix: o.prefix}
			s.seqs[o.prefix] = q
		}
		r.id = q.take(func(id string) bool { return s.byID[id] != nil })
	}
	r.fields["Id"] = r.id
	if o.name == "Case" && r.fields["CaseNumber"] == nil {
		s.caseSeq++
		r.fields["CaseNumber"] = fmt.Sprintf("%08d", 1000+s.caseSeq)
	}
	s.rows[o] = append(s.rows[o], r)
	s.byID[r.id] = r
	return r, nil
}

// update changes the given fields of a live record.
func (s *store) update(r *record, in map[string]any, now time.Time) *apiError {
	if r.deleted {
		return errDeleted()
	}
	next := &record{obj: r.obj, id: r.id, fields: maps.Clone(r.fields)}
	if err := s.assign(next, in, apiWrite, false); err != nil {
		return err
	}
	var missing []string
	for _, k := range slices.Sorted(maps.Keys(in)) {
		if f := r.obj.field(k); f.required && next.fields[f.name] == nil {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return &apiError{status: http.StatusBadRequest, code: "REQUIRED_FIELD_MISSING",
			message: "Required fields are missing: [" + strings.Join(missing, ", ") + "]", fields: missing}
	}
	if err := derive(next, in, now, false); err != nil {
		return err
	}
	stamp := now.UTC().Truncate(time.Millisecond)
	next.fields["LastModifiedDate"] = stamp
	next.fields["SystemModstamp"] = stamp
	r.fields = next.fields
	return nil
}

// remove deletes a record and, as Salesforce does, what hangs off an account and
// the activities of any record.
func (s *store) remove(r *record, now time.Time) *apiError {
	if r.deleted {
		return errDeleted()
	}
	stamp := now.UTC().Truncate(time.Millisecond)
	var drop func(r *record)
	drop = func(r *record) {
		r.fields = maps.Clone(r.fields)
		r.deleted = true
		r.fields["IsDeleted"] = true
		r.fields["SystemModstamp"] = stamp
		for _, rel := range r.obj.childList {
			if r.obj.name != "Account" && rel.child.name != "Task" {
				continue
			}
			for _, c := range s.rows[rel.child] {
				if !c.deleted && c.fields[rel.field.name] == r.id {
					drop(c)
				}
			}
		}
	}
	drop(r)
	return nil
}

func errDeleted() *apiError {
	return &apiError{status: http.StatusNotFound, code: "ENTITY_IS_DELETED", message: "entity is deleted", fields: []string{}}
}

// assign validates the given values and sets them on r. Keys are matched without
// regard to case and stored under the field's own name.
func (s *store) assign(r *record, in map[string]any, mode writeMode, create bool) *apiError {
	o := r.obj
	var locked []string
	for _, k := range slices.Sorted(maps.Keys(in)) {
		f := o.field(k)
		if f == nil {
			return &apiError{status: http.StatusBadRequest, code: "INVALID_FIELD",
				message: fmt.Sprintf("No such column '%s' on sobject of type %s", k, o.name)}
		}
		if f.name == "Id" && (mode == apiWrite || !create) {
			return &apiError{status: http.StatusBadRequest, code: "INVALID_FIELD",
				message: "Json Deserialization failed on token 'Id' and has left off in the middle of parsing a row. Will go to end of row to begin parsing the next row"}
		}
		if f.readOnly && mode == apiWrite {
			locked = append(locked, f.name)
			continue
		}
		v, problem := normalize(f, in[k])
		if problem != "" {
			return &apiError{status: http.StatusBadRequest, code: "JSON_PARSER_ERROR", message: problem}
		}
		if f.typ.isID() && v != nil {
			id, err := s.checkReference(o, f, v.(string))
			if err != nil {
				return err
			}
			v = id
		}
		r.fields[f.name] = v
	}
	if len(locked) > 0 {
		return &apiError{status: http.StatusBadRequest, code: "INVALID_FIELD_FOR_INSERT_UPDATE",
			message: "Unable to create/update fields: " + strings.Join(locked, ", ") +
				". Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
			fields: locked}
	}
	return nil
}

// checkReference validates an id value: its form, and for a reference that it
// names a live record of an object the field may point at.
func (s *store) checkReference(o *object, f *field, v string) (string, *apiError) {
	id, ok := normalizeID(v)
	if !ok {
		return "", &apiError{status: http.StatusBadRequest, code: "MALFORMED_ID",
			message: fmt.Sprintf("%s: id value of incorrect type: %s", f.label, v), fields: []string{f.name}}
	}
	if f.typ == typeID {
		if s.schema.objectOfID(id) != o {
			return "", &apiError{status: http.StatusBadRequest, code: "MALFORMED_ID",
				message: fmt.Sprintf("%s: id value of incorrect type: %s", f.label, v), fields: []string{f.name}}
		}
		return id, nil
	}
	target := s.schema.objectOfID(id)
	if target == nil || !slices.Contains(f.refTo, target.name) {
		return "", &apiError{status: http.StatusBadRequest, code: "FIELD_INTEGRITY_EXCEPTION",
			message: fmt.Sprintf("%s: id value of incorrect type: %s", f.label, v), fields: []string{f.name}}
	}
	if t := s.byID[id]; t == nil || t.deleted {
		return "", &apiError{status: http.StatusBadRequest, code: "INVALID_CROSS_REFERENCE_KEY",
			message: "invalid cross reference id", fields: []string{f.name}}
	}
	return id, nil
}

// live returns the record with the given 18-character id unless it is deleted.
func (s *store) live(id string) *record {
	if r := s.byID[id]; r != nil && !r.deleted {
		return r
	}
	return nil
}
