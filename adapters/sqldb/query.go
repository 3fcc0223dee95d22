package sqldb

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// role is what a query's rows become.
type role int

const (
	roleSearch role = iota + 1 // matches
	roleHeader                 // the header facet's fields
	roleTable                  // a table facet
)

// Parameters each role can bind.
var (
	searchParams = []string{"q", "q_like", "q_lower", "limit"}
	facetParams  = []string{"id", "limit"}
)

// searchFields are the names a search maps besides keyFields.
var searchFields = []string{"id", "name", "industry", "city", "owner"}

// keyFields are the names of the keys a search or header maps.
var keyFields = []string{"email", "domain", "external_id"}

// metricKeys are the key metrics a summary can feed.
var metricKeys = []string{adapters.MetricOpenPipeline, adapters.MetricOverdue, adapters.MetricOpenTickets,
	adapters.MetricLastOrder, adapters.MetricOpenCases}

// headerFields are the canonical header fields and the kind of their values.
var headerFields = map[string]adapters.Kind{
	adapters.FieldName: adapters.KindText, adapters.FieldIndustry: adapters.KindText,
	adapters.FieldType: adapters.KindText, adapters.FieldWebsite: adapters.KindURL,
	adapters.FieldPhone: adapters.KindPhone, adapters.FieldOwner: adapters.KindText,
	adapters.FieldAnnualRevenue: adapters.KindMoney, adapters.FieldEmployees: adapters.KindNumber,
	adapters.FieldCity: adapters.KindText, adapters.FieldCountry: adapters.KindText,
	adapters.FieldLastModified: adapters.KindDateTime,
}

// kinds are the column kinds a table can use, by configured name.
var kinds = map[string]adapters.Kind{
	"text": adapters.KindText, "number": adapters.KindNumber, "money": adapters.KindMoney,
	"date": adapters.KindDate, "datetime": adapters.KindDateTime, "email": adapters.KindEmail,
	"url": adapters.KindURL, "phone": adapters.KindPhone, "percent": adapters.KindPercent,
	"bool": adapters.KindBool,
}

const kindNames = "text, number, money, date, datetime, email, url, phone, percent or bool"

var facetName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// query is a compiled Query: its statement and the mapping of its rows.
type query struct {
	key, name, title string
	role             role
	stmt             *statement
	timeout          time.Duration
	maxRows          int
	fields           []field // search and header
	columns          []column
	total            string
	link             *template
	summary          []summary
	event            *event
	currency         string
	external         string
	// needed lists every column the mapping reads, for the check of each run.
	needed []needed
	// hinted holds the log hints already given, so that each is logged once.
	hinted sync.Map
}

type field struct {
	name, column string
	kind         adapters.Kind
	key          bool // a key (email, domain, external_id), not a field
}

type column struct {
	name, title              string
	kind                     adapters.Kind
	currency, currencyColumn string
}

type summary struct {
	label, agg, column string // agg: sum, count or max; column "*" counts rows
	where              []cond
	key                string // an adapters.Metric* key, or ""
}

type event struct {
	kind, at, status, amount string
	title, detail            *template
}

type cond struct{ column, value string }

// needed is a column the mapping reads and the setting that names it.
type needed struct{ column, key string }

