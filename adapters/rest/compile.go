package rest

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// endpoint is a compiled request: where to ask, which records to read, how to
// page.
type endpoint struct {
	key      string // settings key path, for logs
	path     *urlTemplate
	items    *program
	page     pager
	maxPages int
	maxItems int
}

type keyPlan struct{ email, domain, externalID *program }

type searchPlan struct {
	endpoint
	id, name, industry, city, owner, url *program
	keys                                 keyPlan
}

type fieldPlan struct {
	name string
	kind adapters.Kind
	prog *program
}

type columnPlan struct {
	col      adapters.Column
	currency string
	prog     *program
}

type metricPlan struct {
	key      string
	label    string
	kind     adapters.Kind
	currency string
	prog     *program
}

type eventPlan struct {
	kind                            string
	at, title, detail, status, link *program
}

type facetPlan struct {
	endpoint
	spec adapters.FacetSpec
	// header
	fields []fieldPlan
	keys   keyPlan
	url    *program
	// table
	columns                []columnPlan
	emphasis, order, total *program
	summary                []metricPlan
	events                 *eventPlan
}

// headerKinds are the kinds of the canonical header fields.
var headerKinds = map[string]adapters.Kind{
	adapters.FieldName:          adapters.KindText,
	adapters.FieldIndustry:      adapters.KindText,
	adapters.FieldType:          adapters.KindText,
	adapters.FieldWebsite:       adapters.KindURL,
	adapters.FieldPhone:         adapters.KindPhone,
	adapters.FieldOwner:         adapters.KindText,
	adapters.FieldAnnualRevenue: adapters.KindMoney,
	adapters.FieldEmployees:     adapters.KindNumber,
	adapters.FieldCity:          adapters.KindText,
	adapters.FieldCountry:       adapters.KindText,
	adapters.FieldLastModified:  adapters.KindDateTime,
}

var kindNames = map[string]adapters.Kind{
	"text": adapters.KindText, "number": adapters.KindNumber, "money": adapters.KindMoney,
	"date": adapters.KindDate, "datetime": adapters.KindDateTime, "email": adapters.KindEmail,
	"url": adapters.KindURL, "phone": adapters.KindPhone, "percent": adapters.KindPercent,
	"bool": adapters.KindBool,
}

var facetName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// compiler turns the mapping settings into plans, recording every problem.
type compiler struct {
	p    *problems
	base *url.URL // nil when base_url is invalid: templates are then not checked
}

// jq compiles an expression; required says whether it may be empty.
func (c *compiler) jq(key, src string, required bool) *program {
	src = strings.TrimSpace(src)
	if src == "" {
		if required {
			c.p.add(key, "is required", "write a jq expression, e.g. .name")
		}
		return nil
	}
	prog, err := compileProgram(key, src)
	if err != nil {
		c.p.add(key, "is not a valid jq expression: "+err.Error(), "check it with jq; quote it in YAML when it starts with . [ { or holds : #")
		return nil
	}
	return prog
}

func (c *compiler) kind(key, name string, def adapters.Kind) adapters.Kind {
	name = strings.TrimSpace(name)
	if name == "" {
		return def
	}
	k, ok := kindNames[name]
	if !ok {
		names := make([]string, 0, len(kindNames))
		for n := range kindNames {
			names = append(names, n)
		}
		slices.Sort(names)
		c.p.add(key, fmt.Sprintf("%q is not a value kind", name), "use one of: "+strings.Join(names, ", "))
	}
	return k
}

// currency reads the currency of money values; "" leaves it to the source's.
func (c *compiler) currency(key, code string) string {
	code = strings.TrimSpace(code)
	if code != "" && !adapters.IsCurrencyCode(code) {
		c.p.add(key, fmt.Sprintf("%q is not an ISO 4217 code", code), "write it like USD or EUR, or leave it out for the source's currency")
	}
	return code
}

