package rest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/rest"
	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/demo/desk"
)

// validSettings is a small valid configuration that the cases below break
// one key at a time.
const validSettings = `settings:
  base_url: https://desk.example.com/api
  auth:
    type: bearer
    token: t0ken
  search:
    path: /search?query={q}
    items: .results
    id: .id
    name: .name
  facets:
    - name: account
      header: true
      path: /accounts/{id}
      fields:
        name: .name
    - name: tickets
      path: /accounts/{id}/tickets
      items: .tickets
      columns:
        - title: Subject
          value: .subject
`

func TestSettingsValid(t *testing.T) {
	s := mustSettings(t, validSettings)
	if s.MaxBody != rest.DefaultMaxBody || s.Currency != rest.DefaultCurrency {
		t.Errorf("defaults: max_body %d, currency %q; want %d, %q", s.MaxBody, s.Currency, rest.DefaultMaxBody, rest.DefaultCurrency)
	}
}

func TestSettingsProblems(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(secretFile, []byte("file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		old     string // replaced in validSettings
		new     string
		key     string
		message string
	}{
		{"missing base_url", "base_url: https://desk.example.com/api", "base_url: ''", "base_url", "is required"},
		{"base_url without scheme", "base_url: https://desk.example.com/api", "base_url: desk.example.com", "base_url", "not an absolute"},
		{"base_url with user", "base_url: https://desk.example.com/api", "base_url: https://me:pw@desk.example.com", "base_url", "user information"},
		{"plain http off loopback", "base_url: https://desk.example.com/api", "base_url: http://desk.example.com", "base_url", "plain http"},
		{"unknown auth type", "type: bearer", "type: kerberos", "auth.type", `"kerberos" is not an auth type`},
		{"bearer without token", "    token: t0ken\n", "", "auth.token", "is required"},
		{"token and token_file", "token: t0ken", "token: t0ken\n    token_file: " + secretFile, "auth.token", "together with token_file"},
		{"unreadable token_file", "token: t0ken", "token_file: /no/such/file", "auth.token_file", "cannot be read"},
		{"key of another auth type", "token: t0ken", "token: t0ken\n    username: me", "auth.username", "not used by auth type bearer"},
		{"basic without username", "type: bearer\n    token: t0ken", "type: basic\n    password: pw", "auth.username", "is required"},
		{"api_key without header", "type: bearer\n    token: t0ken", "type: api_key\n    key: k", "auth.header", "is required"},
		{"oauth2 without token_url", "type: bearer\n    token: t0ken", "type: oauth2\n    client_id: c\n    client_secret: s", "auth.token_url", "is required"},
		{"oauth2 without client_secret", "type: bearer\n    token: t0ken", "type: oauth2\n    token_url: https://idp.example.com/token\n    client_id: c", "auth.client_secret", "is required"},
		{"auth keys without type", "type: bearer\n", "", "auth.token", "no type"},
		{"jq compile error", "items: .results", "items: .[", "search.items", "not a valid jq expression"},
		{"jq compile error in a column", "value: .subject", "value: '.subject |'", "facets[1].columns[0].value", "not a valid jq expression"},
		{"unknown jq function", "name: .name\n  facets", "name: nosuchfunction(.name)\n  facets", "search.name", "not a valid jq expression"},
		{"search id missing", "    id: .id\n", "", "search.id", "is required"},
		{"search placeholder missing", "path: /search?query={q}", "path: /search?query=x", "search.path", "no placeholder {q}"},
		{"fetch placeholder missing", "path: /accounts/{id}/tickets", "path: /accounts/tickets", "facets[1].path", "no placeholder {id}"},
		{"wrong placeholder", "path: /accounts/{id}\n", "path: /accounts/{q}\n", "facets[0].path", "{q}; only {id}"},
		{"template on another host", "path: /search?query={q}", "path: https://other.example.com/search?query={q}", "search.path", "not to base_url's https://desk.example.com"},
		{"template placeholder in the host", "path: /accounts/{id}\n", "path: https://desk.example.com{id}/x\n", "facets[0].path", "placeholder in the host"},
		{"template without leading slash", "path: /accounts/{id}\n", "path: accounts/{id}\n", "facets[0].path", "must start with /"},
		{"template with dot segment", "path: /accounts/{id}\n", "path: /x/../accounts/{id}\n", "facets[0].path", ". or .. path segment"},
		{"no header facet", "header: true", "header: false", "facets", "0 header facets"},
		{"header without name", "        name: .name\n", "        website: .site\n", "facets[0].fields.name", "is required"},
		{"unknown header field", "        name: .name\n", "        name: .name\n        colour: .c\n", "facets[0].fields.colour", "not a header field"},
		{"duplicate facet name", "name: tickets", "name: account", "facets[1].name", "names another facet"},
		{"table without columns", "      columns:\n        - title: Subject\n          value: .subject\n", "", "facets[1].columns", "is required"},
		{"unknown value kind", "value: .subject", "value: .subject\n          kind: colour", "facets[1].columns[0].kind", "not a value kind"},
		{"column currency not a code", "value: .subject", "value: .subject\n          kind: money\n          currency: eur", "facets[1].columns[0].currency", `"eur" is not an ISO 4217 code`},
		{"summary currency not a code", "          value: .subject\n", "          value: .subject\n      summary:\n        - {label: Open, value: length, kind: money, currency: Euro}\n", "facets[1].summary[0].currency", `"Euro" is not an ISO 4217 code`},
		{"unknown pagination style", "items: .tickets", "items: .tickets\n      pagination: {style: offset}", "facets[1].pagination.style", "not a pagination style"},
		{"cursor without next", "items: .tickets", "items: .tickets\n      pagination: {style: cursor}", "facets[1].pagination.next", "is required"},
		{"next_link with a param", "items: .tickets", "items: .tickets\n      pagination: {style: next_link, next: .next, param: p}", "facets[1].pagination.param", "not used by style next_link"},
		{"max_pages out of range", "items: .tickets", "items: .tickets\n      max_pages: 1000", "facets[1].max_pages", "out of range"},
		{"max_body out of range", "  search:", "  max_body: 10B\n  search:", "max_body", "out of range"},
		{"header that Atrium sets", "  search:", "  headers: {Host: x}\n  search:", "headers.Host", "set by Atrium"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validSettings, tt.old) {
				t.Fatalf("validSettings holds no %q", tt.old)
			}
			doc := strings.Replace(validSettings, tt.old, tt.new, 1)
			_, probs := decodeSettings(t, doc)
			for _, p := range probs {
				if p.Key == tt.key && strings.Contains(p.Message, tt.message) {
					if p.Hint == "" {
						t.Errorf("problem %s %q has no hint", p.Key, p.Message)
					}
					if strings.Contains(p.Message+p.Hint, "t0ken") || strings.Contains(p.Message+p.Hint, "file-token") {
						t.Errorf("problem %s quotes a secret: %q %q", p.Key, p.Message, p.Hint)
					}
					return
				}
			}
			t.Errorf("problems %+v; want one at %s saying %q", probs, tt.key, tt.message)
		})
	}
}

