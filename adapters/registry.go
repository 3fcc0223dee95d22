package adapters

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Settings is the type-specific part of a source's configuration. Each adapter
// package defines its own settings struct; the config loader decodes the source's
// `settings:` block into it (unknown keys are errors) and calls Validate.
type Settings interface {
	// Validate reports every problem found. Problem.Key is relative to the
	// settings block, e.g. "private_key_file".
	Validate() []Problem
}

// Problem is one thing wrong with a source's settings.
type Problem struct {
	Key     string
	Message string
	Hint    string
}

// Source is everything a constructor needs to build an adapter.
type Source struct {
	Name     string // configured name, e.g. "salesforce"
	Title    string // display name, e.g. "Salesforce"
	Timeout  time.Duration
	Settings Settings // the value returned by the Type's NewSettings, decoded and valid
	HTTP     *http.Client
	Logger   *slog.Logger
}

// Log returns the source's logger, or one that discards when it has none,
// with the source's name on every record.
func (s Source) Log() *slog.Logger {
	return cmp.Or(s.Logger, slog.New(slog.DiscardHandler)).With("source", s.Name)
}

// Type is one registered system kind.
type Type struct {
	// NewSettings returns a pointer to a zero settings struct to decode into.
	NewSettings func() Settings
	// New builds the adapter. It must not do I/O that can fail at start: a system
	// that is down at start-up is reported by Check, not by New.
	New func(src Source) (Adapter, error)
}

// Registry maps a configured `type:` to its Type.
type Registry struct {
	kinds map[string]Type
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: map[string]Type{}} }

// Add registers a kind under a type name. It panics on a duplicate name, which is a
// programming error.
func (r *Registry) Add(typ string, k Type) {
	if _, dup := r.kinds[typ]; dup {
		panic(fmt.Sprintf("adapters: type %q registered twice", typ))
	}
	r.kinds[typ] = k
}

// Lookup returns the kind registered under typ.
func (r *Registry) Lookup(typ string) (Type, bool) {
	k, ok := r.kinds[typ]
	return k, ok
}

// Types lists the registered type names, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.kinds))
	for t := range r.kinds {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// SettingsFor returns a fresh settings value for typ, for the config loader.
func (r *Registry) SettingsFor(typ string) (Settings, bool) {
	k, ok := r.kinds[typ]
	if !ok {
		return nil, false
	}
	return k.NewSettings(), true
}

// SettingsError returns one error listing every problem of a source's
// settings, or nil when there is none. Adapters return it from New when they
// are handed settings the config loader has not validated.
func SettingsError(kind, source string, probs []Problem) error {
	if len(probs) == 0 {
		return nil
	}
	msgs := make([]string, len(probs))
	for i, p := range probs {
		msgs[i] = fmt.Sprintf("%s %s (%s)", p.Key, p.Message, p.Hint)
	}
	return fmt.Errorf("%s: source %q: invalid settings: %s", kind, source, strings.Join(msgs, "; "))
}

// SettingsOf returns the settings a constructor of kind is handed, as the
// kind's own settings type PS. Settings that no Validate has found valid (a
// test or a tool building a source without the config loader) are validated
// here, every problem in one error; valid ones are not validated again, which
// would read their secret files a second time.
func SettingsOf[S any, PS interface {
	*S
	Settings
	Valid() bool
}](kind string, src Source) (PS, error) {
	s, ok := src.Settings.(PS)
	if !ok || s == nil {
		return nil, fmt.Errorf("%s: source %q: settings of type %T, want %T", kind, src.Name, src.Settings, s)
	}
	if !s.Valid() {
		if err := SettingsError(kind, src.Name, s.Validate()); err != nil {
			return nil, err
		}
	}
	return s, nil
}
