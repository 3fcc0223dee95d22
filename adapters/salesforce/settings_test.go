package salesforce

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSettingsValidate(t *testing.T) {
	_, keyPEM := newTestKey(t)
	keyFile := writeFile(t, "server.key", keyPEM)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecFile := writeFile(t, "ec.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))
	garbageFile := writeFile(t, "garbage.key", []byte("not a key"))
	secretFile := writeFile(t, "secret", []byte("s3cret\n"))
	emptyFile := writeFile(t, "empty", nil)
	missing := filepath.Join(t.TempDir(), "missing.key")

	jwtOK := func(s Settings) Settings {
		s.Flow, s.ClientID, s.Username = "jwt", "3MVG9-key", "integration@acme.example"
		if s.PrivateKey == "" && s.PrivateKeyFile == "" {
			s.PrivateKeyFile = keyFile
		}
		return s
	}
	ccOK := func(s Settings) Settings {
		s.Flow, s.ClientID = "client_credentials", "3MVG9-key"
		if s.LoginURL == "" {
			s.LoginURL = "https://acme.my.salesforce.com"
		}
		if s.ClientSecret == "" && s.ClientSecretFile == "" {
			s.ClientSecret = "s3cret"
		}
		return s
	}
	tests := []struct {
		name string
		s    Settings
		keys []string // problem keys, in any order
	}{
		{"empty", Settings{}, []string{"client_id", "flow"}},
		{"jwt key file", jwtOK(Settings{}), nil},
		{"jwt key PEM", jwtOK(Settings{PrivateKey: string(keyPEM)}), nil},
		{"jwt key PEM on one line", jwtOK(Settings{PrivateKey: strings.ReplaceAll(string(keyPEM), "\n", `\n`)}), nil},
		{"jwt sandbox", jwtOK(Settings{LoginURL: "https://test.salesforce.com/"}), nil},
		{"jwt simulator", jwtOK(Settings{LoginURL: "http://127.0.0.1:8089"}), nil},
		{"jwt missing", Settings{Flow: "jwt", ClientID: "id"}, []string{"username", "private_key_file"}},
		{"jwt unreadable", jwtOK(Settings{PrivateKeyFile: missing}), []string{"private_key_file"}},
		{"jwt garbage", jwtOK(Settings{PrivateKeyFile: garbageFile}), []string{"private_key_file"}},
		{"jwt not RSA", jwtOK(Settings{PrivateKeyFile: ecFile}), []string{"private_key_file"}},
		{"jwt bad PEM", jwtOK(Settings{PrivateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}), []string{"private_key"}},
		{"jwt two keys", jwtOK(Settings{PrivateKey: string(keyPEM), PrivateKeyFile: keyFile}), []string{"private_key"}},
		{"jwt with secret", jwtOK(Settings{ClientSecret: "x"}), []string{"client_secret"}},
		{"jwt audience", jwtOK(Settings{Audience: "login.salesforce.com"}), []string{"audience"}},
		{"jwt site audience", jwtOK(Settings{Audience: "https://acme.my.site.com/partners"}), nil},
		{"cc", ccOK(Settings{}), nil},
		{"cc secret file", ccOK(Settings{ClientSecretFile: secretFile}), nil},
		{"cc empty secret file", ccOK(Settings{ClientSecretFile: emptyFile}), []string{"client_secret_file"}},
		{"cc unreadable secret", ccOK(Settings{ClientSecretFile: missing}), []string{"client_secret_file"}},
		{"cc two secrets", ccOK(Settings{ClientSecret: "a", ClientSecretFile: secretFile}), []string{"client_secret"}},
		{"cc no login URL", Settings{Flow: "client_credentials", ClientID: "id", ClientSecret: "s"}, []string{"login_url"}},
		{"cc generic login", ccOK(Settings{LoginURL: "https://login.salesforce.com"}), []string{"login_url"}},
		{"cc without secret", Settings{Flow: "client_credentials", ClientID: "id", LoginURL: "https://acme.my.salesforce.com"}, []string{"client_secret"}},
		{"cc with jwt keys", ccOK(Settings{Username: "u", PrivateKeyFile: keyFile}), []string{"username", "private_key_file"}},
		{"unknown flow", Settings{Flow: "password", ClientID: "id"}, []string{"flow"}},
		{"plain http", jwtOK(Settings{LoginURL: "http://acme.my.salesforce.com"}), []string{"login_url"}},
		{"url path", jwtOK(Settings{LoginURL: "https://acme.my.salesforce.com/services/oauth2/token"}), []string{"login_url"}},
		{"not a url", jwtOK(Settings{LoginURL: "acme"}), []string{"login_url"}},
		{"version with v", jwtOK(Settings{APIVersion: "v62.0"}), []string{"api_version"}},
		{"version no minor", jwtOK(Settings{APIVersion: "62"}), []string{"api_version"}},
		{"version ok", jwtOK(Settings{APIVersion: "59.0"}), nil},
		{"batch small", jwtOK(Settings{BatchSize: 100}), []string{"batch_size"}},
		{"batch ok", jwtOK(Settings{BatchSize: 500}), nil},
		{"rows negative", jwtOK(Settings{MaxRows: -1}), []string{"max_rows"}},
		{"rows huge", jwtOK(Settings{MaxRows: 20000}), []string{"max_rows"}},
		{"currency", jwtOK(Settings{Currency: "usd"}), []string{"currency"}},
		{"everything wrong", Settings{Flow: "jwt", LoginURL: "ftp://x", APIVersion: "x", BatchSize: 1, MaxRows: -5, Currency: "€"},
			[]string{"client_id", "username", "private_key_file", "login_url", "api_version", "batch_size", "max_rows", "currency"}},
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
			}
			slices.Sort(keys)
			want := slices.Clone(tt.keys)
			slices.Sort(want)
			if !slices.Equal(keys, want) {
				t.Errorf("problems %v, want keys %v", probs, want)
			}
			if s.valid != (len(probs) == 0) {
				t.Errorf("valid = %v with %d problems", s.valid, len(probs))
			}
		})
	}
}

func TestSettingsDefaultsAndResolution(t *testing.T) {
	_, keyPEM := newTestKey(t)
	s := Settings{Flow: "jwt", ClientID: "id", Username: " u@acme.example ", PrivateKeyFile: writeFile(t, "k", keyPEM)}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	if s.LoginURL != "https://login.salesforce.com" || s.APIVersion != "62.0" || s.MaxRows != 2000 || s.Currency != "USD" || s.BatchSize != 0 {
		t.Errorf("defaults not applied: %+v", s)
	}
	j, ok := s.credentials().(JWTBearer)
	if !ok || j.Key == nil || j.ClientID != "id" || j.Username != "u@acme.example" {
		t.Errorf("credentials = %#v", s.credentials())
	}

	cc := Settings{Flow: "client_credentials", ClientID: "id", LoginURL: "https://acme.my.salesforce.com",
		ClientSecretFile: writeFile(t, "secret", []byte("  s3cret\n"))}
	if probs := cc.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	if got := cc.credentials(); got != (ClientCredentials{ClientID: "id", ClientSecret: "s3cret"}) {
		t.Errorf("credentials = %#v", got)
	}
}

func TestSettingsUnreadableKeySaysWhy(t *testing.T) {
	s := Settings{Flow: "jwt", ClientID: "id", Username: "u", PrivateKeyFile: "/nonexistent/server.key"}
	probs := s.Validate()
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "no such file") || !strings.Contains(probs[0].Hint, "path") {
		t.Errorf("problems = %+v", probs)
	}
}
