package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func busEnv() func(string) (string, bool) {
	return env(map[string]string{"SECRET": strings.Repeat("x", 40), "LIMIT": "7"})
}

func TestBusDefaultsToInProcess(t *testing.T) {
	l, err := Load([]byte(valid), registry(), busEnv())
	if err != nil {
		t.Fatal(err)
	}
	if l.Bus.RedisURL != "" || l.Bus.Prefix != DefaultBusPrefix {
		t.Errorf("bus = %+v, want no Redis and prefix %q", l.Bus, DefaultBusPrefix)
	}
}

func TestBusRedisURLFromKeyOrFile(t *testing.T) {
	doc := valid + "bus:\n  redis_url: rediss://bus.internal:6380/1\n  prefix: \"portal-a:\"\n"
	l, err := Load([]byte(doc), registry(), busEnv())
	if err != nil {
		t.Fatal(err)
	}
	if l.Bus.RedisURL != "rediss://bus.internal:6380/1" || l.Bus.Prefix != "portal-a:" {
		t.Errorf("bus = %+v", l.Bus)
	}

	file := filepath.Join(t.TempDir(), "bus-url")
	if err := os.WriteFile(file, []byte("redis://:pw@bus.internal:6379/0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err = Load([]byte(valid+"bus:\n  redis_url_file: "+file+"\n"), registry(), busEnv())
	if err != nil {
		t.Fatal(err)
	}
	if l.Bus.RedisURL != "redis://:pw@bus.internal:6379/0" {
		t.Errorf("redis_url_file not read: %q", l.Bus.RedisURL)
	}
}

// The bus's problems are reported together with every other one, each at
// its key and line.
func TestBusProblemsAreReportedWithTheRest(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bus-url")
	if err := os.WriteFile(file, []byte("redis://bus.internal:6379/0"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, bus, path, text string
	}{
		{"not redis", "  redis_url: http://bus.internal:6379\n", "bus.redis_url", "is not a Redis URL"},
		{"no host", "  redis_url: redis:///0\n", "bus.redis_url", "is not a Redis URL"},
		{"both", "  redis_url: redis://a:6379/0\n  redis_url_file: " + file + "\n", "bus.redis_url_file", "both redis_url and redis_url_file are set"},
		{"unreadable file", "  redis_url_file: " + file + ".missing\n", "bus.redis_url_file", "cannot read"},
		{"unknown key", "  redis_ur: redis://a:6379/0\n", "bus.redis_ur", `did you mean "redis_url"?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := valid + "log:\n  level: loud\nbus:\n" + c.bus
			_, err := Load([]byte(doc), registry(), busEnv())
			var ps *Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want *Problems, got %v", err)
			}
			var bus, level bool
			for _, p := range ps.List {
				if p.Path == c.path && strings.Contains(p.String(), c.text) {
					bus = true
					if p.Line == 0 {
						t.Errorf("%s: no line number", p.Path)
					}
				}
				level = level || p.Path == "log.level"
			}
			if !bus || !level {
				t.Errorf("want %s (%s) and log.level reported, got:\n%v", c.path, c.text, err)
			}
		})
	}
}
