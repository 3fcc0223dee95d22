package salesforce

import (
	"cmp"
	"crypto/rsa"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// OAuth flows a source can use.
const (
	FlowJWT               = "jwt"
	FlowClientCredentials = "client_credentials"
)

// Defaults and bounds of Settings.
const (
	DefaultMaxRows  = 2000
	MaxMaxRows      = 10000
	DefaultCurrency = "USD"
)

// Settings is the `settings:` block of a Salesforce source.
type Settings struct {
	// LoginURL is where tokens are requested; defaults to https://login.salesforce.com.
	// The client credentials flow needs the org's My Domain URL.
	LoginURL string `yaml:"login_url"`
	Flow     string `yaml:"flow"`      // "jwt" or "client_credentials"
	ClientID string `yaml:"client_id"` // connected app's consumer key

	// JWT bearer flow.
	Username       string `yaml:"username"`
	PrivateKeyFile string `yaml:"private_key_file"`
	PrivateKey     string `yaml:"private_key"` // PEM, e.g. from ${ENV}
	// Audience overrides the aud claim derived from LoginURL.
	Audience string `yaml:"audience"`

	// Client credentials flow.
	ClientSecret     string `yaml:"client_secret"`
	ClientSecretFile string `yaml:"client_secret_file"`

	APIVersion string `yaml:"api_version"` // defaults to 62.0
	// BatchSize asks for query pages of this size (200–2000); zero leaves it to
	// Salesforce.
	BatchSize int `yaml:"batch_size"`
	// MaxRows caps the rows of each panel; defaults to 2000.
	MaxRows int `yaml:"max_rows"`
	// Currency is the org's currency, for amounts; defaults to USD.
	Currency string `yaml:"currency"`
	// MultiCurrency reads each record's CurrencyIsoCode, which only multi-currency
	// orgs have.
	MultiCurrency bool `yaml:"multi_currency"`

	// Resolved by Validate: the parsed key and the secret read from its file.
	key    *rsa.PrivateKey
	secret string
	valid  bool
}

// Validate applies defaults, reads the key or secret files, and reports every
// problem at once.
func (s *Settings) Validate() []adapters.Problem {
	var probs []adapters.Problem
	add := func(key, msg, hint string) {
		probs = append(probs, adapters.Problem{Key: key, Message: msg, Hint: hint})
	}

	s.Flow = strings.TrimSpace(s.Flow)
	s.ClientID = strings.TrimSpace(s.ClientID)
	s.LoginURL = strings.TrimRight(strings.TrimSpace(s.LoginURL), "/")
	s.APIVersion = strings.TrimSpace(s.APIVersion)
	s.Currency = strings.TrimSpace(s.Currency)
	s.APIVersion = cmp.Or(s.APIVersion, DefaultAPIVersion)
	s.Currency = cmp.Or(s.Currency, DefaultCurrency)
	if s.MaxRows == 0 {
		s.MaxRows = DefaultMaxRows
	}

	if s.ClientID == "" {
		add("client_id", "is required", "set it to the connected app's consumer key")
	}
	switch s.Flow {
	case FlowJWT:
		if s.LoginURL == "" {
			s.LoginURL = DefaultLoginURL
		}
		s.validateJWT(add)
	case FlowClientCredentials:
		s.validateClientCredentials(add)
	case "":
		add("flow", "is required", `set flow: jwt (a certificate on the connected app) or flow: client_credentials (a client secret)`)
	default:
		add("flow", fmt.Sprintf("%q is not a supported flow", s.Flow), "use jwt or client_credentials")
	}
	if s.LoginURL != "" {
		if msg := checkURL(s.LoginURL); msg != "" {
			add("login_url", msg, "use https://login.salesforce.com, https://test.salesforce.com or the org's My Domain URL, without a path")
		}
	}
	if !validAPIVersion(s.APIVersion) {
		add("api_version", fmt.Sprintf("%q is not an API version", s.APIVersion), "write it like 62.0, without a leading v")
	}
	if s.BatchSize != 0 && (s.BatchSize < MinBatchSize || s.BatchSize > MaxBatchSize) {
		add("batch_size", fmt.Sprintf("%d is out of range", s.BatchSize),
			fmt.Sprintf("use %d to %d, or leave it out", MinBatchSize, MaxBatchSize))
	}
	if s.MaxRows < 1 || s.MaxRows > MaxMaxRows {
		add("max_rows", fmt.Sprintf("%d is out of range", s.MaxRows), fmt.Sprintf("use 1 to %d", MaxMaxRows))
	}
	if !adapters.IsCurrencyCode(s.Currency) {
		add("currency", fmt.Sprintf("%q is not an ISO 4217 code", s.Currency), "write it like USD or EUR")
	}
	s.valid = len(probs) == 0
	return probs
}

// Valid reports whether the last Validate found no problem.
func (s *Settings) Valid() bool { return s.valid }

func (s *Settings) validateJWT(add func(key, msg, hint string)) {
	if strings.TrimSpace(s.Username) == "" {
		add("username", "is required by the jwt flow", "set it to the integration user's Salesforce username")
	}
	if s.Audience != "" {
		// A site URL may carry a path, so only the form is checked.
		if u, err := url.Parse(s.Audience); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			msg := fmt.Sprintf("%q is not an absolute URL", s.Audience)
			add("audience", msg, "leave it out, or use https://login.salesforce.com, https://test.salesforce.com or the site URL")
		}
	}
	s.notUsed(add, FlowJWT, map[string]string{"client_secret": s.ClientSecret, "client_secret_file": s.ClientSecretFile})

	keyHint := "use the unencrypted PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) whose certificate is uploaded to the connected app"
	var pemBytes []byte
	key := "private_key"
	switch {
	case s.PrivateKeyFile != "" && s.PrivateKey != "":
		add("private_key", "is set together with private_key_file", "keep only one of them")
		return
	case s.PrivateKeyFile != "":
		key = "private_key_file"
		b, err := os.ReadFile(s.PrivateKeyFile)
		if err != nil {
			add(key, fmt.Sprintf("cannot be read: %v", err), "check the path and that Atrium's user may read the file")
			return
		}
		pemBytes = b
	case s.PrivateKey != "":
		pk := s.PrivateKey
		// An environment variable often carries the PEM on one line with literal \n.
		if !strings.Contains(pk, "\n") {
			pk = strings.ReplaceAll(pk, `\n`, "\n")
		}
		pemBytes = []byte(pk)
	default:
		add("private_key_file", "is required by the jwt flow (or private_key)", keyHint)
		return
	}
	k, err := ParsePrivateKey(pemBytes)
	if err != nil {
		add(key, "is not an RSA private key in PEM form", keyHint)
		return
	}
	s.key = k
}

