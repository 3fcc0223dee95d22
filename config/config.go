// Package config holds Atrium's YAML configuration: its types, `${ENV}` expansion,
// `*_file` secrets, defaults, and a validation that reports every problem at once
// with the key's path, its line in the file and a hint on how to fix it.
package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of one Atrium instance.
type Config struct {
	Server   Server   `yaml:"server"`
	Auth     Auth     `yaml:"auth"`
	Store    Store    `yaml:"store"`
	Log      Log      `yaml:"log"`
	Customer Customer `yaml:"customer"`
	Cache    Cache    `yaml:"cache"`
	Bus      Bus      `yaml:"bus"`
	Audit    Audit    `yaml:"audit"`
	Identity Identity `yaml:"identity"`
	Policy   Policy   `yaml:"policy"`
	Sources  []Source `yaml:"sources"`
	// Tools are legacy tools without an API, embedded as panels.
	Tools []Tool `yaml:"tools"`
}

// Identity configures how records of different systems are recognised as the
// same customer.
type Identity struct {
	// Rules are tried in order; the first whose kind of key two records share
	// links them, with its confidence. Absent: external id, email, domain.
	Rules []IdentityRule `yaml:"rules"`
}

// IdentityRule links records that share a key of one kind.
type IdentityRule struct {
	Name       string  `yaml:"name"`
	Match      string  `yaml:"match"` // id, email or domain
	Confidence float64 `yaml:"confidence"`
}

// Cache configures where the sources' guards keep fetched data: in process by
// default, in Redis when several instances should share it.
type Cache struct {
	// RedisURL, e.g. redis://user:pass@host:6379/0 (rediss:// for TLS).
	RedisURL     string `yaml:"redis_url"`
	RedisURLFile string `yaml:"redis_url_file"`
	// Prefix starts every key Atrium writes, so several deployments can share
	// one Redis.
	Prefix string `yaml:"prefix"`
}

// Server is the HTTP side of the portal.
type Server struct {
	// Addr is where the portal listens.
	Addr string `yaml:"addr"`
	// PublicURL is the address users open; it decides the OIDC redirect URI and
	// whether cookies are Secure.
	PublicURL string `yaml:"public_url"`
	// SessionSecret signs the session cookie (which holds only a session id).
	// Empty means: generate one and keep it in the store.
	SessionSecret     string   `yaml:"session_secret"`
	SessionSecretFile string   `yaml:"session_secret_file"`
	SessionTTL        Duration `yaml:"session_ttl"`
	// SessionRecheck is how long a session read from the store is trusted
	// before the store is asked again; nil means the default, 0 asks on
	// every request.
	SessionRecheck *Duration `yaml:"session_recheck"`
	// SessionIdleTimeout ends a session unused for this long; nil means
	// the default, 0 never ends a session for being idle.
	SessionIdleTimeout *Duration `yaml:"session_idle_timeout"`
	ShutdownTimeout    Duration  `yaml:"shutdown_timeout"`
	// AllowedHosts are more host names (host or host:port, as browsers
	// send them) Atrium answers for, beside the public URL's.
	AllowedHosts []string `yaml:"allowed_hosts"`
	// BodyTimeout is how long a client may take to send a request's body;
	// absent: DefaultBodyTimeout.
	BodyTimeout Duration `yaml:"body_timeout"`
}

// Auth configures the OpenID Connect relying party.
type Auth struct {
	Issuer           string   `yaml:"issuer"`
	ClientID         string   `yaml:"client_id"`
	ClientSecret     string   `yaml:"client_secret"`
	ClientSecretFile string   `yaml:"client_secret_file"`
	Scopes           []string `yaml:"scopes"`
	// GroupsClaim names the ID token claim that lists the user's groups.
	GroupsClaim string `yaml:"groups_claim"`
	// AdminGroups are the groups whose members may change how customers are
	// linked across systems.
	AdminGroups []string `yaml:"admin_groups"`
	// SignInRate and SignInBurst limit sign-in starts and callbacks per
	// client address: SignInRate a minute, up to SignInBurst at once.
	// PendingPerAddress and PendingPerBrowser bound the sign-ins in
	// progress. Absent or 0: the defaults (10, 20, 50 and 5).
	SignInRate        int `yaml:"sign_in_rate"`
	SignInBurst       int `yaml:"sign_in_burst"`
	PendingPerAddress int `yaml:"pending_sign_ins_per_address"`
	PendingPerBrowser int `yaml:"pending_sign_ins_per_browser"`
}

