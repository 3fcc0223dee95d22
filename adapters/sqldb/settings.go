package sqldb

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atrium-dev/atrium/adapters"
)

// Drivers a source can use.
const (
	DriverPostgres = "pgx"    // PostgreSQL through github.com/jackc/pgx/v5/stdlib
	DriverSQLite   = "sqlite" // SQLite through modernc.org/sqlite
)

// Defaults and bounds of Settings.
const (
	DefaultMaxOpenConns = 4
	MaxMaxOpenConns     = 100
	DefaultTimeout      = 3 * time.Second
	MinTimeout          = 10 * time.Millisecond
	MaxTimeout          = 2 * time.Minute
	DefaultMaxRows      = 200
	MaxMaxRows          = 10000
)

// Settings is the `settings:` block of a SQL source.
type Settings struct {
	Driver string `yaml:"driver"` // "pgx" or "sqlite"
	// The connection string, from exactly one of: the value itself, a file
	// holding it, or an environment variable holding it. It is a secret: no
	// message shows it, and passwords are redacted from the driver's errors.
	DSN     string `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
	DSNEnv  string `yaml:"dsn_env"`
	// MaxOpenConns caps the connections to the database; defaults to 4.
	MaxOpenConns int `yaml:"max_open_conns"`
	// Search finds customers; its rows are matches.
	Search Query `yaml:"search"`
	// Facets are the panels of a customer, in display order. The one that maps
	// fields is the header; the others map columns to a table.
	Facets []Query `yaml:"facets"`

	// Resolved by Validate.
	dsn     string
	dialect dialect
	pgx     *pgx.ConnConfig
	search  *query
	facets  []*query
	valid   bool
}

// Query is one configured SQL query and how its rows map onto Atrium's values.
type Query struct {
	Name  string `yaml:"name"`  // a facet's stable key, e.g. "orders"
	Title string `yaml:"title"` // a facet's panel title, e.g. "Recent orders"
	// SQL is one SELECT (or WITH … SELECT) that refers to values as :name.
	SQL string `yaml:"sql"`
	// Params lists, in order, the :name parameters SQL uses. A search can use
	// q (the text), q_like (the text with % _ \ escaped for LIKE … ESCAPE '\'),
	// q_lower and limit; a facet can use id (the customer key) and limit. limit
	// is the number of rows the adapter reads at most.
	Params  []string      `yaml:"params"`
	Timeout time.Duration `yaml:"timeout"`  // defaults to 3s
	MaxRows int           `yaml:"max_rows"` // defaults to 200
	// Fields maps names onto the query's columns: for the search id, name,
	// industry, city, owner; for the header facet the canonical field names
	// (adapters.Field*); for both the keys email, domain and external_id, which
	// link the customer's records across systems.
	Fields map[string]string `yaml:"fields"`
	// Columns are the columns of a table facet, in display order.
	Columns []Column `yaml:"columns"`
	// TotalColumn names a column that holds the number of records the table
	// has, e.g. count(*) OVER () AS total, when it may exceed max_rows.
	TotalColumn string `yaml:"total_column"`
	// URLTemplate links each row (a match, the header, a table row) to its
	// record, e.g. https://erp.example.com/orders/{order_no}. Values are
	// escaped; the scheme and host are fixed.
	URLTemplate string `yaml:"url_template"`
	// Summary holds figures computed over the fetched rows of a table.
	Summary []Summary `yaml:"summary"`
	// Event makes each fetched row of a table an event of the customer's
	// timeline.
	Event Event `yaml:"event"`
	// Currency is the ISO 4217 code of money values that name none of their
	// own, e.g. the header's annual_revenue.
	Currency string `yaml:"currency"`
	// ExternalSystem names the system whose id the external_id column holds:
	// the key is "<external_system>:<value>", e.g. salesforce:001….
	ExternalSystem string `yaml:"external_system"`
}

// Column is one column of a table facet.
type Column struct {
	Column string `yaml:"column"` // the column of the query
	Title  string `yaml:"title"`  // defaults to the column's name
	// Kind is text (default), number, money, date, datetime, email, url, phone,
	// percent or bool.
	Kind string `yaml:"kind"`
	// A money column's currency: a fixed ISO 4217 code, or a column holding it
	// per row; the query's currency otherwise.
	Currency       string `yaml:"currency"`
	CurrencyColumn string `yaml:"currency_column"`
}

// Summary is a figure computed over the fetched rows of a table, without SQL:
// exactly one of Sum, Count and Max, over the rows that match Where.
type Summary struct {
	Label string `yaml:"label"`
	Sum   string `yaml:"sum"`   // a number, money or percent column
	Count string `yaml:"count"` // a column (rows where it is not NULL), or "*"
	Max   string `yaml:"max"`   // a column
	// Where keeps the rows whose column holds the value, e.g. {status: open}.
	Where map[string]string `yaml:"where"`
	// Key shows the figure among the customer's key metrics across systems:
	// one of adapters.Metric*, e.g. last_order.
	Key string `yaml:"key"`
}

// Event maps a table's rows to timeline events.
type Event struct {
	Kind string `yaml:"kind"` // what the rows are, e.g. order or shipment
	At   string `yaml:"at"`   // the column with the event's date or time
	// Title and Detail are text with {column} placeholders, e.g.
	// "Order {order_no}"; Detail is optional.
	Title  string `yaml:"title"`
	Detail string `yaml:"detail"`
	Status string `yaml:"status"` // optional: a column with a status word
	Amount string `yaml:"amount"` // optional: a number or money column of the table
}

// Validate applies defaults, reads the DSN, compiles every query and reports
// every problem at once.
func (s *Settings) Validate() []adapters.Problem {
	var probs []adapters.Problem
	add := func(key, msg, hint string) {
		probs = append(probs, adapters.Problem{Key: key, Message: msg, Hint: hint})
	}
	s.valid, s.search, s.facets, s.pgx = false, nil, nil, nil

	s.Driver = strings.TrimSpace(s.Driver)
	switch strings.ToLower(s.Driver) {
	case DriverPostgres:
		s.dialect = dialectPostgres
	case DriverSQLite:
		s.dialect = dialectSQLite
	case "":
		add("driver", "is required", "set driver: pgx (PostgreSQL) or driver: sqlite")
	case "postgres", "postgresql", "pg":
		add("driver", fmt.Sprintf("%q is not a driver name", s.Driver), "PostgreSQL is driver: pgx")
	default:
		add("driver", fmt.Sprintf("%q is not a supported driver", s.Driver), "use pgx (PostgreSQL) or sqlite")
	}
	s.Driver = strings.ToLower(s.Driver)
	s.resolveDSN(add)

	if s.MaxOpenConns == 0 {
		s.MaxOpenConns = DefaultMaxOpenConns
	}
	if s.MaxOpenConns < 1 || s.MaxOpenConns > MaxMaxOpenConns {
		add("max_open_conns", fmt.Sprintf("%d is out of range", s.MaxOpenConns), fmt.Sprintf("use 1 to %d", MaxMaxOpenConns))
	}
	if s.dialect == 0 {
		return probs // queries cannot be read without knowing the dialect
	}

	if s.Search.SQL == "" && s.Search.Name == "" && len(s.Search.Fields) == 0 {
		add("search", "is required", "write the query that finds customers by name, domain or number")
	} else {
		s.search = compileQuery(&s.Search, "search", roleSearch, s.dialect, add)
	}

	names, titles := map[string]bool{}, map[string]bool{}
	headers := 0
	for i := range s.Facets {
		f := &s.Facets[i]
		key := fmt.Sprintf("facets[%d]", i)
		role := roleTable
		if len(f.Fields) > 0 {
			role = roleHeader
			if headers++; headers > 1 {
				add(key+".fields", "is set on a second facet", "only the header facet maps fields; give the others columns")
			}
		}
		if names[f.Name] && f.Name != "" {
			add(key+".name", fmt.Sprintf("%q is used by another facet", f.Name), "give each facet its own name")
		}
		if titles[f.Title] && f.Title != "" {
			add(key+".title", fmt.Sprintf("%q is used by another facet", f.Title), "give each facet its own title")
		}
		names[f.Name], titles[f.Title] = true, true
		if q := compileQuery(f, key, role, s.dialect, add); q != nil {
			s.facets = append(s.facets, q)
		}
	}
	if headers == 0 {
		add("facets", "has no header facet", "map fields (name at least) in the facet that reads the customer record")
	}
	s.valid = len(probs) == 0
	return probs
}

// Valid reports whether the last Validate found no problem.
func (s *Settings) Valid() bool { return s.valid }

// resolveDSN reads the connection string from where it is configured.
func (s *Settings) resolveDSN(add func(key, msg, hint string)) {
	set := 0
	for _, v := range []string{s.DSN, s.DSNFile, s.DSNEnv} {
		if strings.TrimSpace(v) != "" {
			set++
		}
	}
	key := "dsn"
	switch {
	case set == 0:
		add("dsn", "is required (or dsn_file, or dsn_env)", "keep the connection string out of the file: dsn_file: /run/secrets/erp-dsn or dsn_env: ERP_DSN")
		return
	case set > 1:
		add("dsn", "is set together with dsn_file or dsn_env", "keep only one of dsn, dsn_file and dsn_env")
		return
	case s.DSNFile != "":
		key = "dsn_file"
		b, err := os.ReadFile(s.DSNFile)
		if err != nil {
			add(key, fmt.Sprintf("cannot be read: %v", err), "check the path and that Atrium's user may read the file")
			return
		}
		s.dsn = strings.TrimSpace(string(b))
	case s.DSNEnv != "":
		key = "dsn_env"
		v, ok := os.LookupEnv(s.DSNEnv)
		if !ok {
			add(key, fmt.Sprintf("environment variable %s is not set", s.DSNEnv), fmt.Sprintf("export %s before starting Atrium", s.DSNEnv))
			return
		}
		s.dsn = strings.TrimSpace(v)
	default:
		s.dsn = strings.TrimSpace(s.DSN)
	}
	if s.dsn == "" {
		add(key, "holds an empty connection string", "put the database's connection string there")
		return
	}
	if s.dialect == dialectPostgres {
		cfg, err := pgx.ParseConfig(s.dsn)
		if err != nil {
			add(key, "is not a PostgreSQL connection string: "+redact(err.Error(), s.dsn),
				"write it as postgres://user:password@host:5432/dbname?sslmode=verify-full, or as key=value pairs")
			return
		}
		s.pgx = cfg
	}
}

// secrets returns the strings no message may show: the connection string and
// its password.
func (s *Settings) secrets() []string {
	out := []string{s.dsn}
	if s.pgx != nil && s.pgx.Password != "" {
		out = append(out, s.pgx.Password)
	}
	return out
}

var (
	urlPassword = regexp.MustCompile(`(://[^:/@\s]*:)\S*@`)
	kvPassword  = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*)`)
)

// minSecret is the shortest secret redact replaces wherever it appears;
// shorter ones would garble every message, and the patterns cover them.
const minSecret = 4

// redact removes passwords from a message: the secrets given, the password of
// a URL, and password=… pairs.
func redact(msg string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= minSecret {
			msg = strings.ReplaceAll(msg, sec, "xxxxx")
		}
	}
	msg = urlPassword.ReplaceAllString(msg, "${1}xxxxx@")
	return kvPassword.ReplaceAllString(msg, "${1}xxxxx")
}
