package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

type fakeSettings struct {
	Token string `yaml:"token"`
	Limit int    `yaml:"limit"`
}

func (s *fakeSettings) Validate() []adapters.Problem {
	if s.Token == "" {
		return []adapters.Problem{{Key: "token", Message: "is required", Hint: "set a token"}}
	}
	return nil
}

func registry() *adapters.Registry {
	r := adapters.NewRegistry()
	r.Add("fake", adapters.Type{NewSettings: func() adapters.Settings { return &fakeSettings{} }})
	return r
}

const valid = `
server:
  public_url: https://atrium.example.com
  session_secret: ${SECRET}
auth:
  issuer: https://idp.example.com
  client_id: atrium
  client_secret: s3cret
store:
  path: /tmp/atrium.db
sources:
  - name: crm
    type: fake
    timeout: 3s
    settings:
      token: abc
      limit: ${LIMIT}
`

func env(vals map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vals[k]; return v, ok }
}

func TestLoadValid(t *testing.T) {
	l, err := Load([]byte(valid), registry(), env(map[string]string{"SECRET": strings.Repeat("x", 40), "LIMIT": "7"}))
	if err != nil {
		t.Fatal(err)
	}
	if l.Server.Addr != DefaultAddr || l.Server.SessionTTL.D() != DefaultSessionTTL ||
		l.Server.SessionRecheck.D() != DefaultSessionRecheck {
		t.Errorf("defaults not applied: %+v", l.Server)
	}
	if got := l.Sources[0].Timeout.D(); got != 3*time.Second {
		t.Errorf("timeout = %v", got)
	}
	s := l.Settings[0].(*fakeSettings)
	if s.Token != "abc" || s.Limit != 7 {
		t.Errorf("settings = %+v, want token abc and limit 7 from the environment", s)
	}
	if l.Customer.Primary != "crm" || l.Sources[0].Title != "crm" {
		t.Errorf("customer.primary = %q, title = %q", l.Customer.Primary, l.Sources[0].Title)
	}
	if strings.Join(l.Auth.Scopes, " ") != "openid profile email" {
		t.Errorf("scopes = %v", l.Auth.Scopes)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	bad := `
server:
  public_url: ftp://x
  adr: 1.2.3.4:80
  session_ttl: soon
  session_recheck: 5m
  session_idle_timeout: 30s
auth:
  client_id: atrium
  scopes: [email]
store:
  driver: mysql
sources:
  - name: CRM
    type: fake
    settings:
      tokn: abc
  - name: other
    type: fak
log:
  level: loud
cache:
  redis_url: http://localhost:6379
`
	_, err := Load([]byte(bad), registry(), env(nil))
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want *Problems, got %v", err)
	}
	// A type error stops decoding; fix it and the remaining problems all show.
	if !strings.Contains(err.Error(), "soon") || !strings.Contains(err.Error(), "line 5") {
		t.Errorf("the bad duration is not reported with its line:\n%v", err)
	}
	bad = strings.Replace(bad, "soon", "1h", 1)
	_, err = Load([]byte(bad), registry(), env(nil))
	if !errors.As(err, &ps) {
		t.Fatalf("want *Problems, got %v", err)
	}
	want := []struct{ path, text string }{
		{"server.adr", `did you mean "addr"?`},
		{"server.session_recheck", "must be between 0s and 1m"},
		{"server.session_idle_timeout", "must be 0s (off) or between 1m and server.session_ttl"},
		{"server.public_url", "must start with http"},
		{"auth.issuer", "is required"},
		{"auth.scopes", `must include "openid"`},
		{"store.driver", `unknown driver "mysql"`},
		{"sources[0].name", "not a valid name"},
		{"sources[0].settings.tokn", `did you mean "token"?`},
		{"sources[1].type", `did you mean "fake"?`},
		{"log.level", "unknown level"},
		{"cache.redis_url", "is not a Redis URL"},
	}
	for _, w := range want {
		found := false
		for _, p := range ps.List {
			if p.Path == w.path && strings.Contains(p.String(), w.text) {
				found = true
				if p.Line == 0 {
					t.Errorf("%s: no line number", w.path)
				}
			}
		}
		if !found {
			t.Errorf("missing problem %s: %s\nall:\n%v", w.path, w.text, err)
		}
	}
}

