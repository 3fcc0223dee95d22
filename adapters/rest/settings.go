package rest

import (
	"cmp"
	"fmt"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/atrium-dev/atrium/adapters"
)

// Defaults and bounds of Settings.
const (
	DefaultMaxBody  = 5 << 20
	minMaxBody      = 1 << 10
	maxMaxBody      = 256 << 20
	DefaultMaxPages = 10
	maxMaxPages     = 100
	maxMaxItems     = 10000
	DefaultCurrency = "USD"
)

// Settings is the `settings:` block of a REST source.
type Settings struct {
	// BaseURL is the system's API root. Its scheme and host are fixed: no
	// request, redirect or next link leaves them.
	BaseURL string `yaml:"base_url"`
	Auth    Auth   `yaml:"auth"`
	// Headers are sent with every request, e.g. an API version.
	Headers map[string]string `yaml:"headers"`
	// MaxBody bounds an answer; defaults to 5 MiB.
	MaxBody ByteSize `yaml:"max_body"`
	// Currency is the ISO 4217 code of money values; defaults to USD.
	Currency string `yaml:"currency"`
	// Health is a path answered with a 2xx while the system is up; without
	// it, Check reports OK without calling the system.
	Health string  `yaml:"health"`
	Search *Search `yaml:"search"`
	// Facets are the panels, in display order; exactly one is the header.
	Facets []Facet `yaml:"facets"`

	// Resolved by Validate.
	base   *url.URL
	health *urlTemplate
	search *searchPlan
	facets []*facetPlan
	valid  bool
}

// Search is the endpoint that finds customers by the text {q}.
type Search struct {
	Path       string     `yaml:"path"`
	Items      string     `yaml:"items"`
	Pagination Pagination `yaml:"pagination"`
	MaxPages   int        `yaml:"max_pages"`
	MaxItems   int        `yaml:"max_items"`

	// jq over each record.
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	Industry string `yaml:"industry"`
	City     string `yaml:"city"`
	Owner    string `yaml:"owner"`
	URL      string `yaml:"url"`
	Keys     Keys   `yaml:"keys"`
}

// Facet is the endpoint of one panel of the customer {id}: the header (fields
// and keys of one record) or a table (columns over a list of records).
type Facet struct {
	Name       string     `yaml:"name"`
	Title      string     `yaml:"title"`
	Header     bool       `yaml:"header"`
	Path       string     `yaml:"path"`
	Items      string     `yaml:"items"`
	Pagination Pagination `yaml:"pagination"`
	MaxPages   int        `yaml:"max_pages"`
	MaxItems   int        `yaml:"max_items"`

	// Header: jq per canonical field name (adapters.Field*), and the keys.
	Fields map[string]string `yaml:"fields"`
	Keys   Keys              `yaml:"keys"`
	// URL opens the record (header) or each row (table) in the system.
	URL string `yaml:"url"`

	// Table: jq over each record, except Order, Total and Summary values.
	Columns  []Column `yaml:"columns"`
	Emphasis string   `yaml:"emphasis"`
	// Order is jq over the list of all records, yielding it in display order.
	Order string `yaml:"order"`
	// Total is jq over the first page's answer, yielding the number of
	// records the system holds; by default, the number read.
	Total   string   `yaml:"total"`
	Summary []Metric `yaml:"summary"`
	Events  *Events  `yaml:"events"`
}

// Keys are jq over a record yielding its identifying keys (one value, several
// values or an array).
type Keys struct {
	Email      string `yaml:"email"`
	Domain     string `yaml:"domain"`
	ExternalID string `yaml:"external_id"`
}

// Column is one column of a table facet.
type Column struct {
	Key      string `yaml:"key"` // defaults to the title, lower-cased
	Title    string `yaml:"title"`
	Value    string `yaml:"value"`
	Kind     string `yaml:"kind"`
	Currency string `yaml:"currency"`
}

// Metric is a figure over all records of a table facet.
type Metric struct {
	Label    string `yaml:"label"`
	Value    string `yaml:"value"` // jq over the list of records
	Kind     string `yaml:"kind"`
	Currency string `yaml:"currency"`
	// Key shows the figure among the customer's key metrics across systems:
	// open_pipeline, overdue, open_tickets, open_cases or last_order.
	Key string `yaml:"key"`
}

// Events turns each record of a table facet into a timeline event.
type Events struct {
	At     string `yaml:"at"`
	Kind   string `yaml:"kind"` // a word, not jq: "ticket", "order"
	Title  string `yaml:"title"`
	Detail string `yaml:"detail"`
	Status string `yaml:"status"`
	URL    string `yaml:"url"`
}

