package stripe

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSettingsValidate(t *testing.T) {
	const key = "sk_live_51Habc123XYZ"
	keyFile := writeFile(t, "key", key+"\n")
	emptyFile := writeFile(t, "empty", "\n")
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name string
		s    Settings
		keys []string // problem keys, in any order
	}{
		{"empty", Settings{}, []string{"api_key"}},
		{"secret key", Settings{APIKey: key}, nil},
		{"test key", Settings{APIKey: "sk_test_4eC39HqLyjWDarjtT1zdp7dc"}, nil},
		{"restricted key", Settings{APIKey: "rk_live_51Habc"}, nil},
		{"key with spaces", Settings{APIKey: "  " + key + " "}, nil},
		{"key file", Settings{APIKeyFile: keyFile}, nil},
		{"both", Settings{APIKey: key, APIKeyFile: keyFile}, []string{"api_key"}},
		{"publishable key", Settings{APIKey: "pk_live_51Habc"}, []string{"api_key"}},
		{"not a key", Settings{APIKey: "hunter2"}, []string{"api_key"}},
		{"prefix only", Settings{APIKey: "sk_test_"}, []string{"api_key"}},
		{"odd characters", Settings{APIKey: "sk_test_abc$def"}, []string{"api_key"}},
		{"unreadable file", Settings{APIKeyFile: missing}, []string{"api_key_file"}},
		{"empty file", Settings{APIKeyFile: emptyFile}, []string{"api_key_file"}},
		{"stripe-mock", Settings{APIKey: key, BaseURL: "http://127.0.0.1:12111"}, nil},
		{"localhost", Settings{APIKey: key, BaseURL: "http://localhost:12111/"}, nil},
		{"https proxy with path", Settings{APIKey: key, BaseURL: "https://egress.example.com/stripe"}, nil},
		{"plain http", Settings{APIKey: key, BaseURL: "http://api.stripe.com"}, []string{"base_url"}},
		{"no scheme", Settings{APIKey: key, BaseURL: "api.stripe.com"}, []string{"base_url"}},
		{"credentials", Settings{APIKey: key, BaseURL: "https://user:pw@proxy.example.com"}, []string{"base_url"}},
		{"query", Settings{APIKey: key, BaseURL: "https://api.stripe.com?x=1"}, []string{"base_url"}},
		{"demo dashboard", Settings{APIKey: key, DashboardURL: "http://127.0.0.1:8123/"}, nil},
		{"dashboard over plain http", Settings{APIKey: key, DashboardURL: "http://dashboard.example.com"}, []string{"dashboard_url"}},
		{"dashboard not a URL", Settings{APIKey: key, DashboardURL: "dashboard.stripe.com"}, []string{"dashboard_url"}},
		{"metadata key", Settings{APIKey: key, MatchMetadataKey: "crm_id"}, nil},
		{"metadata key brackets", Settings{APIKey: key, MatchMetadataKey: "crm[id]"}, []string{"match_metadata_key"}},
		{"metadata key too long", Settings{APIKey: key, MatchMetadataKey: strings.Repeat("k", 41)}, []string{"match_metadata_key"}},
		{"max rows", Settings{APIKey: key, MaxRows: 1000}, nil},
		{"max rows out of range", Settings{APIKey: key, MaxRows: 1001}, []string{"max_rows"}},
		{"negative max rows", Settings{APIKey: key, MaxRows: -1}, []string{"max_rows"}},
		{"everything wrong", Settings{APIKey: "pk_test_x", BaseURL: "ftp://x", MatchMetadataKey: "[", MaxRows: -5},
			[]string{"api_key", "base_url", "match_metadata_key", "max_rows"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			probs := s.Validate()
			var keys []string
			for _, p := range probs {
				keys = append(keys, p.Key)
				if p.Message == "" || p.Hint == "" {
					t.Errorf("problem %+v lacks a message or a hint", p)
				}
				if strings.Contains(p.Message+p.Hint, "hunter2") || strings.Contains(p.Message+p.Hint, "51Habc") {
					t.Errorf("problem %+v quotes the key", p)
				}
			}
			slices.Sort(keys)
			want := slices.Clone(tt.keys)
			slices.Sort(want)
			if !slices.Equal(keys, want) {
				t.Errorf("problems %+v, want keys %v", probs, want)
			}
		})
	}
}

func TestSettingsDefaults(t *testing.T) {
	s := Settings{APIKeyFile: writeFile(t, "key", "rk_test_abc\n")}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	if s.BaseURL != DefaultBaseURL || s.DashboardURL != "https://dashboard.stripe.com" ||
		s.MatchMetadataKey != DefaultMatchMetadataKey || s.MaxRows != DefaultMaxRows {
		t.Errorf("defaults = %q, %q, %q, %d", s.BaseURL, s.DashboardURL, s.MatchMetadataKey, s.MaxRows)
	}
	if s.key != "rk_test_abc" || !s.testMode() {
		t.Errorf("key read from the file = %q, test mode %v", s.key, s.testMode())
	}
}

func TestSettingsNeverPrintTheKey(t *testing.T) {
	s := &Settings{APIKey: "sk_live_secret123"}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("settings", "s", *s)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v", *s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), logged.String()} {
		if strings.Contains(out, "secret123") {
			t.Errorf("printed settings quote the key: %s", out)
		}
	}
}

func TestTypeAndNewDoNoIO(t *testing.T) {
	typ := Type()
	s, ok := typ.NewSettings().(*Settings)
	if !ok {
		t.Fatalf("NewSettings() = %T", typ.NewSettings())
	}
	s.APIKey = "sk_test_abc"
	noIO := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("New made a request: %s", r.URL)
		return nil, errors.New("no I/O expected")
	})}
	a, err := typ.New(adapters.Source{Name: testSource, Settings: s, HTTP: noIO})
	if err != nil || a == nil {
		t.Fatalf("New = %v, %v", a, err)
	}
	if _, err := typ.New(adapters.Source{Name: testSource, Settings: &Settings{APIKey: "pk_test_x"}}); err == nil || strings.Contains(err.Error(), "pk_test_x") {
		t.Errorf("New with invalid settings = %v, want an error that does not quote the key", err)
	}
}
