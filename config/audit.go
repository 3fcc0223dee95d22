package config

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Audit configures the audit trail: who saw which customer's data and what
// they did, hash-chained in the store with signed checkpoints.
type Audit struct {
	// Disabled turns the trail off (it is on by default).
	Disabled bool `yaml:"disabled"`
	// Secret (at least 32 characters) derives the pseudonyms of people in
	// the trail and wraps the per-person keys that seal their names.
	// Absent: generated once and kept in the store.
	Secret     string `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
	// SigningKey is an Ed25519 private key in PEM (PKCS #8, as
	// `openssl genpkey -algorithm ed25519` writes it) that signs
	// checkpoints. Absent: generated once and kept in the store; keep it
	// elsewhere, with checkpoint_file, so that whoever can write the
	// database cannot also sign.
	SigningKey     string `yaml:"signing_key"`
	SigningKeyFile string `yaml:"signing_key_file"`
	// CheckpointEvery is how many records a checkpoint covers at most.
	CheckpointEvery int `yaml:"checkpoint_every"`
	// CheckpointFile, when set, receives a copy of every checkpoint (one
	// JSON line each): the second place that shows records cut off the
	// trail's end. Absent: the copies go to the log.
	CheckpointFile string `yaml:"checkpoint_file"`
	// Retention is how long records are kept (0: for good); older whole
	// segments are pruned, their signed checkpoint kept.
	Retention Duration `yaml:"retention"`
}

// DefaultCheckpointEvery is audit.checkpoint_every when absent.
const DefaultCheckpointEvery = 1000

func (a *Audit) applyDefaults() {
	if a.CheckpointEvery == 0 {
		a.CheckpointEvery = DefaultCheckpointEvery
	}
}

// SigningKeyPEM parses a checkpoint signing key.
func SigningKeyPEM(s string) (ed25519.PrivateKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, fmt.Errorf("not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an Ed25519 key", k)
	}
	return ek, nil
}

func (v *validator) validateAudit(a *Audit) {
	v.secretFile("audit", "secret", &a.Secret, a.SecretFile)
	v.secretFile("audit", "signing_key", &a.SigningKey, a.SigningKeyFile)
	if a.Secret != "" && len(a.Secret) < 32 {
		v.at("audit.secret", "audit.secret", "is shorter than 32 characters", "generate one with: openssl rand -base64 48")
	}
	if a.SigningKey != "" {
		if _, err := SigningKeyPEM(a.SigningKey); err != nil {
			key := "audit.signing_key"
			if a.SigningKeyFile != "" {
				key = "audit.signing_key_file"
			}
			v.at(key, key, fmt.Sprintf("is not an Ed25519 private key in PEM: %v", err),
				"generate one with: openssl genpkey -algorithm ed25519 -out audit-signing.pem")
		}
	}
	if a.CheckpointEvery < 1 || a.CheckpointEvery > 1_000_000 {
		v.at("audit.checkpoint_every", "audit.checkpoint_every", "must be between 1 and 1000000", "e.g. 1000")
	}
	if f := a.CheckpointFile; f != "" {
		if dir := filepath.Dir(f); !isDir(dir) {
			v.at("audit.checkpoint_file", "audit.checkpoint_file", fmt.Sprintf("the folder %s does not exist", dir),
				"create it, or name a file in a folder Atrium's user may write")
		} else if fi, err := os.Stat(f); err == nil && fi.IsDir() {
			v.at("audit.checkpoint_file", "audit.checkpoint_file", "is a folder", "name a file, e.g. "+filepath.Join(f, "audit-checkpoints.jsonl"))
		}
	}
	if r := time.Duration(a.Retention); r != 0 && r < 24*time.Hour {
		v.at("audit.retention", "audit.retention", "is shorter than a day", "give at least 24h, e.g. 8760h for a year, or leave it out to keep records for good")
	}
}
