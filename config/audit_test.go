package config

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAuditOnByDefault(t *testing.T) {
	l, err := Load([]byte(valid), registry(), busEnv())
	if err != nil {
		t.Fatal(err)
	}
	if l.Audit.Disabled || l.Audit.CheckpointEvery != DefaultCheckpointEvery || l.Audit.Secret != "" || l.Audit.SigningKey != "" {
		t.Errorf("audit = %+v, want on, checkpoints every %d, keys generated", l.Audit, DefaultCheckpointEvery)
	}
}

func TestAuditKeysFromFiles(t *testing.T) {
	dir := t.TempDir()
	_, key, _ := ed25519.GenerateKey(nil)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyFile, secretFile := filepath.Join(dir, "signing.pem"), filepath.Join(dir, "secret")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	os.WriteFile(secretFile, []byte(strings.Repeat("k", 48)+"\n"), 0o600)
	doc := valid + "audit:\n  secret_file: " + secretFile + "\n  signing_key_file: " + keyFile +
		"\n  checkpoint_every: 50\n  checkpoint_file: " + filepath.Join(dir, "cp.jsonl") + "\n  retention: 2160h\n"
	l, err := Load([]byte(doc), registry(), busEnv())
	if err != nil {
		t.Fatal(err)
	}
	got, err := SigningKeyPEM(l.Audit.SigningKey)
	if err != nil || !got.Equal(key) || l.Audit.Secret != strings.Repeat("k", 48) || l.Audit.CheckpointEvery != 50 ||
		l.Audit.Retention.D() != 90*24*time.Hour {
		t.Errorf("audit = %+v, key %v", l.Audit, err)
	}
}

func TestAuditProblemsAreReportedWithTheRest(t *testing.T) {
	dir := t.TempDir()
	notKey := filepath.Join(dir, "not-a-key.pem")
	os.WriteFile(notKey, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	cases := []struct{ name, audit, path, text string }{
		{"short secret", "  secret: short\n", "audit.secret", "shorter than 32"},
		{"not a key", "  signing_key_file: " + notKey + "\n", "audit.signing_key_file", "not an Ed25519 private key"},
		{"missing key file", "  signing_key_file: " + notKey + ".missing\n", "audit.signing_key_file", "cannot read"},
		{"checkpoints", "  checkpoint_every: -1\n", "audit.checkpoint_every", "between 1 and"},
		{"checkpoint folder", "  checkpoint_file: " + filepath.Join(dir, "nowhere", "cp.jsonl") + "\n", "audit.checkpoint_file", "does not exist"},
		{"retention", "  retention: 1h\n", "audit.retention", "shorter than a day"},
		{"unknown key", "  retension: 24h\n", "audit.retension", `did you mean "retention"?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load([]byte(valid+"log:\n  level: loud\naudit:\n"+c.audit), registry(), busEnv())
			var ps *Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want *Problems, got %v", err)
			}
			var found, level bool
			for _, p := range ps.List {
				found = found || (p.Path == c.path && strings.Contains(p.String(), c.text) && p.Line > 0)
				level = level || p.Path == "log.level"
			}
			if !found || !level {
				t.Errorf("want %s (%s) at its line and log.level, got:\n%v", c.path, c.text, err)
			}
		})
	}
}