func TestLoadMissingEnvAndSecretFile(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(valid, "  client_secret: s3cret", "  client_secret_file: "+secret, 1)
	_, err := Load([]byte(doc), registry(), env(map[string]string{"LIMIT": "1"}))
	if err == nil || !strings.Contains(err.Error(), "environment variable SECRET is not set") {
		t.Fatalf("want the unset variable reported, got %v", err)
	}
	l, err := Load([]byte(doc), registry(), env(map[string]string{"LIMIT": "1", "SECRET": strings.Repeat("y", 32)}))
	if err != nil {
		t.Fatal(err)
	}
	if l.Auth.ClientSecret != "from-file" {
		t.Errorf("client_secret_file not read: %q", l.Auth.ClientSecret)
	}
}

func TestLoadRejectsNonMapping(t *testing.T) {
	for _, doc := range []string{"", "- a\n- b\n", "server: [\n"} {
		if _, err := Load([]byte(doc), registry(), env(nil)); err == nil {
			t.Errorf("%q: accepted", doc)
		}
	}
}

// session_recheck: 0s is a choice (read the store on every request), not
// "absent".
func TestSessionRecheckZeroIsKept(t *testing.T) {
	doc := strings.Replace(valid, "server:\n", "server:\n  session_recheck: 0s\n", 1)
	l, err := Load([]byte(doc), registry(), env(map[string]string{"SECRET": strings.Repeat("x", 40), "LIMIT": "7"}))
	if err != nil {
		t.Fatal(err)
	}
	if l.Server.SessionRecheck == nil || l.Server.SessionRecheck.D() != 0 {
		t.Errorf("session_recheck = %v, want 0s", l.Server.SessionRecheck)
	}
}

// session_idle_timeout: absent is the default hour, 0s turns it off, and
// more than session_ttl could never happen.
func TestSessionIdleTimeout(t *testing.T) {
	vars := env(map[string]string{"SECRET": strings.Repeat("x", 40), "LIMIT": "7"})
	for _, tc := range []struct {
		line string
		want time.Duration
		bad  bool
	}{
		{"", time.Hour, false},
		{"  session_idle_timeout: 0s\n", 0, false},
		{"  session_idle_timeout: 20m\n", 20 * time.Minute, false},
		{"  session_idle_timeout: 30s\n", 0, true},
		{"  session_ttl: 1h\n  session_idle_timeout: 2h\n", 0, true},
	} {
		l, err := Load([]byte(strings.Replace(valid, "server:\n", "server:\n"+tc.line, 1)), registry(), vars)
		if tc.bad {
			if err == nil || !strings.Contains(err.Error(), "server.session_idle_timeout") {
				t.Errorf("%q: %v, want a problem at server.session_idle_timeout", tc.line, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if got := l.Server.SessionIdleTimeout; got == nil || got.D() != tc.want {
			t.Errorf("%q: session_idle_timeout = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// A store.path that serve could not open is reported by the check, with a fix,
// rather than by the driver at start; a new file in an existing folder and an
// existing database pass.
func TestStorePathIsChecked(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "old.db")
	if err := os.WriteFile(db, []byte(sqliteHeader+"rest of the database"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := env(map[string]string{"SECRET": strings.Repeat("x", 40), "LIMIT": "7"})
	for _, tc := range []struct{ path, problem string }{
		{filepath.Join(dir, "new.db"), ""},
		{db, ""},
		{filepath.Join(dir, "missing", "atrium.db"), "does not exist"},
		{dir, "is a folder"},
		{notDB, "is not an SQLite database"},
	} {
		doc := strings.Replace(valid, "path: /tmp/atrium.db", "path: "+tc.path, 1)
		_, err := Load([]byte(doc), registry(), vars)
		if tc.problem == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.path, err)
			}
			continue
		}
		var ps *Problems
		if !errors.As(err, &ps) || len(ps.List) != 1 || ps.List[0].Path != "store.path" ||
			!strings.Contains(ps.List[0].Message, tc.problem) || ps.List[0].Hint == "" || ps.List[0].Line == 0 {
			t.Errorf("%s: got %v, want one store.path problem %q with a fix", tc.path, err, tc.problem)
		}
	}
}
