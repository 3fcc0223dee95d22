package main

import (
	"bufio"
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

// wrkResult is what a wrk run printed.
type wrkResult struct {
	Raw          string
	RequestsSec  float64
	Requests     float64
	Seconds      float64
	MBRead       float64
	P50, P99     string
	SocketErrors string // empty when wrk reported none
	Non2xx3xx    float64
}

func parseWrk(text string) wrkResult {
	r := wrkResult{Raw: text}
	if m := regexp.MustCompile(`Requests/sec:\s+([\d.]+)`).FindStringSubmatch(text); m != nil {
		r.RequestsSec, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := regexp.MustCompile(`(\d+) requests in ([\d.]+)(ms|s|m), ([\d.]+)([KMG]?B) read`).FindStringSubmatch(text); m != nil {
		r.Requests, _ = strconv.ParseFloat(m[1], 64)
		r.Seconds, _ = strconv.ParseFloat(m[2], 64)
		switch m[3] {
		case "ms":
			r.Seconds /= 1000
		case "m":
			r.Seconds *= 60
		}
		r.MBRead, _ = strconv.ParseFloat(m[4], 64)
		switch m[5] {
		case "B":
			r.MBRead /= 1 << 20
		case "KB":
			r.MBRead /= 1 << 10
		case "GB":
			r.MBRead *= 1 << 10
		}
	}
	if m := regexp.MustCompile(`(?m)^\s+50%\s+(\S+)`).FindStringSubmatch(text); m != nil {
		r.P50 = m[1]
	}
	if m := regexp.MustCompile(`(?m)^\s+99%\s+(\S+)`).FindStringSubmatch(text); m != nil {
		r.P99 = m[1]
	}
	if m := regexp.MustCompile(`Socket errors: (.+)`).FindStringSubmatch(text); m != nil {
		r.SocketErrors = strings.TrimSpace(m[1])
	}
	if m := regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`).FindStringSubmatch(text); m != nil {
		r.Non2xx3xx, _ = strconv.ParseFloat(m[1], 64)
	}
	return r
}

// bytesPerRequest is the average response size, headers included.
func (r wrkResult) bytesPerRequest() float64 {
	if r.Requests == 0 {
		return 0
	}
	return r.MBRead * (1 << 20) / r.Requests
}

// readVars reads KEY=VALUE lines, the value optionally in single quotes.
func readVars(path string) map[string]string {
	vars := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return vars
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), "=")
		if !ok {
			continue
		}
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
		}
		vars[strings.TrimSpace(k)] = v
	}
	return vars
}

// readFile returns a file's text, or "" when it is missing.
func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimRight(string(b), "\n")
}
