// Package runfiles reads, for the report commands (bench/cmd/benchreport and
// bench/cmd/proxyreport), what bench/run.sh leaves in its results folder:
// wrk's output and the files of shell variables.
package runfiles

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CheckDir says what is wrong when dir is not a folder, so that a mistyped
// -results stops a report command before it writes a report of nothing over
// the committed one.
func CheckDir(dir string) error {
	info, err := os.Stat(dir)
	if err == nil && !info.IsDir() {
		err = errors.New("not a folder")
	}
	if err != nil {
		return fmt.Errorf("results folder %s: %w; give the folder bench/run.sh names in its last line (\"raw files in ...\")", dir, err)
	}
	return nil
}

// Wrk is what one wrk run printed. A figure wrk did not print is zero.
type Wrk struct {
	RequestsSec float64
	Requests    float64
	MBRead      float64
	// P50 and P99 come from the latency distribution (wrk --latency).
	P50, P99     time.Duration
	SocketErrors string // as wrk lists them; empty when it reported none
	Non2xx3xx    int
}

var (
	rpsLine      = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	totalLine    = regexp.MustCompile(`(\d+) requests in [\d.]+(?:us|ms|s|m|h), ([\d.]+)([KMG]?B) read`)
	latencyLine  = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$`)
	non2xxLine   = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	socketErrors = regexp.MustCompile(`Socket errors:\s*(.+)`)
)

// ParseWrk reads the output of a wrk run.
func ParseWrk(text string) Wrk {
	var r Wrk
	if m := rpsLine.FindStringSubmatch(text); m != nil {
		r.RequestsSec, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := totalLine.FindStringSubmatch(text); m != nil {
		r.Requests, _ = strconv.ParseFloat(m[1], 64)
		r.MBRead, _ = strconv.ParseFloat(m[2], 64)
		switch m[3] {
		case "B":
			r.MBRead /= 1 << 20
		case "KB":
			r.MBRead /= 1 << 10
		case "GB":
			r.MBRead *= 1 << 10
		}
	}
	for _, l := range latencyLine.FindAllStringSubmatch(text, -1) {
		d, err := time.ParseDuration(l[2] + l[3])
		if err != nil {
			continue
		}
		if l[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
	}
	if m := non2xxLine.FindStringSubmatch(text); m != nil {
		r.Non2xx3xx, _ = strconv.Atoi(m[1])
	}
	if m := socketErrors.FindStringSubmatch(text); m != nil {
		r.SocketErrors = strings.TrimSpace(m[1])
	}
	return r
}

// BytesPerRequest is the average response size, headers included.
func (r Wrk) BytesPerRequest() float64 {
	if r.Requests == 0 {
		return 0
	}
	return r.MBRead * (1 << 20) / r.Requests
}

// ReadEnv reads the KEY=VALUE lines of a file of shell variables, the value
// optionally in single quotes, as bench.WriteEnv and bench/run.sh write them.
// A missing file reads as no variables: the report says what was not measured.
func ReadEnv(path string) map[string]string {
	vars := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return vars
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
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
