package adapters

import (
	"log/slog"
	"strings"
	"testing"
)

// testSettings counts its validations; Problems are what Validate finds.
type testSettings struct {
	Problems    []Problem
	validations int
	valid       bool
}

func (s *testSettings) Validate() []Problem {
	s.validations++
	s.valid = len(s.Problems) == 0
	return s.Problems
}

func (s *testSettings) Valid() bool { return s.valid }

func TestSettingsOf(t *testing.T) {
	t.Run("validates settings nobody validated", func(t *testing.T) {
		s := &testSettings{}
		got, err := SettingsOf[testSettings]("kind", Source{Name: "src", Settings: s})
		if err != nil || got != s || s.validations != 1 {
			t.Errorf("SettingsOf = %p, %v after %d validations; want %p, nil after 1", got, err, s.validations, s)
		}
	})
	t.Run("does not validate valid settings again", func(t *testing.T) {
		s := &testSettings{}
		s.Validate()
		if _, err := SettingsOf[testSettings]("kind", Source{Name: "src", Settings: s}); err != nil || s.validations != 1 {
			t.Errorf("SettingsOf = %v after %d validations; want nil after 1", err, s.validations)
		}
	})
	t.Run("reports every problem", func(t *testing.T) {
		s := &testSettings{Problems: []Problem{{"a", "is wrong", "fix a"}, {"b", "is missing", "set b"}}}
		_, err := SettingsOf[testSettings]("kind", Source{Name: "src", Settings: s})
		if err == nil || !strings.Contains(err.Error(), `kind: source "src": invalid settings: a is wrong (fix a); b is missing (set b)`) {
			t.Errorf("SettingsOf = %v; want both problems", err)
		}
	})
	t.Run("rejects settings of another kind", func(t *testing.T) {
		for _, other := range []Settings{nil, (*testSettings)(nil), otherSettings{}} {
			_, err := SettingsOf[testSettings]("kind", Source{Name: "src", Settings: other})
			if err == nil || !strings.Contains(err.Error(), "want *adapters.testSettings") {
				t.Errorf("SettingsOf(%T) = %v; want an error naming the type wanted", other, err)
			}
		}
	})
}

type otherSettings struct{}

func (otherSettings) Validate() []Problem { return nil }

func TestSourceLog(t *testing.T) {
	var buf strings.Builder
	src := Source{Name: "src", Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	src.Log().Info("hello")
	if !strings.Contains(buf.String(), "source=src") {
		t.Errorf("logged %q, want the source's name on the record", buf.String())
	}
	(Source{Name: "src"}).Log().Info("into the void") // no logger: discarded, not a nil dereference
}