// compileQuery checks a configured query and builds what runs it.
func compileQuery(cfg *Query, key string, r role, d dialect, add func(key, msg, hint string)) *query {
	q := &query{key: key, role: r, name: strings.TrimSpace(cfg.Name), title: strings.TrimSpace(cfg.Title),
		timeout: cfg.Timeout, maxRows: cfg.MaxRows, currency: strings.ToUpper(strings.TrimSpace(cfg.Currency)),
		external: strings.TrimSpace(cfg.ExternalSystem), total: strings.TrimSpace(cfg.TotalColumn)}
	need := func(col, at string) { q.needed = append(q.needed, needed{col, key + "." + at}) }
	notHere := func(at, why string) { add(key+"."+at, "is not used "+why, "remove it") }

	available := facetParams
	if r == roleSearch {
		available = searchParams
		q.name = cmp.Or(q.name, "search")
		if len(cfg.Columns) > 0 {
			notHere("columns", "by the search")
		}
		if len(cfg.Summary) > 0 {
			notHere("summary", "by the search")
		}
		if q.total != "" {
			notHere("total_column", "by the search")
		}
	} else {
		switch {
		case q.name == "":
			add(key+".name", "is required", "give the facet a short stable name, e.g. orders")
		case !facetName.MatchString(q.name):
			add(key+".name", fmt.Sprintf("%q is not a facet name", q.name), "use lower-case letters, digits, - and _")
		}
		if q.title == "" {
			add(key+".title", "is required", "give the panel a title, e.g. Recent orders")
		}
	}
	if r == roleTable && q.external != "" {
		notHere("external_system", "by a table facet")
	}
	if r == roleHeader {
		if len(cfg.Columns) > 0 {
			add(key+".columns", "is set on the header facet, which maps fields", "move the columns to a facet of their own")
		}
		if len(cfg.Summary) > 0 || q.total != "" {
			add(key, "the header facet has no table: summary and total_column do not apply", "remove them")
		}
	}
	if r == roleTable && len(cfg.Columns) == 0 {
		add(key, "maps neither fields nor columns", "give a table facet columns: [{column: …, title: …, kind: …}]")
	}

	if q.timeout == 0 {
		q.timeout = DefaultTimeout
	}
	if q.timeout < MinTimeout || q.timeout > MaxTimeout {
		add(key+".timeout", fmt.Sprintf("%s is out of range", q.timeout), fmt.Sprintf("use %s to %s", MinTimeout, MaxTimeout))
	}
	if q.maxRows == 0 {
		q.maxRows = DefaultMaxRows
	}
	if q.maxRows < 1 || q.maxRows > MaxMaxRows {
		add(key+".max_rows", fmt.Sprintf("%d is out of range", q.maxRows), fmt.Sprintf("use 1 to %d", MaxMaxRows))
	}
	if q.currency != "" && !adapters.IsCurrencyCode(q.currency) {
		add(key+".currency", fmt.Sprintf("%q is not an ISO 4217 code", cfg.Currency), "write it like USD or EUR")
	}

	stmt, issues := compile(cfg.SQL, d, cfg.Params, available)
	for _, is := range issues {
		add(key+"."+is.field, is.msg, is.hint)
	}
	q.stmt = stmt
	if stmt != nil {
		if r == roleSearch && !slices.ContainsFunc(cfg.Params, func(p string) bool { return strings.HasPrefix(p, "q") }) {
			add(key+".params", "uses none of q, q_like and q_lower", "a search must look for the searched text")
		}
		if r != roleSearch && !slices.Contains(cfg.Params, "id") {
			add(key+".params", "does not use id", "keep to the customer's rows, e.g. WHERE customer_no = :id")
		}
	}

	q.compileFields(cfg, add, need)
	for i, c := range cfg.Columns {
		q.compileColumn(i, c, add, need)
	}
	if q.total != "" {
		need(q.total, "total_column")
	}
	if cfg.URLTemplate != "" {
		t, msg := parseURLTemplate(cfg.URLTemplate)
		if msg != "" {
			add(key+".url_template", msg, "write an absolute http(s) URL with {column} placeholders after the host, e.g. https://erp.example.com/orders/{order_no}")
		} else {
			q.link = t
			for _, c := range t.columns() {
				need(c, "url_template")
			}
		}
	}
	for i, s := range cfg.Summary {
		q.compileSummary(i, s, add, need)
	}
	if cfg.Event != (Event{}) {
		if r != roleTable {
			notHere("event", "by the search or the header: only table rows are events")
		} else {
			q.compileEvent(cfg.Event, add, need)
		}
	}

	if stmt != nil && stmt.complete {
		for _, n := range q.needed {
			if !hasColumn(stmt.columns, n.column) {
				add(n.key, fmt.Sprintf("names the column %q, which sql does not select (it selects %s)", n.column, strings.Join(stmt.columns, ", ")),
					"add the column to the SELECT list, or correct the name")
			}
		}
	}
	return q
}

