package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestToolMethods(t *testing.T) {
	tools := `
tools:
  - id: files
    title: Files
    mode: proxy
    upstream: http://files.internal:8080/dav/
    url: ""
    secret: ` + strings.Repeat("k", 40) + `
    methods: [PROPFIND, MKCOL]
`
	vars := env(map[string]string{"SECRET": strings.Repeat("x", 40), "LIMIT": "7"})
	l, err := Load([]byte(valid+tools), registry(), vars)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Tools[0].Legacy().Methods; !slices.Equal(got, []string{"PROPFIND", "MKCOL"}) {
		t.Errorf("methods %q", got)
	}
	_, err = Load([]byte(valid+strings.Replace(tools, "[PROPFIND, MKCOL]", `["PROP FIND", CONNECT]`, 1)), registry(), vars)
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v, want problems", err)
	}
	n := 0
	for _, p := range ps.List {
		if p.Path == "tools[0].methods" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d problems at tools[0].methods, want 2: %v", n, err)
	}
}
