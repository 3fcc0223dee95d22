package customer

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoSuchRecord means a linked system holds no record of that id.
var ErrNoSuchRecord = errors.New("no such record")

// Record is a linked system's record seen on its own: a search hit that no
// primary record is linked to.
type Record struct {
	// Header is the system's header facet of the record; its State says
	// whether it could be fetched.
	Header Panel
	// PrimaryTitle names the system whose records are customers, e.g.
	// "Salesforce".
	PrimaryTitle string
}

// Record fetches the header of record id in the linked system source.
func (c *Composer) Record(ctx context.Context, v Viewer, source, id string) (Record, error) {
	src, ok := c.linkedSource(source)
	if ok && !c.policy.Source(v, source) {
		return Record{}, ErrForbidden
	}
	if !ok || !recordID.MatchString(id) {
		return Record{}, fmt.Errorf("%w: %s %q", ErrNoSuchRecord, source, id)
	}
	rec := Record{PrimaryTitle: c.primary.Title,
		Header: Panel{Source: src.Name, SourceTitle: src.Title, State: StateNotLinked}}
	if hs, ok := headerSpec(src); ok {
		rec.Header = c.fetch(ctx, v, src, hs, id)
		if rec.Header.State == StateError && rec.Header.Problem != nil && rec.Header.Problem.Cause == CauseNotFound {
			return Record{}, fmt.Errorf("%w: %s %q", ErrNoSuchRecord, source, id)
		}
	}
	return rec, nil
}