func (c *compiler) endpoint(key, path, items string, pg Pagination, maxPages, maxItems int, placeholder string) endpoint {
	ep := endpoint{key: key, maxPages: maxPages, maxItems: maxItems}
	if ep.maxPages == 0 {
		ep.maxPages = DefaultMaxPages
	}
	if ep.maxPages < 1 || ep.maxPages > maxMaxPages {
		c.p.add(key+".max_pages", fmt.Sprintf("%d is out of range", maxPages), fmt.Sprintf("use 1 to %d", maxMaxPages))
	}
	if ep.maxItems < 0 || ep.maxItems > maxMaxItems {
		c.p.add(key+".max_items", fmt.Sprintf("%d is out of range", maxItems), fmt.Sprintf("use 0 (no bound) to %d", maxMaxItems))
	}
	path = strings.TrimSpace(path)
	switch {
	case path == "":
		c.p.add(key+".path", "is required", fmt.Sprintf("write the path with the placeholder {%s}, e.g. /api/records?query={%s}", placeholder, placeholder))
	case c.base != nil:
		t, msg := parseTemplate(c.base, path, placeholder)
		if msg != "" {
			c.p.add(key+".path", msg, fmt.Sprintf("write a path on the base URL's host with {%s} where the value goes", placeholder))
		}
		ep.path = t
	}
	if strings.TrimSpace(items) == "" {
		items = "."
	}
	ep.items = c.jq(key+".items", items, true)
	ep.page = c.pagination(key+".pagination", pg)
	return ep
}

func (c *compiler) keys(key string, k Keys) keyPlan {
	return keyPlan{
		email:      c.jq(key+".email", k.Email, false),
		domain:     c.jq(key+".domain", k.Domain, false),
		externalID: c.jq(key+".external_id", k.ExternalID, false),
	}
}

func (c *compiler) search(s *Search) *searchPlan {
	const key = "search"
	return &searchPlan{
		endpoint: c.endpoint(key, s.Path, s.Items, s.Pagination, s.MaxPages, s.MaxItems, "q"),
		id:       c.jq(key+".id", s.ID, true),
		name:     c.jq(key+".name", s.Name, true),
		industry: c.jq(key+".industry", s.Industry, false),
		city:     c.jq(key+".city", s.City, false),
		owner:    c.jq(key+".owner", s.Owner, false),
		url:      c.jq(key+".url", s.URL, false),
		keys:     c.keys(key+".keys", s.Keys),
	}
}

func (c *compiler) facets(fs []Facet) []*facetPlan {
	if len(fs) == 0 {
		c.p.add("facets", "is required", "list the panels: one with header: true, and tables")
		return nil
	}
	var (
		out     []*facetPlan
		headers int
		names   = map[string]bool{}
		titles  = map[string]bool{}
	)
	for i := range fs {
		f := &fs[i]
		key := fmt.Sprintf("facets[%d]", i)
		f.Name = strings.TrimSpace(f.Name)
		f.Title = strings.TrimSpace(f.Title)
		if f.Title == "" && f.Name != "" {
			f.Title = strings.ToUpper(f.Name[:1]) + strings.ReplaceAll(f.Name[1:], "_", " ")
		}
		switch {
		case !facetName.MatchString(f.Name):
			c.p.add(key+".name", fmt.Sprintf("%q is not a facet name", f.Name), "use lower-case letters, digits, - and _, starting with a letter")
		case names[f.Name]:
			c.p.add(key+".name", fmt.Sprintf("%q names another facet too", f.Name), "give each facet its own name")
		case titles[f.Title]:
			c.p.add(key+".title", fmt.Sprintf("%q is the title of another facet too", f.Title), "give each facet its own title")
		}
		names[f.Name], titles[f.Title] = true, true
		if f.Header {
			headers++
		}
		out = append(out, c.facet(key, f))
	}
	if headers != 1 {
		c.p.add("facets", fmt.Sprintf("has %d header facets", headers), "mark exactly one facet header: true; it names the customer on the page")
	}
	return out
}

