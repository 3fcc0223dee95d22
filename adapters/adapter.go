// Package adapters defines the contract every connected system implements and the
// registry that maps a configured source `type:` to the constructor of its adapter.
//
// An adapter translates one system's records into facets: typed, system-neutral
// values (fields, tables, links) that the composer turns into view models. Nothing
// system-specific leaves an adapter.
package adapters

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// Searcher finds customers in a system.
type Searcher interface {
	Search(ctx context.Context, q Query) ([]Match, error)
}

// Fetcher returns one facet of a customer, identified by the system's own id.
type Fetcher interface {
	// Facets lists the facets this adapter can fetch, in display order.
	Facets() []FacetSpec
	Fetch(ctx context.Context, req FetchRequest) (*Facet, error)
}

// Checker reports the health of a system and its API usage, if it has a budget.
type Checker interface {
	Check(ctx context.Context) Health
}

// Adapter is what a source must provide. Write-back (Act) and batch sync (Changes)
// are separate optional interfaces added by the issues that need them.
type Adapter interface {
	Searcher
	Fetcher
	Checker
}

// IDChecker is an optional capability of an adapter whose system's record ids
// have a form that can be checked without a call (a Salesforce id and its
// checksum). The composer asks it first: an id it refuses is a customer that
// does not exist, answered at once, and the canonical form it returns is the
// one every fetch, cache entry, link and URL uses. Without it, any id is
// passed on and the system's answer decides.
type IDChecker interface {
	// CanonicalID returns the canonical form of id, or an error matching
	// ErrNotFound when id cannot name a record of the system.
	CanonicalID(id string) (string, error)
}

// Query is a free-text customer search.
type Query struct {
	Text  string
	Limit int
}

// Match is one customer found by a search.
type Match struct {
	Source    string // configured source name, e.g. "salesforce"
	ID        string // the system's id of the customer record
	Name      string
	Industry  string
	City      string
	Owner     string
	URL       string // where to open the record in its own system, if any
	Keys      []Key  // identifying keys the record carries
	MatchedBy string // "name", "domain", "email", "id": why it was found
}

// Key kinds used for identity resolution.
const (
	KeyExternalID = "id"
	KeyEmail      = "email"
	KeyDomain     = "domain"
)

// Key is an identifying value a record carries.
type Key struct {
	Kind  string
	Value string
}

// FacetSpec describes a facet an adapter can fetch.
type FacetSpec struct {
	Name  string // stable key, e.g. "contacts"
	Title string // shown as the panel title, e.g. "Contacts"
	// Header marks the facet that supplies the customer page header fields.
	Header bool
}

// FetchRequest asks for one facet of one customer record.
type FetchRequest struct {
	ID    string // the system's id of the customer record
	Facet string // a FacetSpec.Name
}

// Facet is what a system knows about a customer, in a system-neutral shape.
type Facet struct {
	Source    string
	Name      string
	FetchedAt time.Time
	// Fields are named single values; the header facet uses the Field* names below.
	Fields map[string]Value
	// Tables hold record lists, e.g. the contacts of an account.
	Tables []Table
	// URL opens the customer record in its own system.
	URL string
	// Keys are the record's identifying keys (its id, domains, emails), set on
	// header facets: identity resolution links records of other systems by them.
	Keys []Key
	// Events are dated happenings for the customer's merged activity timeline
	// (an invoice paid, a case opened, an order shipped).
	Events []Event
	// Stale marks a facet served from cache past its freshness while a refresh
	// runs (or, while the system's API budget is nearly spent, instead of one).
	// FetchedAt stays the time of the original fetch, so the page can say how
	// old the data is.
	Stale bool
	// Version names this answer of the system: facets of one source, record
	// and facet with the same Version hold the same content (FetchedAt
	// included), so what is rendered from one can be reused for the other.
	// The guard sets it when it caches an answer (Versioned); "" means
	// unknown, and nothing rendered from the facet is kept.
	Version string
}

// Versioned sets f.Version to a digest of f's content (Stale and Version
// aside). It must be called before f is shared.
func Versioned(f *Facet) {
	c := *f
	c.Stale, c.Version = false, ""
	b, err := json.Marshal(c)
	if err != nil {
		f.Version = ""
		return
	}
	sum := sha256.Sum256(b)
	f.Version = base64.RawURLEncoding.EncodeToString(sum[:18])
}

// Event is one dated happening in a system, for the merged timeline.
type Event struct {
	At     time.Time
	Kind   string // what kind of record: "opportunity", "case", "invoice", "ticket", "order", "shipment"
	Title  string // e.g. "Invoice INV-0042 paid"
	Detail string // optional second line
	Status string // a status word, shown as a badge ("paid", "overdue", "escalated")
	Amount Value  // optional
	URL    string // opens the record in its own system
}

// Canonical field names of a header facet.
const (
	FieldName          = "name"
	FieldIndustry      = "industry"
	FieldType          = "type"
	FieldWebsite       = "website"
	FieldPhone         = "phone"
	FieldOwner         = "owner"
	FieldAnnualRevenue = "annual_revenue"
	FieldEmployees     = "employees"
	FieldCity          = "city"
	FieldCountry       = "country"
	FieldLastModified  = "last_modified"
)

// Table is a list of records with typed columns.
type Table struct {
	Name    string
	Columns []Column
	Rows    []Row
	// Total is the number of records the system holds, which may exceed len(Rows).
	Total int
	// Summary holds figures computed over all records, e.g. the open pipeline.
	Summary []Metric
}

// Column describes one column of a table.
type Column struct {
	Key   string
	Title string
	Kind  Kind
}

// Row is one record: one cell per column, in column order.
type Row struct {
	Cells []Value
	URL   string // opens the record in its own system
	// Emphasis marks rows that deserve attention (an open, high-priority case).
	Emphasis bool
}

// Metric is a named figure, e.g. "Open pipeline".
type Metric struct {
	Label string
	Value Value
	// Key names a figure the customer page shows among its key metrics,
	// across systems: one of the Metric* constants, or empty.
	Key string
}

// Keys of the key metrics a customer page shows across systems.
const (
	MetricOpenPipeline = "open_pipeline"
	MetricOverdue      = "overdue"
	MetricOpenTickets  = "open_tickets"
	MetricLastOrder    = "last_order"
	MetricOpenCases    = "open_cases"
)

// EventInvoice is the event kind whose amounts feed the invoiced-per-month
// chart.
const EventInvoice = "invoice"

// Kind is the type of a Value; components format each kind their own way.
type Kind int

const (
	KindText Kind = iota
	KindNumber
	KindMoney
	KindDate
	KindDateTime
	KindEmail
	KindURL
	KindPhone
	KindPercent
	KindBool
)

// Value is a typed value. The zero Value is empty.
type Value struct {
	Kind     Kind
	Text     string    // text, email, url, phone
	Number   float64   // number, money, percent
	Currency string    // money: ISO 4217 code
	Time     time.Time // date, date-time
	Bool     bool
	Valid    bool // false when the system holds no value
}

// Text returns a text value, empty when s is empty.
func Text(s string) Value { return Value{Kind: KindText, Text: s, Valid: s != ""} }

// IsCurrencyCode reports whether s has the form of an ISO 4217 code, the
// Currency of a money Value: three upper-case letters, e.g. USD.
func IsCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Health is the state of a system as last seen by its adapter.
type Health struct {
	OK      bool
	Message string
	// APIUsed and APILimit report usage against the system's API allocation,
	// when the system publishes one (Salesforce's Sforce-Limit-Info).
	APIUsed   int
	APILimit  int
	CheckedAt time.Time
}