func (q *query) compileFields(cfg *Query, add func(key, msg, hint string), need func(col, at string)) {
	if q.role == roleTable {
		return
	}
	names := make([]string, 0, len(cfg.Fields))
	for n := range cfg.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		col := strings.TrimSpace(cfg.Fields[n])
		at := "fields." + n
		var kind adapters.Kind
		isKey := slices.Contains(keyFields, n)
		switch {
		case isKey:
		case q.role == roleSearch && !slices.Contains(searchFields, n):
			add(q.key+"."+at, fmt.Sprintf("%q is not a search field", n), "use "+strings.Join(append(searchFields, keyFields...), ", "))
			continue
		case q.role == roleHeader:
			k, ok := headerFields[n]
			if !ok {
				add(q.key+"."+at, fmt.Sprintf("%q is not a header field", n),
					"use the canonical fields "+strings.Join(sortedKeys(headerFields), ", ")+", or the keys "+strings.Join(keyFields, ", "))
				continue
			}
			kind = k
			if k == adapters.KindMoney && q.currency == "" {
				add(q.key+".currency", "is required by the money field "+n, "set the currency of the amounts, e.g. currency: EUR")
			}
		}
		if col == "" {
			add(q.key+"."+at, "names no column", "write the column of the query that holds it")
			continue
		}
		q.fields = append(q.fields, field{name: n, column: col, kind: kind, key: isKey})
		need(col, at)
	}
	if _, ok := cfg.Fields["external_id"]; ok && q.external == "" {
		add(q.key+".external_system", "is required by fields.external_id", "name the system whose id the column holds, e.g. external_system: salesforce")
	}
	if _, ok := cfg.Fields["external_id"]; !ok && q.external != "" {
		add(q.key+".external_system", "is set but fields maps no external_id", "map external_id to the column holding the other system's id, or remove it")
	}
	required := []string{"name"}
	if q.role == roleSearch {
		required = []string{"id", "name"}
	}
	for _, n := range required {
		if _, ok := cfg.Fields[n]; !ok {
			add(q.key+".fields", "does not map "+n, fmt.Sprintf("add %s: <column>", n))
		}
	}
}

func (q *query) compileColumn(i int, c Column, add func(key, msg, hint string), need func(col, at string)) {
	at := fmt.Sprintf("columns[%d]", i)
	name := strings.TrimSpace(c.Column)
	if name == "" {
		add(q.key+"."+at+".column", "is required", "name the column of the query")
		return
	}
	for _, prev := range q.columns {
		if strings.EqualFold(prev.name, name) {
			add(q.key+"."+at+".column", fmt.Sprintf("%q is listed twice", name), "list each column once")
			return
		}
	}
	kindName := cmp.Or(strings.ToLower(strings.TrimSpace(c.Kind)), "text")
	kind, ok := kinds[kindName]
	if !ok {
		add(q.key+"."+at+".kind", fmt.Sprintf("%q is not a kind", c.Kind), "use "+kindNames)
	}
	col := column{name: name, title: cmp.Or(strings.TrimSpace(c.Title), name), kind: kind,
		currency: strings.ToUpper(strings.TrimSpace(c.Currency)), currencyColumn: strings.TrimSpace(c.CurrencyColumn)}
	switch {
	case kind != adapters.KindMoney && (col.currency != "" || col.currencyColumn != ""):
		add(q.key+"."+at, "has a currency but is not of kind money", "set kind: money, or remove the currency")
	case kind != adapters.KindMoney:
	case col.currency != "" && col.currencyColumn != "":
		add(q.key+"."+at+".currency", "is set together with currency_column", "keep only one of them")
	case col.currency != "" && !adapters.IsCurrencyCode(col.currency):
		add(q.key+"."+at+".currency", fmt.Sprintf("%q is not an ISO 4217 code", c.Currency), "write it like USD or EUR")
	case col.currency == "" && col.currencyColumn == "" && q.currency == "":
		add(q.key+"."+at, "is money without a currency", "set currency: EUR, or currency_column: <column holding the code>")
	case col.currencyColumn != "":
		need(col.currencyColumn, at+".currency_column")
	}
	if col.currency == "" && col.currencyColumn == "" {
		col.currency = q.currency
	}
	q.columns = append(q.columns, col)
	need(name, at+".column")
}

