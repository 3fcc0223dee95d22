package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration file.
type Problem struct {
	Path    string // key path, e.g. "sources[0].settings.client_id"
	Line    int    // 1-based; 0 when unknown
	Column  int
	Message string // what is wrong
	Hint    string // how to fix it
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d:%d: ", p.Line, p.Column)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Hint != "" {
		b.WriteString("\n    fix: ")
		b.WriteString(p.Hint)
	}
	return b.String()
}

// Problems is the error returned when a configuration is invalid. It lists every
// problem found, in file order.
type Problems struct {
	File string
	List []Problem
}

func (e *Problems) Error() string {
	var b strings.Builder
	name := e.File
	if name == "" {
		name = "configuration"
	}
	fmt.Fprintf(&b, "%s: %d problem(s):", name, len(e.List))
	for _, p := range e.List {
		b.WriteString("\n  ")
		b.WriteString(strings.ReplaceAll(p.String(), "\n", "\n  "))
	}
	return b.String()
}
