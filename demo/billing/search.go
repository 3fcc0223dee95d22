package billing

import (
	"cmp"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// Bounds of Stripe's search query language.
const (
	maxClauses   = 10
	minSubstring = 3
)

// searchField is how a field of the customers search is compared.
type searchField int

const (
	stringField  searchField = iota // exact (:) or substring (~), case-insensitive
	numericField                    // :, >, >=, <, <=
	tokenField                      // exact (:) only
)

var customerSearchFields = map[string]searchField{
	"created": numericField, "email": stringField, "name": stringField, "phone": stringField, "metadata": tokenField,
}

// clause is one condition of a query: [-]field op value.
type clause struct {
	negate     bool
	field, key string // key is the metadata key
	op         string
	value      string
	null       bool // the value is null: the field is empty
	number     int64
}

// query is a parsed query: clauses joined by AND, or by OR.
type query struct {
	clauses []clause
	or      bool
}

// searchCustomers answers GET /v1/customers/search: the customers the query
// matches, in list order, a page at a time.
func (s *Server) searchCustomers(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, "query", "limit", "page")
	if err != nil {
		return nil, err
	}
	if p.Get("query") == "" {
		return nil, errMissingParam("query")
	}
	q, err := parseQuery(p.Get("query"), customerSearchFields, "customers")
	if err != nil {
		return nil, err
	}
	limit, err := p.limit()
	if err != nil {
		return nil, err
	}
	offset := 0
	if page := p.Get("page"); page != "" {
		if offset = pageOffset(page); offset < 0 {
			return nil, errInvalidParam("page",
				"Invalid page: %s. Pass the next_page of the previous search result, unchanged, with the same query.", page)
		}
	}
	var matched []*customerRecord
	for _, c := range s.store.customers {
		if q.matches(c) {
			matched = append(matched, c)
		}
	}
	matched = matched[min(offset, len(matched)):]
	hasMore := len(matched) > limit
	matched = matched[:min(limit, len(matched))]
	// Only the page is rendered; make keeps an empty page [] rather than null.
	data, now := make([]customerJSON, len(matched)), s.now()
	for i, c := range matched {
		data[i] = c.render(now)
	}
	res := searchJSON[customerJSON]{Object: "search_result", Data: data, HasMore: hasMore, URL: "/v1/customers/search"}
	if hasMore {
		next := pageToken(offset + limit)
		res.NextPage = &next
	}
	return res, nil
}

// pageToken is the opaque page parameter of the results from offset on.
func pageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

// pageOffset reads a page token; -1 if it is not one.
func pageOffset(token string) int {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return -1
	}
	rest, ok := strings.CutPrefix(string(b), "offset:")
	n, err := strconv.Atoi(rest)
	if !ok || err != nil || n < 0 {
		return -1
	}
	return n
}

func (q query) matches(c *customerRecord) bool {
	for _, cl := range q.clauses {
		if cl.matches(c) == q.or {
			return q.or
		}
	}
	return !q.or
}

func (cl clause) matches(c *customerRecord) bool {
	var ok bool
	switch cl.field {
	case "created":
		ok = compareOps[cl.op](c.created, cl.number)
	case "metadata":
		v, present := c.metadata[cl.key]
		ok = cl.null && !present || !cl.null && present && v == cl.value
	default:
		have := c.phone
		switch cl.field {
		case "email":
			have = c.email
		case "name":
			have = c.name
		}
		switch {
		case cl.null:
			ok = have == ""
		case cl.op == "~":
			ok = strings.Contains(strings.ToLower(have), strings.ToLower(cl.value))
		default:
			ok = strings.EqualFold(have, cl.value)
		}
	}
	return ok != cl.negate
}

