package sqldb_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/sqldb"
	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/demo/erp"
)

// configWith returns a whole configuration whose one source is a sqldb source
// with these settings.
func configWith(settings string) []byte {
	indented := "      " + strings.ReplaceAll(strings.TrimRight(settings, "\n"), "\n", "\n      ")
	return []byte(`
server:
  public_url: https://atrium.example.com
  session_secret: ` + strings.Repeat("x", 40) + `
auth:
  issuer: https://idp.example.com
  client_id: atrium
  client_secret: s3cret
store:
  path: /tmp/atrium.db
sources:
  - name: erp
    type: sqldb
    settings:
` + indented + "\n")
}

func registry() *adapters.Registry {
	r := adapters.NewRegistry()
	r.Add("sqldb", sqldb.Type())
	return r
}

func noEnv(string) (string, bool) { return "", false }

// TestConfigLoader reads the demo settings through the loader of atrium's
// configuration file, which rejects unknown keys and reports key paths.
func TestConfigLoader(t *testing.T) {
	l, err := config.Load(configWith(erp.DemoSettings("/var/lib/atrium/erp.db")), registry(), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	s := l.Settings[0].(*sqldb.Settings)
	if s.Facets[1].MaxRows != 25 || s.Search.ExternalSystem != "salesforce" {
		t.Errorf("settings = %+v, want the demo's", s)
	}

	broken := strings.Replace(erp.DemoSettings("/var/lib/atrium/erp.db"), "    title: Recent orders\n", "    title: Recent orders\n    timeout: 10m\n    colour: red\n", 1)
	_, err = config.Load(configWith(broken), registry(), noEnv)
	var ps *config.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load = %v, want *config.Problems", err)
	}
	got := map[string]bool{}
	for _, p := range ps.List {
		got[p.Path] = true
	}
	if !got["sources[0].settings.facets[1].colour"] {
		t.Errorf("problems %v, want the unknown key sources[0].settings.facets[1].colour", ps)
	}
	// Validation runs once decoding succeeded: fix the key, keep the timeout.
	_, err = config.Load(configWith(strings.Replace(broken, "    colour: red\n", "", 1)), registry(), noEnv)
	if !errors.As(err, &ps) || len(ps.List) != 1 || ps.List[0].Path != "sources[0].settings.facets[1].timeout" || ps.List[0].Line == 0 {
		t.Errorf("Load = %v, want one problem at sources[0].settings.facets[1].timeout with its line", err)
	}
}