// Log configures structured logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Customer configures how customers are identified.
type Customer struct {
	// Primary names the source whose records are the customers (for now: the
	// Salesforce source).
	Primary string `yaml:"primary"`
	// PageBudget is how long a customer page waits for its slowest panel; a
	// panel still loading then says so and offers to load on its own.
	PageBudget Duration `yaml:"page_budget"`
	// Golden lists the facts of the golden record shown across systems, each
	// from the first of its sources that holds a value.
	Golden []GoldenField `yaml:"golden"`
}

// GoldenField is one fact of the golden record.
type GoldenField struct {
	Field   string   `yaml:"field"`
	Label   string   `yaml:"label"`
	Sources []string `yaml:"sources"`
}

// Source is one connected system.
type Source struct {
	Name    string   `yaml:"name"`
	Type    string   `yaml:"type"`
	Title   string   `yaml:"title"`
	Timeout Duration `yaml:"timeout"`
	Guard   Guard    `yaml:"guard"`
	// Settings is the type-specific block, decoded by the adapter's own type.
	Settings yaml.Node `yaml:"settings"`
}

// Duration is a time.Duration written as "5s", "2m", "12h".
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: want a duration such as 5s or 2m", n.Line)
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration: write it like 5s, 1m30s or 12h", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Defaults used when a key is absent.
const (
	DefaultAddr            = "127.0.0.1:8080"
	DefaultSessionTTL      = 12 * time.Hour
	DefaultShutdownTimeout = 15 * time.Second
	DefaultSessionRecheck  = 5 * time.Second
	DefaultSessionIdle     = time.Hour
	DefaultSourceTimeout   = 5 * time.Second
	DefaultGroupsClaim     = "groups"
	DefaultPageBudget      = 8 * time.Second
	DefaultBodyTimeout     = 10 * time.Second
)

// DefaultScopes are requested when auth.scopes is absent.
var DefaultScopes = []string{"openid", "profile", "email"}

func (c *Config) applyDefaults() {
	if c.Server.Addr == "" {
		c.Server.Addr = DefaultAddr
	}
	if c.Server.SessionTTL == 0 {
		c.Server.SessionTTL = Duration(DefaultSessionTTL)
	}
	if c.Server.SessionRecheck == nil {
		d := Duration(DefaultSessionRecheck)
		c.Server.SessionRecheck = &d
	}
	if c.Server.SessionIdleTimeout == nil {
		d := Duration(DefaultSessionIdle)
		c.Server.SessionIdleTimeout = &d
	}
	if c.Server.ShutdownTimeout == 0 {
		c.Server.ShutdownTimeout = Duration(DefaultShutdownTimeout)
	}
	if c.Server.BodyTimeout == 0 {
		c.Server.BodyTimeout = Duration(DefaultBodyTimeout)
	}
	if len(c.Auth.Scopes) == 0 {
		c.Auth.Scopes = append([]string(nil), DefaultScopes...)
	}
	if c.Auth.AdminGroups == nil {
		c.Auth.AdminGroups = []string{"admins"}
	}
	if c.Auth.GroupsClaim == "" {
		c.Auth.GroupsClaim = DefaultGroupsClaim
	}
	c.Store.applyDefaults()
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Timeout == 0 {
			s.Timeout = Duration(DefaultSourceTimeout)
		}
		if s.Title == "" {
			s.Title = s.Name
		}
		s.Guard.applyDefaults()
	}
	if len(c.Identity.Rules) == 0 {
		c.Identity.Rules = []IdentityRule{
			{Name: "external-id", Match: "id", Confidence: 1},
			{Name: "email", Match: "email", Confidence: 0.9},
			{Name: "domain", Match: "domain", Confidence: 0.7},
		}
	}
	if c.Cache.Prefix == "" {
		c.Cache.Prefix = "atrium:"
	}
	c.Bus.applyDefaults()
	c.Audit.applyDefaults()
	if c.Customer.PageBudget == 0 {
		c.Customer.PageBudget = Duration(DefaultPageBudget)
	}
	if c.Customer.Primary == "" && len(c.Sources) > 0 {
		c.Customer.Primary = c.Sources[0].Name
	}
}
