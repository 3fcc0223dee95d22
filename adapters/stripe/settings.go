package stripe

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// Defaults and bounds of Settings.
const (
	DefaultBaseURL          = "https://api.stripe.com"
	DefaultDashboardURL     = "https://dashboard.stripe.com"
	DefaultMatchMetadataKey = "salesforce_account_id"
	DefaultMaxRows          = 100
	MaxMaxRows              = 1000
	// maxMetadataKey is the longest metadata key Stripe accepts.
	maxMetadataKey = 40
)

// Settings is the `settings:` block of a Stripe source.
type Settings struct {
	// APIKey is a secret (sk_…) or restricted (rk_…) key, e.g. from ${ENV};
	// APIKeyFile names a file holding one. Exactly one is required.
	APIKey     string `yaml:"api_key"`
	APIKeyFile string `yaml:"api_key_file"`
	// BaseURL is Stripe's API; another URL points the source at a simulator
	// such as stripe-mock. Plain http is accepted on loopback only.
	BaseURL string `yaml:"base_url"`
	// DashboardURL is where customers, invoices and subscriptions open:
	// Stripe's dashboard, or a simulator's pages beside a simulated API.
	// Test-mode keys open under /test, as in Stripe's dashboard.
	DashboardURL string `yaml:"dashboard_url"`
	// MatchMetadataKey is the customer metadata key that holds the CRM id.
	MatchMetadataKey string `yaml:"match_metadata_key"`
	// MaxRows caps the rows of each table.
	MaxRows int `yaml:"max_rows"`

	// Resolved by Validate: the key, read from its file if need be.
	key   string
	valid bool
}

// Validate applies defaults, reads the key file, and reports every problem
// at once. No message quotes the key.
func (s *Settings) Validate() []adapters.Problem {
	var probs []adapters.Problem
	add := func(key, msg, hint string) {
		probs = append(probs, adapters.Problem{Key: key, Message: msg, Hint: hint})
	}

	s.BaseURL = strings.TrimRight(strings.TrimSpace(s.BaseURL), "/")
	if s.BaseURL == "" {
		s.BaseURL = DefaultBaseURL
	}
	s.DashboardURL = strings.TrimRight(strings.TrimSpace(s.DashboardURL), "/")
	if s.DashboardURL == "" {
		s.DashboardURL = DefaultDashboardURL
	}
	s.MatchMetadataKey = strings.TrimSpace(s.MatchMetadataKey)
	if s.MatchMetadataKey == "" {
		s.MatchMetadataKey = DefaultMatchMetadataKey
	}
	if s.MaxRows == 0 {
		s.MaxRows = DefaultMaxRows
	}

	s.key = ""
	keyHint := "use a secret key (sk_live_… or sk_test_…) or a restricted key (rk_…) with read access to customers, invoices, subscriptions and products"
	switch {
	case s.APIKey != "" && s.APIKeyFile != "":
		add("api_key", "is set together with api_key_file", "keep only one of them")
	case s.APIKeyFile != "":
		b, err := os.ReadFile(s.APIKeyFile)
		if err != nil {
			add("api_key_file", fmt.Sprintf("cannot be read: %v", err), "check the path and that Atrium's user may read the file")
			break
		}
		if msg := checkKey(strings.TrimSpace(string(b))); msg != "" {
			add("api_key_file", "holds a key that "+msg, keyHint)
			break
		}
		s.key = strings.TrimSpace(string(b))
	case s.APIKey != "":
		if msg := checkKey(strings.TrimSpace(s.APIKey)); msg != "" {
			add("api_key", msg, keyHint)
			break
		}
		s.key = strings.TrimSpace(s.APIKey)
	default:
		add("api_key", "is required (or api_key_file)", "set it to a Stripe secret or restricted key, e.g. ${STRIPE_API_KEY}")
	}

	if msg := checkBaseURL(s.BaseURL); msg != "" {
		add("base_url", msg, "leave it out for Stripe's API (https://api.stripe.com), or give the https URL of a proxy or simulator (http on loopback only)")
	}
	if msg := checkBaseURL(s.DashboardURL); msg != "" {
		add("dashboard_url", msg, "leave it out for Stripe's dashboard (https://dashboard.stripe.com), or give the https URL of a simulator's pages (http on loopback only)")
	}
	switch k := s.MatchMetadataKey; {
	case len(k) > maxMetadataKey:
		add("match_metadata_key", fmt.Sprintf("is %d characters long", len(k)), fmt.Sprintf("Stripe metadata keys have at most %d characters", maxMetadataKey))
	case strings.ContainsAny(k, "[]"):
		add("match_metadata_key", "contains a square bracket", "Stripe metadata keys cannot contain [ or ]")
	}
	if s.MaxRows < 1 || s.MaxRows > MaxMaxRows {
		add("max_rows", fmt.Sprintf("%d is out of range", s.MaxRows), fmt.Sprintf("use 1 to %d", MaxMaxRows))
	}
	s.valid = len(probs) == 0
	return probs
}

// Valid reports whether the last Validate found no problem.
func (s *Settings) Valid() bool { return s.valid }

// keyPrefixes are the kinds of key that can read customers: secret and
// restricted keys, live or test.
var keyPrefixes = []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_"}

// checkKey says what is wrong with an API key, without quoting it; "" when it
// has the form of a secret or restricted key.
func checkKey(key string) string {
	if key == "" {
		return "is empty"
	}
	if strings.HasPrefix(key, "pk_") {
		return "is a publishable key, which cannot read customers"
	}
	for _, p := range keyPrefixes {
		rest, ok := strings.CutPrefix(key, p)
		if !ok {
			continue
		}
		if rest == "" || strings.IndexFunc(rest, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_')
		}) >= 0 {
			return "does not have the form of a Stripe key (letters and digits after the prefix)"
		}
		return ""
	}
	return "does not start with sk_live_, sk_test_, rk_live_ or rk_test_"
}

// checkBaseURL says what is wrong with a base URL, or "".
func checkBaseURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a URL", raw)
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Sprintf("%q is not an absolute http(s) URL", raw)
	case u.Scheme == "http" && !adapters.IsLoopback(u.Hostname()):
		return fmt.Sprintf("%q uses plain http to a host that is not loopback", raw)
	case u.User != nil:
		return fmt.Sprintf("%q carries credentials", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Sprintf("%q has a query or fragment", raw)
	}
	return ""
}

// testMode reports whether the key is a test-mode key, whose records the
// dashboard shows under /test.
func (s *Settings) testMode() bool { return strings.Contains(s.key, "_test_") }

// String describes the settings without the key, should they be printed.
func (s Settings) String() string {
	return fmt.Sprintf("stripe settings {base_url: %s, dashboard_url: %s, match_metadata_key: %s, max_rows: %d, api_key: %s}",
		s.BaseURL, s.DashboardURL, s.MatchMetadataKey, s.MaxRows, redacted(s.APIKey, s.APIKeyFile))
}

// GoString describes the settings without the key, for %#v.
func (s Settings) GoString() string { return s.String() }

// LogValue records the settings without the key.
func (s Settings) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", s.BaseURL),
		slog.String("dashboard_url", s.DashboardURL),
		slog.String("match_metadata_key", s.MatchMetadataKey),
		slog.Int("max_rows", s.MaxRows),
		slog.String("api_key", redacted(s.APIKey, s.APIKeyFile)),
	)
}

func redacted(key, file string) string {
	switch {
	case key != "":
		return "[redacted]"
	case file != "":
		return "from " + file
	}
	return "(none)"
}
