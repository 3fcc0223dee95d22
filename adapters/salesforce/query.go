package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// Bounds of Sforce-Query-Options batchSize.
const (
	MinBatchSize = 200
	MaxBatchSize = 2000
)

// maxChildDepth bounds the nesting of parent-to-child subqueries the client
// expands; SOQL allows five levels.
const maxChildDepth = 5

// QueryOptions tune a query.
type QueryOptions struct {
	// BatchSize asks for pages of this many records (200–2000, not guaranteed);
	// zero leaves the page size to Salesforce.
	BatchSize int
	// MaxRecords stops reading after this many records, top-level and in each
	// child result alike; zero reads all.
	MaxRecords int
}

// QueryResult holds the records of a query.
type QueryResult struct {
	// TotalSize is the number of records matching the query, which exceeds
	// len(Records) when MaxRecords stopped the reading.
	TotalSize int
	Records   []Record
	// Done is false when MaxRecords left records unread.
	Done bool
}

// Record is one record as Salesforce sent it, field by field. Parent objects
// (Owner) stay nested objects; child results (Contacts) hold all their records,
// every page of them read. Decode it into a struct.
type Record map[string]json.RawMessage

// Decode decodes the record into v, a pointer to a struct whose fields name the
// record's (Owner *struct{Name string}; Contacts *ChildResult[Contact]).
func (r Record) Decode(v any) error {
	b, err := json.Marshal(map[string]json.RawMessage(r))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// ChildResult is a parent-to-child subquery result of a decoded record; the
// field is nil when the record has no children.
type ChildResult[T any] struct {
	TotalSize int  `json:"totalSize"`
	Done      bool `json:"done"`
	Records   []T  `json:"records"`
}

// queryPage is one page of a query or child result.
type queryPage struct {
	TotalSize      *int     `json:"totalSize"`
	Done           *bool    `json:"done"`
	NextRecordsURL string   `json:"nextRecordsUrl"`
	Records        []Record `json:"records"`
}

// Query runs a SOQL query and returns its records, following nextRecordsUrl to
// read every page, and the pages of every child result.
func (c *Client) Query(ctx context.Context, soql string, opts QueryOptions) (*QueryResult, error) {
	res, err := c.query(ctx, soql, opts)
	if err != nil {
		return nil, fmt.Errorf("salesforce: query: %w", err)
	}
	return res, nil
}

func (c *Client) query(ctx context.Context, soql string, opts QueryOptions) (*QueryResult, error) {
	// QueryEscape writes spaces as '+'; %20 reads the same everywhere.
	q := strings.ReplaceAll(url.QueryEscape(soql), "+", "%20")
	first, err := c.page(ctx, c.dataPath("/query?q="+q), opts)
	if err != nil {
		return nil, err
	}
	records, done, err := c.readAll(ctx, first, opts, 0)
	if err != nil {
		return nil, err
	}
	return &QueryResult{TotalSize: *first.TotalSize, Records: records, Done: done}, nil
}

// readAll collects the records of a result from its first page on, expanding
// the child results of each record kept.
func (c *Client) readAll(ctx context.Context, p *queryPage, opts QueryOptions, depth int) ([]Record, bool, error) {
	var out []Record
	for {
		recs := p.Records
		if opts.MaxRecords > 0 && len(out)+len(recs) > opts.MaxRecords {
			recs = recs[:opts.MaxRecords-len(out)]
		}
		for _, r := range recs {
			if err := c.expandChildren(ctx, r, opts, depth+1); err != nil {
				return nil, false, err
			}
		}
		out = append(out, recs...)
		complete := len(recs) == len(p.Records)
		if *p.Done || !complete || opts.MaxRecords > 0 && len(out) >= opts.MaxRecords {
			return out, *p.Done && complete, nil
		}
		next, err := c.page(ctx, p.NextRecordsURL, opts)
		if err != nil {
			return nil, false, err
		}
		p = next
	}
}

// page reads one page of a query result.
func (c *Client) page(ctx context.Context, path string, opts QueryOptions) (*queryPage, error) {
	var header http.Header
	if opts.BatchSize > 0 {
		n := min(max(opts.BatchSize, MinBatchSize), MaxBatchSize)
		header = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(n)}}
	}
	var p queryPage
	body, err := c.get(ctx, path, header, &p)
	if err != nil {
		return nil, err
	}
	if err := p.check(body, path); err != nil {
		return nil, err
	}
	return &p, nil
}

// check rejects a page that does not have the documented shape: the loop over
// pages must end, and the bearer token must only go to the instance.
func (p *queryPage) check(body []byte, from string) error {
	bad := func(format string, args ...any) error {
		return badShape(http.StatusOK, body, fmt.Errorf(format, args...))
	}
	switch {
	case p.TotalSize == nil || p.Done == nil:
		return bad("query result without totalSize or done")
	case *p.Done:
		return nil
	case !strings.HasPrefix(p.NextRecordsURL, "/") || strings.HasPrefix(p.NextRecordsURL, "//"):
		return bad("query result not done, with nextRecordsUrl %q instead of a path", p.NextRecordsURL)
	case p.NextRecordsURL == from:
		return bad("nextRecordsUrl %q points to the page it came from", p.NextRecordsURL)
	}
	return nil
}

// expandChildren replaces each child result of r by one holding all its
// records: a child result pages on its own, like a query.
func (c *Client) expandChildren(ctx context.Context, r Record, opts QueryOptions, depth int) error {
	for field, raw := range r {
		p, ok := childResult(raw)
		if !ok {
			continue
		}
		if depth > maxChildDepth {
			return badShape(http.StatusOK, raw, fmt.Errorf("child results nested deeper than %d levels", maxChildDepth))
		}
		if err := p.check(raw, ""); err != nil {
			return err
		}
		records, done, err := c.readAll(ctx, p, opts, depth)
		if err != nil {
			return fmt.Errorf("read child %s: %w", field, err)
		}
		if records == nil {
			records = []Record{}
		}
		merged, err := json.Marshal(struct {
			TotalSize int      `json:"totalSize"`
			Done      bool     `json:"done"`
			Records   []Record `json:"records"`
		}{*p.TotalSize, done, records})
		if err != nil {
			return fmt.Errorf("read child %s: %w: %w", field, adapters.ErrBadResponse, err)
		}
		r[field] = merged
	}
	return nil
}

// childResult reports whether a field value is a nested query result rather
// than a parent object or a scalar.
func childResult(raw json.RawMessage) (*queryPage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var probe struct {
		TotalSize *int            `json:"totalSize"`
		Done      *bool           `json:"done"`
		Records   json.RawMessage `json:"records"`
	}
	if json.Unmarshal(raw, &probe) != nil || probe.TotalSize == nil || probe.Done == nil ||
		len(probe.Records) == 0 || probe.Records[0] != '[' {
		return nil, false
	}
	var p queryPage
	if json.Unmarshal(raw, &p) != nil {
		return nil, false
	}
	return &p, true
}

// decodeRecords decodes records into values of T; a record that does not fit is
// an answer of the wrong shape.
func decodeRecords[T any](recs []Record) ([]T, error) {
	out := make([]T, len(recs))
	for i, r := range recs {
		if err := r.Decode(&out[i]); err != nil {
			body, _ := json.Marshal(map[string]json.RawMessage(r))
			return nil, badShape(http.StatusOK, body, fmt.Errorf("decode record: %w", err))
		}
	}
	return out, nil
}
