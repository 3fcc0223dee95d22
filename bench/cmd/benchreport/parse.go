package main

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// benchLine is one result line of `go test -bench`.
type benchLine struct {
	Name    string // without the -GOMAXPROCS suffix
	N       int
	Metrics map[string]float64 // by unit
}

// parseBench reads the result lines of go test -bench output.
func parseBench(text string) []benchLine {
	line := regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.+)$`)
	var out []benchLine
	for _, l := range strings.Split(text, "\n") {
		m := line.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		b := benchLine{Name: m[1], N: n, Metrics: map[string]float64{}}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				b.Metrics[f[i+1]] = v
			}
		}
		out = append(out, b)
	}
	return out
}

// metric returns the median of unit over the lines named name (several with
// -count), and whether there was any.
func metric(lines []benchLine, name, unit string) (float64, bool) {
	var vs []float64
	for _, l := range lines {
		if v, ok := l.Metrics[unit]; ok && l.Name == name {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// readFile returns a file's text, or "" when it is missing.
func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimRight(string(b), "\n")
}
