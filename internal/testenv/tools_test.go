package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The binaries are found where scripts/install-test-deps.sh records them,
// in $ATRIUM_TOOLS_CACHE when set, as the script writes them there.
func TestToolBinariesFromTheRecordedPath(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("ATRIUM_TOOLS_CACHE", cache)
	for _, tool := range []struct {
		name, env string
		find      func() (string, error)
	}{
		{"dex", "ATRIUM_DEX", DexBinary},
		{"stripe-mock", "ATRIUM_STRIPE_MOCK", StripeMockBinary},
	} {
		t.Run(tool.name, func(t *testing.T) {
			t.Setenv(tool.env, "")
			if _, err := tool.find(); err == nil || !strings.Contains(err.Error(), "no recorded "+tool.name) {
				t.Errorf("nothing recorded: err = %v, want one saying so", err)
			}
			bin := filepath.Join(cache, tool.name+"-v1", tool.name)
			if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(cache, tool.name+"-path"), []byte(bin+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := tool.find(); err == nil || !strings.Contains(err.Error(), "not an executable") {
				t.Errorf("recorded file not executable: err = %v, want one saying so", err)
			}
			if err := os.Chmod(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			if got, err := tool.find(); err != nil || got != bin {
				t.Errorf("found %q, %v; want the recorded %s", got, err, bin)
			}
			t.Setenv(tool.env, bin+"-elsewhere")
			if got, err := tool.find(); err == nil {
				t.Errorf("$%s names a missing file, found %q; want an error", tool.env, got)
			}
		})
	}
}