func TestSettingsPaginationNone(t *testing.T) {
	mustSettings(t, strings.Replace(validSettings, "items: .tickets", "items: .tickets\n      pagination: none", 1))
}

func TestSettingsSecretFromFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, probs := decodeSettings(t, strings.Replace(validSettings, "token: t0ken", "token_file: "+file, 1))
	if len(probs) != 1 || probs[0].Key != "auth.token_file" || probs[0].Message != "is empty" {
		t.Errorf("problems %+v; want auth.token_file is empty", probs)
	}
}

func TestNewRejectsInvalidSettings(t *testing.T) {
	s := &rest.Settings{}
	if _, err := rest.New(adapters.Source{Name: "desk", Settings: s}); err == nil || !strings.Contains(err.Error(), "base_url") {
		t.Errorf("New with empty settings: %v; want an error naming base_url", err)
	}
}

// TestDemoSettingsLoad loads the demo desk's settings through the
// configuration loader, which rejects unknown keys and reports every problem.
func TestDemoSettingsLoad(t *testing.T) {
	reg := adapters.NewRegistry()
	reg.Add("rest", rest.Type())
	doc := `
server:
  public_url: https://atrium.example.com
auth:
  issuer: https://idp.example.com
  client_id: atrium
  client_secret: s3cret
store:
  path: /tmp/atrium.db
sources:
  - name: desk
    type: rest
`
	good := doc + indent(desk.DemoSettings("http://127.0.0.1:8081", "demo-token"), "    ")
	l, err := config.Load([]byte(good), reg, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("load demo settings: %v\n%s", err, good)
	}
	if s, ok := l.Settings[0].(*rest.Settings); !ok || s.BaseURL != "http://127.0.0.1:8081" {
		t.Fatalf("settings = %#v", l.Settings[0])
	}

	bad := strings.Replace(good, "style: next_link", "styel: next_link", 1)
	_, err = config.Load([]byte(bad), reg, func(string) (string, bool) { return "", false })
	if err == nil || !strings.Contains(err.Error(), "sources[0].settings.search.pagination.styel") {
		t.Errorf("load with a misspelt key: %v; want the unknown key reported with its path", err)
	}
}