func (c *compiler) facet(key string, f *Facet) *facetPlan {
	fp := &facetPlan{
		endpoint: c.endpoint(key, f.Path, f.Items, f.Pagination, f.MaxPages, f.MaxItems, "id"),
		spec:     adapters.FacetSpec{Name: f.Name, Title: f.Title, Header: f.Header},
		url:      c.jq(key+".url", f.URL, false),
	}
	if f.Header {
		c.header(key, f, fp)
		return fp
	}
	if len(f.Fields) > 0 || f.Keys != (Keys{}) {
		c.p.add(key+".fields", "fields and keys belong to the header facet", "move them to the facet with header: true, or give this facet columns")
	}
	if len(f.Columns) == 0 {
		c.p.add(key+".columns", "is required for a table facet", "list columns: [{title: Subject, value: .subject}]")
	}
	seen := map[string]bool{}
	for i, col := range f.Columns {
		ck := fmt.Sprintf("%s.columns[%d]", key, i)
		title := strings.TrimSpace(col.Title)
		colKey := strings.TrimSpace(col.Key)
		if colKey == "" {
			colKey = strings.ToLower(title)
		}
		switch {
		case title == "":
			c.p.add(ck+".title", "is required", "name the column as the page shows it")
		case seen[colKey]:
			c.p.add(ck+".key", fmt.Sprintf("%q names another column too", colKey), "give the column its own key or title")
		}
		seen[colKey] = true
		kind := c.kind(ck+".kind", col.Kind, adapters.KindText)
		fp.columns = append(fp.columns, columnPlan{
			col:      adapters.Column{Key: colKey, Title: title, Kind: kind},
			currency: c.currency(ck+".currency", col.Currency),
			prog:     c.jq(ck+".value", col.Value, true),
		})
	}
	fp.emphasis = c.jq(key+".emphasis", f.Emphasis, false)
	fp.order = c.jq(key+".order", f.Order, false)
	fp.total = c.jq(key+".total", f.Total, false)
	for i, m := range f.Summary {
		mk := fmt.Sprintf("%s.summary[%d]", key, i)
		if strings.TrimSpace(m.Label) == "" {
			c.p.add(mk+".label", "is required", "name the figure, e.g. Open tickets")
		}
		switch m.Key {
		case "", adapters.MetricOpenPipeline, adapters.MetricOverdue, adapters.MetricOpenTickets, adapters.MetricOpenCases, adapters.MetricLastOrder:
		default:
			c.p.add(mk+".key", fmt.Sprintf("unknown key metric %q", m.Key), "use open_pipeline, overdue, open_tickets, open_cases or last_order, or leave it out")
		}
		fp.summary = append(fp.summary, metricPlan{
			key:      m.Key,
			label:    strings.TrimSpace(m.Label),
			kind:     c.kind(mk+".kind", m.Kind, adapters.KindNumber),
			currency: c.currency(mk+".currency", m.Currency),
			prog:     c.jq(mk+".value", m.Value, true),
		})
	}
	if e := f.Events; e != nil {
		ek := key + ".events"
		fp.events = &eventPlan{
			kind:   strings.TrimSpace(e.Kind),
			at:     c.jq(ek+".at", e.At, true),
			title:  c.jq(ek+".title", e.Title, true),
			detail: c.jq(ek+".detail", e.Detail, false),
			status: c.jq(ek+".status", e.Status, false),
			link:   c.jq(ek+".url", e.URL, false),
		}
		if fp.events.kind == "" {
			c.p.add(ek+".kind", "is required", "say what each record is, e.g. ticket or order")
		}
	}
	return fp
}

func (c *compiler) header(key string, f *Facet, fp *facetPlan) {
	if len(f.Columns) > 0 || len(f.Summary) > 0 || f.Events != nil || f.Emphasis != "" || f.Order != "" || f.Total != "" {
		c.p.add(key, "a header facet has fields and keys, not columns, summary, events, emphasis, order or total",
			"move the table to a facet of its own")
	}
	if strings.TrimSpace(f.Fields[adapters.FieldName]) == "" {
		c.p.add(key+".fields.name", "is required", "map the customer's name, e.g. name: .name")
	}
	names := make([]string, 0, len(f.Fields))
	for n := range f.Fields {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		kind, ok := headerKinds[n]
		if !ok {
			known := make([]string, 0, len(headerKinds))
			for k := range headerKinds {
				known = append(known, k)
			}
			slices.Sort(known)
			c.p.add(key+".fields."+n, fmt.Sprintf("%q is not a header field", n), "use one of: "+strings.Join(known, ", "))
			continue
		}
		fp.fields = append(fp.fields, fieldPlan{name: n, kind: kind, prog: c.jq(key+".fields."+n, f.Fields[n], false)})
	}
	fp.keys = c.keys(key+".keys", f.Keys)
}
