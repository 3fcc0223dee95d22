package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/atrium-dev/atrium/adapters"
)

// Kinds tells the loader which source types exist and how to check their settings.
// *adapters.Registry satisfies it; config itself knows no vendor.
type Kinds interface {
	// Types lists the known type names, for hints.
	Types() []string
	// SettingsFor returns a zero settings value to decode a source's settings into,
	// or false when the type is unknown.
	SettingsFor(typ string) (adapters.Settings, bool)
}

// Loaded is a valid configuration with each source's decoded settings.
type Loaded struct {
	Config
	// Settings holds the decoded settings of Sources[i] at index i.
	Settings []adapters.Settings
}

// LoadFile reads and validates the configuration at path.
func LoadFile(path string, kinds Kinds, env func(string) (string, bool)) (*Loaded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	l, err := Load(data, kinds, env)
	var ps *Problems
	if errors.As(err, &ps) {
		ps.File = path
	}
	return l, err
}

// Load parses and validates a configuration. The error, when the configuration is
// invalid, is a *Problems listing everything found.
func Load(data []byte, kinds Kinds, env func(string) (string, bool)) (*Loaded, error) {
	if env == nil {
		env = os.LookupEnv
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problems{List: []Problem{{Message: "the file is empty", Hint: "start from atrium.example.yaml"}}}
		}
		return nil, &Problems{List: []Problem{{Message: "not valid YAML: " + err.Error(), Hint: "check indentation and quoting near that line"}}}
	}
	v := &validator{env: env}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		v.add(root, "", "the top level must be a mapping of keys (server, auth, store, sources, …)", "start from atrium.example.yaml")
		return nil, v.result()
	}
	v.expandEnv(root, "", env)
	v.checkKeys(root, reflect.TypeOf(Config{}), "")
	var cfg Config
	if err := root.Decode(&cfg); err != nil {
		v.list = append(v.list, decodeProblems(err, "")...)
		return nil, v.result()
	}
	cfg.applyDefaults()
	loaded := &Loaded{Config: cfg, Settings: make([]adapters.Settings, len(cfg.Sources))}
	v.root = root
	v.validate(loaded, kinds)
	if len(v.list) > 0 {
		return nil, v.result()
	}
	return loaded, nil
}

type validator struct {
	root *yaml.Node
	list []Problem
	// env looks up environment variables, for ${NAME} and store.dsn_env.
	env func(string) (string, bool)
}

func (v *validator) add(n *yaml.Node, path, msg, hint string) {
	p := Problem{Path: path, Message: msg, Hint: hint}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	v.list = append(v.list, p)
}

func (v *validator) result() error {
	if len(v.list) == 0 {
		return nil
	}
	sort.SliceStable(v.list, func(i, j int) bool { return v.list[i].Line < v.list[j].Line })
	return &Problems{List: v.list}
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${NAME} in every scalar value. "$${" stays literal "${".
func (v *validator) expandEnv(n *yaml.Node, path string, env func(string) (string, bool)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			v.expandEnv(n.Content[i+1], join(path, n.Content[i].Value), env)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			v.expandEnv(c, fmt.Sprintf("%s[%d]", path, i), env)
		}
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return
		}
		const escaped = "\x00atrium-dollar\x00"
		s := strings.ReplaceAll(n.Value, "$${", escaped)
		s = envRef.ReplaceAllStringFunc(s, func(m string) string {
			name := envRef.FindStringSubmatch(m)[1]
			val, ok := env(name)
			if !ok {
				v.add(n, path, fmt.Sprintf("environment variable %s is not set", name),
					fmt.Sprintf("export %s before starting Atrium, or write the value (or a *_file key) instead", name))
			}
			return val
		})
		n.Value = strings.ReplaceAll(s, escaped, "${")
		if n.Style == 0 {
			n.Tag = "" // let the expanded plain value resolve to its own type
		}
	}
}

// checkKeys reports keys that the target type does not have, with the closest
// known key as a hint.
func (v *validator) checkKeys(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeOf(yaml.Node{}) {
		return // checked by the adapter's own settings type
	}
	switch n.Kind {
	case yaml.MappingNode:
		if t.Kind() != reflect.Struct {
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				v.add(k, join(path, k.Value), fmt.Sprintf("unknown key %q", k.Value), suggest(k.Value, keys(fields)))
				continue
			}
			v.checkKeys(val, f, join(path, k.Value))
		}
	case yaml.SequenceNode:
		if t.Kind() != reflect.Slice {
			return
		}
		for i, c := range n.Content {
			v.checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func keys(m map[string]reflect.Type) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decodeProblems lists what a failed yaml decoding found, each problem at
// its line and under path.
func decodeProblems(err error, path string) []Problem {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	ps := make([]Problem, len(msgs))
	for i, m := range msgs {
		ps[i] = typeErrorProblem(m)
		ps[i].Path = path
	}
	return ps
}

var lineRef = regexp.MustCompile(`^line (\d+): (.*)$`)

func typeErrorProblem(msg string) Problem {
	p := Problem{Message: msg, Hint: "check the value's type against the configuration reference in README.md"}
	if m := lineRef.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &p.Line)
		p.Message = m[2]
	}
	return p
}

// suggest names the known key closest to an unknown one.
func suggest(got string, known []string) string {
	best, bestD := "", 4
	for _, k := range known {
		if d := distance(got, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "known keys here: " + strings.Join(known, ", ")
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
