package rest_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/rest"
)

const testSource = "desk"

// decodeSettings reads a `settings:` block the way the config loader does and
// validates it.
func decodeSettings(t *testing.T, doc string) (*rest.Settings, []adapters.Problem) {
	t.Helper()
	var wrapper struct {
		Settings yaml.Node `yaml:"settings"`
	}
	if err := yaml.Unmarshal([]byte(doc), &wrapper); err != nil {
		t.Fatalf("settings are not YAML: %v\n%s", err, doc)
	}
	s := &rest.Settings{}
	if err := wrapper.Settings.Decode(s); err != nil {
		t.Fatalf("decode settings: %v\n%s", err, doc)
	}
	return s, s.Validate()
}

// mustSettings is decodeSettings for settings that must be valid.
func mustSettings(t *testing.T, doc string) *rest.Settings {
	t.Helper()
	s, probs := decodeSettings(t, doc)
	if len(probs) > 0 {
		t.Fatalf("settings problems: %+v\n%s", probs, doc)
	}
	return s
}

// logBuffer collects an adapter's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newAdapter builds an adapter of settings doc, with its log in logs (may be nil).
func newAdapter(t *testing.T, doc string, hc *http.Client, logs *logBuffer) adapters.Adapter {
	t.Helper()
	src := adapters.Source{Name: testSource, Title: "Desk", Timeout: 10 * time.Second, Settings: mustSettings(t, doc), HTTP: hc}
	if logs != nil {
		src.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	a, err := rest.New(src)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// indent shifts YAML lines right, to embed a block.
func indent(s, by string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = by + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
