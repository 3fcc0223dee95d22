// Command proxyreport writes the proxy benchmark's report (Markdown) from the
// wrk outputs that bench/run.sh left in a results directory: the upstream
// served directly, Atrium's proxied tool and oauth2-proxy, measured one after
// the other in the same run.
//
//	proxyreport -results DIR -out docs/benchmarks-proxy.md
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Targets: Atrium's proxy serves at least this many times oauth2-proxy's
// requests per second, with a lower p99 latency.
const minThroughputRatio = 3.0

// run is one wrk measurement.
type run struct {
	file, label string
	raw         string
	rps         float64
	p50, p99    time.Duration
	non2xx      int
	errors      string
	ok          bool // the output parsed
}

func main() {
	dir := flag.String("results", "", "the directory of bench/run.sh's raw results")
	out := flag.String("out", "docs/benchmarks-proxy.md", "the report to write")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: proxyreport -results DIR [-out FILE]")
		os.Exit(2)
	}
	if err := os.WriteFile(*out, []byte(report(*dir)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "proxyreport:", err)
		os.Exit(1)
	}
}

func report(dir string) string {
	meta := readEnv(filepath.Join(dir, "proxy-meta.env"))
	runs := []*run{
		{file: "wrk-proxy-upstream.txt", label: "upstream, direct"},
		{file: "wrk-proxy-atrium.txt", label: "Atrium proxy (`/tools/{id}/`)"},
		{file: "wrk-proxy-oauth2-proxy.txt", label: "oauth2-proxy " + meta["O2P_VERSION"]},
	}
	for _, r := range runs {
		b, err := os.ReadFile(filepath.Join(dir, r.file))
		if err == nil {
			r.raw = string(b)
			parse(r)
		}
	}
	direct, atrium, peer := runs[0], runs[1], runs[2]

	var b strings.Builder
	fmt.Fprintf(&b, "# Proxy benchmark: Atrium against oauth2-proxy\n\n")
	fmt.Fprintf(&b, "Written by `bash bench/run.sh` (or `bash bench/run.sh --proxy-only`) on %s; do not edit by hand, run the script again.\n", meta["DATE"])
	fmt.Fprintf(&b, "The three wrk runs below were taken one after the other in the same run, on loopback, on a machine\n")
	fmt.Fprintf(&b, "with %s CPUs (load average %s before, %s after). Compare only figures of the same run.\n\n",
		meta["NPROC"], meta["LOADAVG_BEFORE"], meta["LOADAVG_AFTER"])

	b.WriteString("## Set-up\n\n")
	fmt.Fprintf(&b, "- Upstream: a Go `net/http` handler on loopback answering a %s-byte HTML page on every path.\n", meta["PAGE_BYTES"])
	b.WriteString("- Identity provider: the demo OpenID provider (`demo/idp`) on loopback, one client for each proxy.\n")
	b.WriteString("- Atrium: `atrium serve` with one `mode: proxy` tool on the upstream; a signed-in session stored in its\n" +
		"  SQLite store with its signed cookie (as `bench/sessions.go` mints them); log level warn.\n")
	fmt.Fprintf(&b, "- oauth2-proxy %s (`go install github.com/oauth2-proxy/oauth2-proxy/v7@%s`), cookie sessions, signed in\n"+
		"  through the provider's form (authorization code with PKCE S256); its session cookie is %s bytes. Command:\n\n",
		meta["O2P_VERSION"], meta["O2P_VERSION"], meta["O2P_COOKIE_BYTES"])
	fmt.Fprintf(&b, "  ```\n  oauth2-proxy %s\n  ```\n\n", meta["O2P_ARGS"])
	b.WriteString("Before the load, each URL was fetched once with its cookie and had to answer 200 with the upstream's page\n" +
		"(not a sign-in redirect).\n\n")

	b.WriteString("## Results\n\n")
	b.WriteString("| target | requests/s | p50 | p99 | non-2xx/3xx | socket errors |\n|---|---|---|---|---|---|\n")
	for _, r := range runs {
		if !r.ok {
			fmt.Fprintf(&b, "| %s | not measured | | | | |\n", r.label)
			continue
		}
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %d | %s |\n", r.label, r.rps, r.p50, r.p99, r.non2xx, or(r.errors, "none"))
	}
	b.WriteString("\n| comparison | measured | target | verdict |\n|---|---|---|---|\n")
	if atrium.ok && peer.ok && peer.rps > 0 {
		ratio := atrium.rps / peer.rps
		fmt.Fprintf(&b, "| requests/s, Atrium / oauth2-proxy | %.2f× (%.0f / %.0f) | ≥ %.0f× | %s |\n",
			ratio, atrium.rps, peer.rps, minThroughputRatio, verdict(ratio >= minThroughputRatio && clean(atrium)))
		fmt.Fprintf(&b, "| p99 latency, Atrium vs oauth2-proxy | %s vs %s | lower | %s |\n",
			atrium.p99, peer.p99, verdict(atrium.p99 < peer.p99 && clean(atrium)))
	} else {
		b.WriteString("| Atrium / oauth2-proxy | not measured | | **not measured** |\n")
	}
	if direct.ok && direct.rps > 0 {
		for _, r := range []*run{atrium, peer} {
			if r.ok {
				fmt.Fprintf(&b, "| %s / upstream direct | %.3f of the requests/s; p99 %s vs %s | (for reference) | |\n",
					r.label, r.rps/direct.rps, r.p99, direct.p99)
			}
		}
	}
	b.WriteString("\nA run with non-2xx/3xx answers or socket errors on Atrium's side does not meet a target.\n\n")

	b.WriteString("## Commands\n\n```\n")
	if c, err := os.ReadFile(filepath.Join(dir, "proxy-commands.txt")); err == nil {
		b.WriteString(strings.TrimSpace(string(c)) + "\n")
	}
	b.WriteString("```\n\n## Raw wrk output\n\n")
	for _, r := range runs {
		fmt.Fprintf(&b, "### %s\n\n```\n%s\n```\n\n", r.label, or(strings.TrimSpace(r.raw), "(none)"))
	}
	return b.String()
}

func clean(r *run) bool { return r.non2xx == 0 && r.errors == "" }

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "**not met**"
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

var (
	rpsLine     = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	latencyLine = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$`)
	non2xxLine  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	errorsLine  = regexp.MustCompile(`Socket errors:\s*(.+)`)
)

func parse(r *run) {
	m := rpsLine.FindStringSubmatch(r.raw)
	if m == nil {
		return
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	for _, l := range latencyLine.FindAllStringSubmatch(r.raw, -1) {
		d, err := time.ParseDuration(l[2] + l[3])
		if err != nil {
			continue
		}
		d = d.Round(10 * time.Microsecond)
		if l[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if m := non2xxLine.FindStringSubmatch(r.raw); m != nil {
		r.non2xx, _ = strconv.Atoi(m[1])
	}
	if m := errorsLine.FindStringSubmatch(r.raw); m != nil {
		r.errors = strings.TrimSpace(m[1])
	}
	r.ok = r.p99 > 0
}

// readEnv reads KEY='value' lines as bench/run.sh writes them.
func readEnv(path string) map[string]string {
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
		v = strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'")
		vars[k] = strings.ReplaceAll(v, `'\''`, "'")
	}
	return vars
}