// parseQuery parses a query of Stripe's search query language against the
// fields of a resource: clauses separated by spaces or by AND (the same), or
// by OR, case-insensitive, never both; string values in single or double
// quotes, where a backslash escapes the next character.
func parseQuery(s string, fields map[string]searchField, resource string) (query, *apiError) {
	p := &queryParser{s: s}
	var q query
	joiner := "" // AND or OR, once two clauses have been joined
	for {
		p.spaces()
		if p.done() {
			break
		}
		if len(q.clauses) > 0 {
			word := p.keyword()
			if word != "" {
				if p.spaces(); p.done() {
					return q, errSearchQuery()
				}
			}
			word = cmp.Or(word, "AND")
			if joiner != "" && joiner != word {
				return q, errSearchQuery()
			}
			joiner = word
		}
		cl, err := p.clause(fields, resource)
		if err != nil {
			return q, err
		}
		if q.clauses = append(q.clauses, cl); len(q.clauses) > maxClauses {
			return q, errSearchQuery()
		}
		if !p.done() && p.s[p.i] != ' ' {
			return q, errSearchQuery()
		}
	}
	if len(q.clauses) == 0 {
		return q, errSearchQuery()
	}
	q.or = joiner == "OR"
	return q, nil
}

type queryParser struct {
	s string
	i int
}

func (p *queryParser) done() bool { return p.i >= len(p.s) }

func (p *queryParser) spaces() {
	for !p.done() && p.s[p.i] == ' ' {
		p.i++
	}
}

// keyword reads AND or OR followed by a space, in any case, and returns it in
// upper case; "" when there is none.
func (p *queryParser) keyword() string {
	for _, w := range []string{"AND", "OR"} {
		end := p.i + len(w)
		if end <= len(p.s) && strings.EqualFold(p.s[p.i:end], w) && (end == len(p.s) || p.s[end] == ' ') {
			p.i = end
			return w
		}
	}
	return ""
}

func (p *queryParser) clause(fields map[string]searchField, resource string) (clause, *apiError) {
	var cl clause
	if !p.done() && p.s[p.i] == '-' {
		cl.negate = true
		p.i++
	}
	start := p.i
	for !p.done() && (p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] == '_' || p.s[p.i] == '.') {
		p.i++
	}
	cl.field = p.s[start:p.i]
	if cl.field == "" {
		return cl, errSearchQuery()
	}
	kind, known := fields[cl.field]
	if !known {
		return cl, errSearchField(cl.field, resource)
	}
	if kind == tokenField {
		if p.done() || p.s[p.i] != '[' {
			return cl, errSearchQuery()
		}
		p.i++
		key, ok := p.quoted()
		if !ok || p.done() || p.s[p.i] != ']' {
			return cl, errSearchQuery()
		}
		p.i++
		cl.key = key
	}
	for _, op := range []string{">=", "<=", ":", "~", ">", "<"} {
		if strings.HasPrefix(p.s[p.i:], op) {
			cl.op = op
			p.i += len(op)
			break
		}
	}
	switch {
	case cl.op == "",
		cl.op == "~" && kind != stringField,
		cl.op != ":" && cl.op != "~" && kind != numericField:
		return cl, errSearchQuery()
	}
	if !p.done() && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		v, ok := p.quoted()
		if !ok {
			return cl, errSearchQuery()
		}
		cl.value = v
	} else {
		start := p.i
		for !p.done() && p.s[p.i] != ' ' {
			p.i++
		}
		cl.value = p.s[start:p.i]
		// Bare values are numbers and null; strings are quoted.
		cl.null = strings.EqualFold(cl.value, "null")
		if !cl.null && kind != numericField {
			return cl, errSearchQuery()
		}
	}
	switch {
	case kind == numericField && !cl.null:
		n, err := strconv.ParseInt(cl.value, 10, 64)
		if err != nil {
			return cl, errSearchQuery()
		}
		cl.number = n
	case cl.op == "~" && (cl.null || len([]rune(cl.value)) < minSubstring):
		return cl, errSearchQuery()
	}
	return cl, nil
}

// quoted reads a string in single or double quotes, where a backslash
// escapes the next character.
func (p *queryParser) quoted() (string, bool) {
	if p.done() || p.s[p.i] != '\'' && p.s[p.i] != '"' {
		return "", false
	}
	quote := p.s[p.i]
	p.i++
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch c {
		case '\\':
			if p.done() {
				return "", false
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case quote:
			return b.String(), true
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}
