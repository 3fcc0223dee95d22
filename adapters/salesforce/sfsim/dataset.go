package sfsim

import (
	"fmt"
	"time"
)

// Fields are the values of a record, keyed by field API name. Values are strings,
// numbers, bools, time.Time or nil; dates may also be given as "2006-01-02".
type Fields map[string]any

// Dataset is the content of a simulated org. A server copies it on construction,
// so one data set can seed many servers that then change independently.
type Dataset struct {
	now   time.Time
	store *store
}

// NewDataset returns an empty data set whose records are created at now unless
// they say otherwise.
func NewDataset(now time.Time) *Dataset {
	return &Dataset{now: now.UTC(), store: newStore(newSchema())}
}

// Add creates a record of the named object (Account, Contact, Opportunity, Case,
// Task, User) and returns its 18-character id. Unlike the API it accepts
// read-only fields (CreatedDate, CaseNumber, ClosedDate, …) and an explicit Id;
// derived fields (Contact.Name, Opportunity.IsClosed, …) are computed as the API
// computes them.
func (d *Dataset) Add(objectName string, f Fields) (string, error) {
	o := d.store.schema.object(objectName)
	if o == nil {
		return "", fmt.Errorf("sfsim: no object %q", objectName)
	}
	d.store.mu.Lock()
	defer d.store.mu.Unlock()
	r, err := d.store.insert(o, f, systemWrite, d.now, "")
	if err != nil {
		return "", fmt.Errorf("sfsim: add %s: %s: %s", o.name, err.code, err.message)
	}
	return r.id, nil
}

// mustAdd is Add for data sets built by this package, whose content is fixed: an
// error there is a bug in the seed, not a condition to handle.
func (d *Dataset) mustAdd(objectName string, f Fields) string {
	id, err := d.Add(objectName, f)
	if err != nil {
		panic(err)
	}
	return id
}

// Count returns the number of live records of the named object.
func (d *Dataset) Count(objectName string) int {
	o := d.store.schema.object(objectName)
	if o == nil {
		return 0
	}
	d.store.mu.RLock()
	defer d.store.mu.RUnlock()
	n := 0
	for _, r := range d.store.rows[o] {
		if !r.deleted {
			n++
		}
	}
	return n
}

// Records returns the live records of the named object, each with its Id and
// the given fields (nil where a field is empty), in insertion order. Demos use
// it to seed other systems with the same companies.
func (d *Dataset) Records(objectName string, fields ...string) []Fields {
	o := d.store.schema.object(objectName)
	if o == nil {
		return nil
	}
	d.store.mu.RLock()
	defer d.store.mu.RUnlock()
	var out []Fields
	for _, r := range d.store.rows[o] {
		if r.deleted {
			continue
		}
		f := Fields{"Id": r.id}
		for _, name := range fields {
			f[name] = r.fields[name]
		}
		out = append(out, f)
	}
	return out
}
