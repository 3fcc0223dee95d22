package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/store"
)

// auditStore is the store as the audit trail and its command use it.
type auditStore interface {
	audit.Store
	secrets
}

var (
	_ auditStore = (*store.SQLite)(nil)
	_ auditStore = (*store.Postgres)(nil)
	_ auditStore = (*store.DB)(nil)
)

// auditKeys are the trail's keys: from the configuration, or generated once
// and kept in the store.
func auditKeys(ctx context.Context, c config.Audit, st secrets) (*audit.Keys, error) {
	secret := []byte(c.Secret)
	if len(secret) == 0 {
		var err error
		if secret, err = st.Secret(ctx, "audit-secret", randomBytes(48)); err != nil {
			return nil, err
		}
	}
	var signer ed25519.PrivateKey
	if c.SigningKey != "" {
		var err error
		if signer, err = config.SigningKeyPEM(c.SigningKey); err != nil {
			return nil, fmt.Errorf("audit.signing_key: %w", err)
		}
	} else {
		seed, err := st.Secret(ctx, "audit-signing-key", randomBytes(ed25519.SeedSize))
		if err != nil {
			return nil, err
		}
		signer = ed25519.NewKeyFromSeed(seed)
	}
	return audit.NewKeys(secret, signer)
}

func randomBytes(n int) func() ([]byte, error) {
	return func() ([]byte, error) {
		b := make([]byte, n)
		_, err := rand.Read(b)
		return b, err
	}
}

// openAudit starts the trail c configures on st.
func openAudit(ctx context.Context, c config.Audit, st auditStore, logger *slog.Logger) (*audit.Trail, *audit.Log, error) {
	keys, err := auditKeys(ctx, c, st)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: %w", err)
	}
	mirror := func(cp store.AuditCheckpoint) error {
		logger.Info("audit checkpoint", "seq", cp.Seq, "head", fmt.Sprintf("%x", cp.Head), "key_id", cp.KeyID,
			"signature", fmt.Sprintf("%x", cp.Signature))
		return nil
	}
	if c.CheckpointFile != "" {
		mirror = func(cp store.AuditCheckpoint) error { return appendCheckpoint(c.CheckpointFile, cp) }
	}
	trail, err := audit.New(ctx, st, keys, audit.Options{CheckpointEvery: c.CheckpointEvery, Mirror: mirror,
		Retention: c.Retention.D(), Log: logger})
	if err != nil {
		return nil, nil, fmt.Errorf("audit: %w", err)
	}
	return trail, audit.NewLog(st, keys), nil
}

// checkpointLine is a checkpoint as audit.checkpoint_file holds it.
type checkpointLine struct {
	Seq       int64     `json:"seq"`
	Head      []byte    `json:"head"`
	At        time.Time `json:"at"`
	KeyID     string    `json:"key_id"`
	Signature []byte    `json:"signature"`
}

func appendCheckpoint(path string, cp store.AuditCheckpoint) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	line, _ := json.Marshal(checkpointLine(cp))
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readCheckpoints(path string) ([]store.AuditCheckpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []store.AuditCheckpoint
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var l checkpointLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s line %d: not a checkpoint: %w", path, n, err)
		}
		out = append(out, store.AuditCheckpoint(l))
	}
	return out, sc.Err()
}

const auditUsage = `usage:
  atrium audit verify --config FILE [--checkpoints FILE]
        Check the audit trail's chain and signed checkpoints, and those
        copied to audit.checkpoint_file (or FILE); say where it breaks.
  atrium audit erase --config FILE --subject SUBJECT
        Make every audit record of SUBJECT (the identity provider's
        subject) name nobody; the chain still verifies.
`

// errAuditBroken is verify's answer for a trail that does not verify.
var errAuditBroken = errors.New("the audit trail does not verify")

func runAudit(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "erase") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return helpRequest{auditUsage}
		}
		return usageError{"name what to do: verify or erase\n" + auditUsage}
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
	path := fs.String("config", "", "configuration file")
	cpFile := fs.String("checkpoints", "", "checkpoint copies (default: audit.checkpoint_file)")
	subject := fs.String("subject", "", "whose records to erase")
	usage := "atrium audit verify --config FILE [--checkpoints FILE]"
	if args[0] == "erase" {
		usage = "atrium audit erase --config FILE --subject SUBJECT"
	}
	if err := parseArgs(fs, args[1:], 0, usage); err != nil {
		return err
	}
	if *path == "" {
		return usageError{"--config is missing\nusage: " + usage}
	}
	if args[0] == "erase" && *subject == "" {
		return usageError{"--subject is missing\nusage: " + usage}
	}
	l, err := loadConfig(*path)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, l.Store)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := auditKeys(ctx, l.Audit, st)
	if err != nil {
		return err
	}
	if args[0] == "erase" {
		if err := audit.NewLog(st, keys).Erase(ctx, *subject); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "erased: the audit trail no longer names %s\n", *subject)
		return nil
	}
	var mirrored []store.AuditCheckpoint
	if f := cmp.Or(*cpFile, l.Audit.CheckpointFile); f != "" {
		mirrored, err = readCheckpoints(f)
		if err != nil && !(errors.Is(err, os.ErrNotExist) && *cpFile == "") {
			return fmt.Errorf("read checkpoint copies: %w", err)
		}
	}
	rep, err := audit.Verify(ctx, st, keys.Public(), mirrored)
	if err != nil {
		return err
	}
	if rep.Records == 0 && rep.OK() {
		fmt.Fprintln(stdout, "OK: the audit trail is empty")
		return nil
	}
	fmt.Fprintf(stdout, "records %d to %d (%d), %d signed checkpoint(s), %d copied\n", rep.First, rep.Last, rep.Records, rep.Checkpoints, len(mirrored))
	if rep.OK() {
		fmt.Fprintln(stdout, "OK: every record is chained and every checkpoint holds")
		return nil
	}
	fmt.Fprintf(stdout, "BROKEN at record %d: %s\n", rep.Problems[0].Seq, rep.Problems[0].What)
	for _, p := range rep.Problems[1:] {
		fmt.Fprintf(stdout, "  then %s\n", p)
	}
	fmt.Fprintf(stdout, "fix: treat the records from %d on as untrusted; compare them with a backup of the database taken before, "+
		"keep the checkpoint copies as they are, and find out who could write to the database\n", rep.Problems[0].Seq)
	return errAuditBroken
}