func (s *Settings) validateClientCredentials(add func(key, msg, hint string)) {
	myDomainHint := "set it to the org's My Domain URL, e.g. https://yourorg.my.salesforce.com"
	if s.LoginURL == "" {
		add("login_url", "is required by the client_credentials flow", myDomainHint)
	} else if u, err := url.Parse(s.LoginURL); err == nil {
		switch strings.ToLower(u.Hostname()) {
		case "login.salesforce.com", "test.salesforce.com":
			add("login_url", "must be the org's My Domain URL for the client_credentials flow", myDomainHint)
		}
	}
	s.notUsed(add, FlowClientCredentials, map[string]string{
		"username": s.Username, "private_key_file": s.PrivateKeyFile, "private_key": s.PrivateKey, "audience": s.Audience,
	})
	switch {
	case s.ClientSecret != "" && s.ClientSecretFile != "":
		add("client_secret", "is set together with client_secret_file", "keep only one of them")
	case s.ClientSecretFile != "":
		b, err := os.ReadFile(s.ClientSecretFile)
		if err != nil {
			add("client_secret_file", fmt.Sprintf("cannot be read: %v", err), "check the path and that Atrium's user may read the file")
			return
		}
		s.secret = strings.TrimSpace(string(b))
		if s.secret == "" {
			add("client_secret_file", "is empty", "put the connected app's consumer secret in it")
		}
	case s.ClientSecret != "":
		s.secret = s.ClientSecret
	default:
		add("client_secret", "is required by the client_credentials flow (or client_secret_file)", "set it to the connected app's consumer secret, e.g. ${SALESFORCE_CLIENT_SECRET}")
	}
}

// notUsed reports settings of the other flow: a leftover usually means the
// flow is not the one intended.
func (s *Settings) notUsed(add func(key, msg, hint string), flow string, values map[string]string) {
	for _, key := range []string{"username", "private_key_file", "private_key", "audience", "client_secret", "client_secret_file"} {
		if v, ok := values[key]; ok && v != "" {
			add(key, fmt.Sprintf("is not used by the %s flow", flow), "remove it, or change flow")
		}
	}
}

// credentials returns the OAuth flow of valid settings.
func (s *Settings) credentials() Credentials {
	if s.Flow == FlowClientCredentials {
		return ClientCredentials{ClientID: s.ClientID, ClientSecret: s.secret}
	}
	return JWTBearer{ClientID: s.ClientID, Username: strings.TrimSpace(s.Username), Audience: s.Audience, Key: s.key}
}

// checkURL returns what is wrong with a login URL or audience, or "". Plain http
// is accepted for loopback hosts only, where a simulator runs.
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a URL", raw)
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Sprintf("%q is not an absolute https URL", raw)
	case u.Scheme == "http" && !adapters.IsLoopback(u.Hostname()):
		return fmt.Sprintf("%q uses plain http", raw)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return fmt.Sprintf("%q has a path or query", raw)
	}
	return ""
}
