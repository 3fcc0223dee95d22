package billing

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Page sizes of list and search calls, as Stripe has them.
const (
	defaultLimit = 10
	maxLimit     = 100
)

// params are a request's query parameters, checked against those its
// endpoint knows: Stripe rejects any other.
type params struct {
	url.Values
}

// parseParams reads the query of a request to an endpoint that knows the
// named parameters. A parameter with brackets ("created[gte]", "ids[]") is
// known by the name before them. Expansion is refused: every expandable field
// of this server's objects holds an id, and a client that asked for an object
// would read an id where it expects one.
func parseParams(r *http.Request, known ...string) (params, *apiError) {
	q := r.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) {
		base, _, _ := strings.Cut(name, "[")
		switch {
		case base == "expand":
			return params{}, errInvalidParam(name, "This server does not expand objects (%s): expandable fields hold ids. "+
				"Leave out expand[] and retrieve each object by its id.",
				strings.Join(q[name], ", "))
		case !slices.Contains(known, base):
			return params{}, errUnknownParam(name)
		}
	}
	return params{q}, nil
}

// list returns the values of a list parameter, given as name[] or name[i].
func (p params) list(name string) []string {
	var out []string
	for k, vs := range p.Values {
		if k == name || strings.HasPrefix(k, name+"[") {
			out = append(out, vs...)
		}
	}
	slices.Sort(out)
	return out
}

// limit reads the page size: 10 when absent, 1 to 100.
func (p params) limit() (int, *apiError) {
	raw := p.Get("limit")
	if raw == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		return 0, errInvalidInteger("limit", raw)
	case n < 1:
		return 0, errInvalidParam("limit", "This value must be greater than or equal to 1.")
	case n > maxLimit:
		return 0, errInvalidParam("limit", "This value must be less than or equal to %d (it currently is '%d').", maxLimit, n)
	}
	return n, nil
}

// compareOps are the comparisons of numbers in filters, by the operator of
// the search query language; a created filter uses them too.
var compareOps = map[string]func(a, b int64) bool{
	":":  func(a, b int64) bool { return a == b },
	">":  func(a, b int64) bool { return a > b },
	">=": func(a, b int64) bool { return a >= b },
	"<":  func(a, b int64) bool { return a < b },
	"<=": func(a, b int64) bool { return a <= b },
}

// createdOps are the forms of the created filter, with their operators.
var createdOps = map[string]string{
	"created": ":", "created[gt]": ">", "created[gte]": ">=", "created[lt]": "<", "created[lte]": "<=",
}

// created reads the created filter, given as created=T or as bounds
// created[gt]=T, [gte], [lt], [lte]; it reports whether a time passes it.
func (p params) created() (func(int64) bool, *apiError) {
	var tests []func(int64) bool
	// In order, so that of two bad parameters the same one is reported.
	for _, k := range slices.Sorted(maps.Keys(p.Values)) {
		if k != "created" && !strings.HasPrefix(k, "created[") {
			continue
		}
		op, known := createdOps[k]
		if !known {
			return nil, errUnknownParam(k)
		}
		v, err := strconv.ParseInt(p.Get(k), 10, 64)
		if err != nil {
			return nil, errInvalidInteger(k, p.Get(k))
		}
		ok := compareOps[op]
		tests = append(tests, func(t int64) bool { return ok(t, v) })
	}
	return func(t int64) bool {
		for _, test := range tests {
			if !test(t) {
				return false
			}
		}
		return true
	}, nil
}

// listPage answers a list call: the objects that keep passes, one page of
// them after the starting_after cursor or before the ending_before one, in
// a list object. object names the kind in errors ("customer"); a cursor is
// looked up in byID, among all objects of the kind, filtered or not.
func listPage[T keyed, J any](p params, path, object string, all []T, byID map[string]T,
	keep func(T) bool, render func(T) J) (any, *apiError) {
	limit, err := p.limit()
	if err != nil {
		return nil, err
	}
	created, err := p.created()
	if err != nil {
		return nil, err
	}
	after, before := p.Get("starting_after"), p.Get("ending_before")
	if after != "" && before != "" {
		return nil, errInvalidParam("", "You may only specify one of these parameters: ending_before, starting_after.")
	}
	cursor, param := after, "starting_after"
	if before != "" {
		cursor, param = before, "ending_before"
	}
	var at sortKey
	if cursor != "" {
		c, ok := byID[cursor]
		if !ok {
			return nil, errNoSuch(object, cursor, param)
		}
		at = c.position()
	}
	var matched []T
	for _, o := range all {
		switch {
		case after != "" && o.position().compare(at) <= 0,
			before != "" && o.position().compare(at) >= 0,
			!created(o.position().created), !keep(o):
			continue
		}
		matched = append(matched, o)
	}
	hasMore := len(matched) > limit
	if before != "" {
		// The page is the one just before the cursor, still newest first.
		matched = matched[max(len(matched)-limit, 0):]
	} else {
		matched = matched[:min(limit, len(matched))]
	}
	out := make([]J, len(matched))
	for i, o := range matched {
		out[i] = render(o)
	}
	return newList(path, out, hasMore), nil
}