func (q *query) compileSummary(i int, s Summary, add func(key, msg, hint string), need func(col, at string)) {
	at := fmt.Sprintf("%s.summary[%d]", q.key, i)
	sm := summary{label: strings.TrimSpace(s.Label)}
	if sm.label == "" {
		add(at+".label", "is required", "say what the figure is, e.g. Open orders")
	}
	set := 0
	for _, a := range []struct{ agg, col string }{{"sum", s.Sum}, {"count", s.Count}, {"max", s.Max}} {
		if c := strings.TrimSpace(a.col); c != "" {
			sm.agg, sm.column = a.agg, c
			set++
		}
	}
	if set != 1 {
		add(at, "needs exactly one of sum, count and max", "e.g. sum: total, count: \"*\" or max: ordered_at")
		return
	}
	if sm.column != "*" || sm.agg != "count" {
		c, ok := q.column(sm.column)
		switch {
		case !ok:
			add(at+"."+sm.agg, fmt.Sprintf("%q is not one of the table's columns", sm.column), "summaries compute over the mapped columns: add it to columns")
		case sm.agg == "sum" && c.kind != adapters.KindNumber && c.kind != adapters.KindMoney && c.kind != adapters.KindPercent:
			add(at+".sum", fmt.Sprintf("%q is not a number, money or percent column", sm.column), "sum a numeric column, or use count")
		}
	}
	if sm.key = strings.TrimSpace(s.Key); sm.key != "" && !slices.Contains(metricKeys, sm.key) {
		add(at+".key", fmt.Sprintf("%q is not a key metric", s.Key), "use one of "+strings.Join(metricKeys, ", "))
	}
	cols := make([]string, 0, len(s.Where))
	for c := range s.Where {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		sm.where = append(sm.where, cond{column: c, value: s.Where[c]})
		need(c, fmt.Sprintf("summary[%d].where.%s", i, c))
	}
	q.summary = append(q.summary, sm)
}

func (q *query) compileEvent(e Event, add func(key, msg, hint string), need func(col, at string)) {
	at := q.key + ".event"
	ev := &event{kind: strings.TrimSpace(e.Kind), at: strings.TrimSpace(e.At), status: strings.TrimSpace(e.Status), amount: strings.TrimSpace(e.Amount)}
	if ev.kind == "" {
		add(at+".kind", "is required", "say what the rows are, e.g. kind: order")
	}
	if ev.at == "" {
		add(at+".at", "is required", "name the column with the event's date or time")
	} else {
		need(ev.at, "event.at")
	}
	for _, tt := range []struct {
		name, text string
		dst        **template
	}{{"title", e.Title, &ev.title}, {"detail", e.Detail, &ev.detail}} {
		if tt.text == "" {
			continue
		}
		t, msg := parseTemplate(tt.text)
		if msg != "" {
			add(at+"."+tt.name, msg, "write text with {column} placeholders, e.g. Order {order_no}")
			continue
		}
		*tt.dst = t
		for _, c := range t.columns() {
			need(c, "event."+tt.name)
		}
	}
	if e.Title == "" {
		add(at+".title", "is required", "write what happened, with {column} placeholders, e.g. Order {order_no}")
	}
	if ev.status != "" {
		need(ev.status, "event.status")
	}
	if ev.amount != "" {
		if c, ok := q.column(ev.amount); !ok || (c.kind != adapters.KindMoney && c.kind != adapters.KindNumber) {
			add(at+".amount", fmt.Sprintf("%q is not a money or number column of the table", ev.amount), "name one of the table's money columns")
		}
	}
	q.event = ev
}

// column returns the mapped table column of that name.
func (q *query) column(name string) (column, bool) {
	for _, c := range q.columns {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return column{}, false
}

// hasColumn reports whether names holds name; unquoted names are folded by
// the databases, so the comparison ignores case.
func hasColumn(names []string, name string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) })
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
