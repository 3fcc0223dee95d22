package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const (
	// dexHashCost is the bcrypt cost of the static passwords: Dex refuses a
	// hash cheaper than 10 and answers the login with a 500.
	dexHashCost = 10

	dexStartTimeout = 30 * time.Second

	// dexStartAttempts covers the rare case where another process takes the
	// free port between FreePort and Dex binding it.
	dexStartAttempts = 3
)

// DexUser is a user of Dex's password database.
type DexUser struct {
	Email    string
	Password string   // in clear; StartDex hands Dex its bcrypt hash
	Username string   // defaults to the part of Email before "@"
	UserID   string   // the stable id behind the subject claim; defaults to Email
	Groups   []string // sent in the groups claim when the client asks for the groups scope
}

// DexOptions configures the Dex that StartDex runs. RedirectURIs and at
// least one user are required; the rest has defaults.
type DexOptions struct {
	ClientID     string // default "atrium"
	ClientSecret string // default: random
	ClientName   string // default "Atrium"
	RedirectURIs []string
	Users        []DexUser
	LogLevel     string // debug, info, warn or error; default info
}

// Dex is a running Dex with one OAuth2 client and a password database.
// Its login form has the fields #login and #password and the button
// #submit-login.
type Dex struct {
	Issuer       string // http://127.0.0.1:PORT/dex
	ClientID     string
	ClientSecret string
	Users        []DexUser // with their defaults filled in
}

// DexBinary returns the path of the Dex binary: $ATRIUM_DEX, or the path that
// scripts/install-test-deps.sh records in ~/.cache/atrium-tools/dex-path (or
// $ATRIUM_TOOLS_CACHE/dex-path).
func DexBinary() (string, error) { return toolBinary("ATRIUM_DEX", "dex") }

// StartDex runs Dex on a free loopback port with in-memory storage, waits
// until it answers OpenID discovery, and stops it when the test ends. Dex's
// log is printed if the test fails.
func StartDex(t testing.TB, o DexOptions) *Dex {
	t.Helper()
	bin, err := DexBinary()
	if err != nil {
		t.Fatalf("testenv: no Dex binary (%v): run scripts/install-test-deps.sh or set $ATRIUM_DEX", err)
	}
	d, cfg, err := newDexConfig(o)
	if err != nil {
		t.Fatalf("testenv: dex options: %v", err)
	}

	dir := t.TempDir()
	logPath := filepath.Join(dir, "dex.log")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dex log (last 100 lines):\n%s", tail(logPath, 100))
		}
	})
	for attempt := 1; ; attempt++ {
		port := FreePort(t)
		d.Issuer = fmt.Sprintf("http://127.0.0.1:%d/dex", port)
		cfg.Issuer = d.Issuer
		cfg.Web.HTTP = fmt.Sprintf("127.0.0.1:%d", port)
		err := runDex(t, bin, dir, logPath, cfg)
		if err == nil {
			return d
		}
		if !errors.Is(err, errExited) || attempt == dexStartAttempts {
			t.Fatalf("testenv: start dex: %v\n%s", err, tail(logPath, 40))
		}
		t.Logf("testenv: dex did not start on port %d (%v); trying another port", port, err)
	}
}

// runDex starts Dex with cfg and waits for discovery. On success Dex runs
// until the test's cleanup kills it; on failure it is already stopped.
func runDex(t testing.TB, bin, dir, logPath string, cfg dexConfig) error {
	// YAML is a superset of JSON, and Dex reads its config with a YAML
	// parser, so a JSON encoding of typed structs is a valid config.
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	configPath := filepath.Join(dir, "dex.yaml")
	if err := os.WriteFile(configPath, data, 0o600); err != nil {
		return err
	}
	return runServer(t, "dex", bin, []string{"serve", configPath}, logPath,
		cfg.Issuer+"/.well-known/openid-configuration", 200, dexStartTimeout)
}

// dexConfig is the part of Dex's configuration file the harness sets.
type dexConfig struct {
	Issuer  string `json:"issuer"`
	Storage struct {
		Type string `json:"type"`
	} `json:"storage"`
	Web struct {
		HTTP string `json:"http"`
	} `json:"web"`
	Logger struct {
		Level  string `json:"level"`
		Format string `json:"format"`
	} `json:"logger"`
	OAuth2 struct {
		SkipApprovalScreen bool     `json:"skipApprovalScreen"`
		ResponseTypes      []string `json:"responseTypes"`
	} `json:"oauth2"`
	EnablePasswordDB bool          `json:"enablePasswordDB"`
	StaticClients    []dexClient   `json:"staticClients"`
	StaticPasswords  []dexPassword `json:"staticPasswords"`
}

type dexClient struct {
	ID           string   `json:"id"`
	Secret       string   `json:"secret"`
	Name         string   `json:"name"`
	RedirectURIs []string `json:"redirectURIs"`
}

type dexPassword struct {
	Email    string   `json:"email"`
	Hash     string   `json:"hash"`
	Username string   `json:"username"`
	UserID   string   `json:"userID"`
	Groups   []string `json:"groups,omitempty"`
}

// newDexConfig checks the options, fills in their defaults, and builds the
// configuration, all but the address, which StartDex picks.
func newDexConfig(o DexOptions) (*Dex, dexConfig, error) {
	var problems []error
	if len(o.RedirectURIs) == 0 {
		problems = append(problems, errors.New("no redirect URI"))
	}
	if len(o.Users) == 0 {
		problems = append(problems, errors.New("no user"))
	}
	if o.ClientID == "" {
		o.ClientID = "atrium"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = randomHex(16)
	}
	if o.ClientName == "" {
		o.ClientName = "Atrium"
	}
	if o.LogLevel == "" {
		o.LogLevel = "info"
	}

	var cfg dexConfig
	cfg.Storage.Type = "memory"
	cfg.Logger.Level = o.LogLevel
	cfg.Logger.Format = "text"
	cfg.OAuth2.SkipApprovalScreen = true
	cfg.OAuth2.ResponseTypes = []string{"code"}
	cfg.EnablePasswordDB = true
	cfg.StaticClients = []dexClient{{
		ID: o.ClientID, Secret: o.ClientSecret, Name: o.ClientName, RedirectURIs: o.RedirectURIs,
	}}

	users := make([]DexUser, 0, len(o.Users))
	for i, u := range o.Users {
		if u.Email == "" || u.Password == "" {
			problems = append(problems, fmt.Errorf("user %d: email and password are required", i))
			continue
		}
		if u.Username == "" {
			u.Username, _, _ = strings.Cut(u.Email, "@")
		}
		if u.UserID == "" {
			u.UserID = u.Email
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), dexHashCost)
		if err != nil {
			problems = append(problems, fmt.Errorf("user %s: hash the password: %w", u.Email, err))
			continue
		}
		users = append(users, u)
		cfg.StaticPasswords = append(cfg.StaticPasswords, dexPassword{
			Email: u.Email, Hash: string(hash), Username: u.Username, UserID: u.UserID, Groups: u.Groups,
		})
	}
	if err := errors.Join(problems...); err != nil {
		return nil, dexConfig{}, err
	}
	d := &Dex{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Users: users}
	return d, cfg, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
