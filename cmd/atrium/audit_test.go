package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/store"
)

// `atrium audit verify` says OK for the trail serve wrote, and where it
// breaks once a record is changed or the newest are cut off; `atrium audit
// erase` makes a person's records name nobody, and the trail still verifies.
func TestAuditCommand(t *testing.T) {
	dir := t.TempDir()
	copies := filepath.Join(dir, "audit-checkpoints.jsonl")
	cfg := exampleConfig(t, dir)
	cfg = writeFile(t, cfg, readFile(t, cfg)+"audit:\n  checkpoint_every: 4\n  checkpoint_file: "+copies+"\n")
	l, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, l.Store)
	if err != nil {
		t.Fatal(err)
	}
	trail, _, err := openAudit(ctx, l.Audit, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		trail.Record(audit.Event{Kind: audit.KindCustomerView, Customer: "C1", Actor: audit.Actor{Subject: []string{"alice", "bob"}[i%2]}})
		if i%4 == 3 {
			trail.Sync(ctx)
		}
	}
	if err := trail.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()

	cmd := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"audit"}, args...), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := cmd("verify", "--config", cfg); code != exitOK || !strings.Contains(out, "records 1 to 10 (10), 3 signed checkpoint(s), 3 copied") || !strings.Contains(out, "OK:") {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	if code, out := cmd("erase", "--config", cfg, "--subject", "alice"); code != exitOK || !strings.Contains(out, "no longer names alice") {
		t.Fatalf("erase: %d\n%s", code, out)
	}
	if code, out := cmd("verify", "--config", cfg); code != exitOK {
		t.Fatalf("verify after erasure: %d\n%s", code, out)
	}

	raw, err := sql.Open("sqlite", l.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Cut off the newest records, with the head and the stored checkpoints:
	// only the copies show it.
	var hash []byte
	raw.QueryRow(`SELECT hash FROM audit_records WHERE seq = 8`).Scan(&hash)
	for _, q := range []string{`DELETE FROM audit_records WHERE seq > 8`, `DELETE FROM audit_checkpoints WHERE seq > 8`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Exec(`UPDATE audit_head SET seq = 8, hash = ?`, hash)
	code, out := cmd("verify", "--config", cfg)
	if code != exitFailure || !strings.Contains(out, "BROKEN at record 9: records 9 to 10 are missing") ||
		!strings.Contains(out, "fix: treat the records from 9 on as untrusted") {
		t.Fatalf("verify after truncation: %d\n%s", code, out)
	}
	if code, out := cmd("verify"); code != exitUsage || !strings.Contains(out, "--config is missing") {
		t.Errorf("verify without --config: %d\n%s", code, out)
	}
	if code, out := cmd("--help"); code != exitOK || !strings.Contains(out, "atrium audit verify") {
		t.Errorf("help: %d\n%s", code, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