// ByteSize is a size written as bytes (5242880) or with a unit (5MiB, 512KiB).
type ByteSize int64

// UnmarshalYAML reads a size.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if n.Kind != yaml.ScalarNode || err != nil || v < 0 || v > (1<<40)/mult {
		return fmt.Errorf("line %d: %q is not a size: write it like 5MiB, 512KiB or 5242880", n.Line, n.Value)
	}
	*b = ByteSize(v * mult)
	return nil
}

// String writes the size the way it is configured.
func (b ByteSize) String() string {
	switch {
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", b>>20)
	case b >= 1<<10 && b%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", b>>10)
	}
	return fmt.Sprintf("%d bytes", int64(b))
}

// problems collects what Validate finds.
type problems []adapters.Problem

func (p *problems) add(key, msg, hint string) {
	*p = append(*p, adapters.Problem{Key: key, Message: msg, Hint: hint})
}

// Validate applies defaults, reads secret files, compiles every jq expression
// and URL template, and reports every problem at once. No message quotes a
// secret.
func (s *Settings) Validate() []adapters.Problem {
	var p problems
	s.valid = false
	s.BaseURL = strings.TrimRight(strings.TrimSpace(s.BaseURL), "/")
	s.Currency = cmp.Or(strings.TrimSpace(s.Currency), DefaultCurrency)
	if s.MaxBody == 0 {
		s.MaxBody = DefaultMaxBody
	}

	s.base = nil
	if s.BaseURL == "" {
		p.add("base_url", "is required", "set it to the system's API root, e.g. https://desk.example.com")
	} else if u, msg := checkBaseURL(s.BaseURL); msg != "" {
		p.add("base_url", msg, "use an absolute https URL (http on loopback only), without user, query or fragment")
	} else {
		s.base = u
	}
	s.Auth.validate(&p)
	s.validateHeaders(&p)
	if s.MaxBody < minMaxBody || s.MaxBody > maxMaxBody {
		p.add("max_body", fmt.Sprintf("%s is out of range", s.MaxBody), "use 1KiB to 256MiB")
	}
	if !adapters.IsCurrencyCode(s.Currency) {
		p.add("currency", fmt.Sprintf("%q is not an ISO 4217 code", s.Currency), "write it like USD or EUR")
	}
	s.health = nil
	if h := strings.TrimSpace(s.Health); h != "" && s.base != nil {
		t, msg := parseTemplate(s.base, h, "")
		if msg != "" {
			p.add("health", msg, "use a path on the base URL's host, e.g. /api/v2/users/me")
		}
		s.health = t
	}

	c := &compiler{p: &p, base: s.base}
	s.search = nil
	if s.Search != nil {
		s.search = c.search(s.Search)
	}
	s.facets = c.facets(s.Facets)
	s.valid = len(p) == 0
	return p
}

// Valid reports whether the last Validate found no problem.
func (s *Settings) Valid() bool { return s.valid }

func (s *Settings) validateHeaders(p *problems) {
	for name, v := range s.Headers {
		key := "headers." + name
		canon := textproto.CanonicalMIMEHeaderKey(name)
		switch {
		case !isToken(name):
			p.add(key, fmt.Sprintf("%q is not a header name", name), "use letters, digits and -")
		case strings.ContainsAny(v, "\r\n\x00"):
			p.add(key, "holds a line break", "write the value on one line")
		case canon == "Host" || canon == "Content-Length" || canon == "Accept":
			p.add(key, "is set by Atrium", "remove it")
		case canon == "Authorization" && s.Auth.Type != "":
			p.add(key, "is set by auth", "remove it, or remove auth")
		}
	}
}

// checkBaseURL parses a base URL, or says what is wrong with it.
func checkBaseURL(raw string) (*url.URL, string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Sprintf("%q is not a URL", raw)
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, fmt.Sprintf("%q is not an absolute http(s) URL", raw)
	case u.User != nil:
		return nil, "holds user information; put credentials under auth"
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(raw, "?#{}"):
		return nil, fmt.Sprintf("%q has a query, fragment or placeholder", raw)
	case u.Scheme == "http" && !adapters.IsLoopback(u.Hostname()):
		return nil, fmt.Sprintf("%q uses plain http", raw)
	}
	return u, ""
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r)) {
			return false
		}
	}
	return true
}
