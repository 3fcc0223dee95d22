// Command proxyreport writes the proxy benchmark's report (Markdown) from the
// wrk outputs that bench/run.sh left in a results directory: the upstream
// served directly, Atrium's proxied tool, a bare ReverseProxy on the same
// transport and oauth2-proxy, measured one after the other in rounds of the
// same run, with each proxy's CPU time.
//
//	proxyreport -results DIR -out docs/benchmarks-proxy.md
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/bench/internal/runfiles"
)

// Targets, each in every round: Atrium's proxy serves at least
// minBareRatio of the bare proxy's requests per second (the limit of any
// proxy that authenticates on the same transport) and minThroughputRatio
// times oauth2-proxy's, with a lower p99 latency, at no more than
// maxCPURatio of oauth2-proxy's CPU time per request.
const (
	minBareRatio       = 0.80
	minThroughputRatio = 3.0
	maxCPURatio        = 1.0 / 3
)

// run is one wrk measurement.
type run struct {
	file, label string
	raw         string
	rps         float64
	requests    float64
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
	if err := runfiles.CheckDir(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "proxyreport:", err)
		os.Exit(2)
	}
	if err := os.WriteFile(*out, []byte(report(*dir)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "proxyreport:", err)
		os.Exit(1)
	}
}

// target is one of the three URLs measured, over every round.
type target struct {
	key, label string
	rounds     []*run
	cpuTicks   []int // the proxy's CPU time in each round, when measured
}

func report(dir string) string {
	meta := runfiles.ReadEnv(filepath.Join(dir, "proxy-meta.env"))
	rounds, _ := strconv.Atoi(meta["PROXY_ROUNDS"])
	rounds = max(rounds, 1)
	tick, _ := strconv.Atoi(meta["CLK_TCK"])
	targets := []*target{
		{key: "upstream", label: "upstream, direct"},
		{key: "atrium", label: "Atrium proxy (`/tools/{id}/`)"},
		{key: "bare", label: "bare ReverseProxy, no authentication"},
		{key: "oauth2-proxy", label: "oauth2-proxy " + meta["O2P_VERSION"]},
	}
	for _, t := range targets {
		for i := 1; i <= rounds; i++ {
			r := &run{file: fmt.Sprintf("wrk-proxy-%s-r%d.txt", t.key, i), label: fmt.Sprintf("%s, round %d", t.label, i)}
			if b, err := os.ReadFile(filepath.Join(dir, r.file)); err == nil {
				r.raw = string(b)
				parse(r)
			}
			t.rounds = append(t.rounds, r)
			if b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("cpu-proxy-%s-r%d.txt", t.key, i))); err == nil {
				n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
				t.cpuTicks = append(t.cpuTicks, n)
			}
		}
	}
	direct, atrium, bare, peer := targets[0], targets[1], targets[2], targets[3]

	var b strings.Builder
	fmt.Fprintf(&b, "# Proxy benchmark: Atrium against a bare ReverseProxy and oauth2-proxy\n\n")
	fmt.Fprintf(&b, "Written by `bash bench/run.sh` (or `bash bench/run.sh --proxy-only`) on %s; do not edit by hand, run the script again.\n", meta["DATE"])
	fmt.Fprintf(&b, "The wrk runs below were taken in the same run, on loopback, on a machine with %s CPUs (load average\n", meta["NPROC"])
	fmt.Fprintf(&b, "%s before, %s after): %d rounds of the four targets one after the other, the proxies\n"+
		"taking turns at going first (Atrium, bare, oauth2-proxy, then the reverse). Each figure below is the median\n"+
		"over the rounds; every round is listed under it. Compare only figures of the same run.\n\n", meta["LOADAVG_BEFORE"], meta["LOADAVG_AFTER"], rounds)

	b.WriteString("## Set-up\n\n")
	fmt.Fprintf(&b, "- Upstream: a Go `net/http` handler on loopback answering a %s-byte HTML page on every path.\n", meta["PAGE_BYTES"])
	b.WriteString("- Identity provider: the demo OpenID provider (`demo/idp`) on loopback, one client for each proxy.\n")
	b.WriteString("- Atrium: `atrium serve` with one `mode: proxy` tool on the upstream; a signed-in session stored in its\n" +
		"  SQLite store with its signed cookie (as `bench/sessions.go` mints them); log level warn. Every request\n" +
		"  goes through its middleware (request id, access log, identity headers, security headers, host check,\n" +
		"  session), the proxy's guards, and one `httputil.ReverseProxy` on `legacy.NewTransport`.\n")
	b.WriteString("- Bare proxy: `httputil.ReverseProxy` with `SetURL` and `SetXForwarded` on the same transport and pooled\n" +
		"  32 KB copy buffers (`legacy.NewTransport`, the same defaults), in a plain `net/http` server of its own\n" +
		"  process: no session, no header rules, no assertion; the limit of any proxy that authenticates on it.\n")
	fmt.Fprintf(&b, "- oauth2-proxy %s (`go install github.com/oauth2-proxy/oauth2-proxy/v7@%s`), cookie sessions, signed in\n"+
		"  through the provider's form (authorization code with PKCE S256); its session cookie is %s bytes. Command:\n\n",
		meta["O2P_VERSION"], meta["O2P_VERSION"], meta["O2P_COOKIE_BYTES"])
	fmt.Fprintf(&b, "  ```\n  oauth2-proxy %s\n  ```\n\n", meta["O2P_ARGS"])
	b.WriteString("Before the load, each URL was fetched once with its cookie and had to answer 200 with the upstream's page\n" +
		"(not a sign-in redirect).\n\n")

	b.WriteString("## Results\n\n")
	b.WriteString("| target | requests/s | p50 | p99 | CPU per request | non-2xx/3xx | socket errors |\n|---|---|---|---|---|---|---|\n")
	med := map[*target]run{}
	cpu := map[*target]time.Duration{}
	for _, t := range targets {
		m, ok := median(t.rounds)
		if !ok {
			fmt.Fprintf(&b, "| %s | not measured | | | | | |\n", t.label)
			continue
		}
		med[t] = m
		cpuText := "(not measured)"
		if c, ok := cpuPerRequest(t, tick); ok {
			cpu[t] = c
			cpuText = c.Round(time.Microsecond).String()
		}
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %s | %d | %s |\n", t.label, m.rps, m.p50, m.p99, cpuText, m.non2xx, or(m.errors, "none"))
	}
	b.WriteString("\nCPU per request is the proxy's own CPU time (user and system, from `/proc/PID/stat`) over the run divided by\n" +
		"the requests it served, the median over the rounds: unlike requests/s, it does not depend on what else the\n" +
		"machine's CPUs were doing.\n\n")

	b.WriteString("| comparison | measured (medians) | by round | target, in every round | verdict |\n|---|---|---|---|---|\n")
	a, aok := med[atrium]
	if n, ok := med[bare]; aok && ok && n.rps > 0 {
		ratio := a.rps / n.rps
		rs, all := roundRatios(atrium, bare, func(r float64) bool { return r >= minBareRatio })
		fmt.Fprintf(&b, "| requests/s, Atrium / bare ReverseProxy | %.2f (%.0f / %.0f) | %s | ≥ %.2f | %s |\n",
			ratio, a.rps, n.rps, rs, minBareRatio, verdict(ratio >= minBareRatio && all && allClean(atrium)))
	} else {
		b.WriteString("| Atrium / bare ReverseProxy | not measured | | | **not measured** |\n")
	}
	if o, ok := med[peer]; aok && ok && o.rps > 0 {
		ratio := a.rps / o.rps
		rs, all := roundRatios(atrium, peer, func(r float64) bool { return r >= minThroughputRatio })
		fmt.Fprintf(&b, "| requests/s, Atrium / oauth2-proxy | %.2f× (%.0f / %.0f) | %s | ≥ %.0f× | %s |\n",
			ratio, a.rps, o.rps, rs, minThroughputRatio, verdict(ratio >= minThroughputRatio && all && allClean(atrium)))
		fmt.Fprintf(&b, "| p99 latency, Atrium vs oauth2-proxy | %s vs %s | | lower | %s |\n",
			a.p99, o.p99, verdict(a.p99 < o.p99 && allClean(atrium)))
		ca, okA := cpu[atrium]
		co, okO := cpu[peer]
		if okA && okO && co > 0 {
			ratio := float64(ca) / float64(co)
			rs, all := roundCPURatios(atrium, peer, tick)
			fmt.Fprintf(&b, "| CPU per request, Atrium / oauth2-proxy | %.2f (%s vs %s) | %s | ≤ 1/3 (0.33) | %s |\n",
				ratio, ca.Round(time.Microsecond), co.Round(time.Microsecond), rs, verdict(ratio <= maxCPURatio && all))
		} else {
			b.WriteString("| CPU per request, Atrium / oauth2-proxy | not measured | | ≤ 1/3 | **not measured** |\n")
		}
	} else {
		b.WriteString("| Atrium / oauth2-proxy | not measured | | | **not measured** |\n")
	}
	if ca, okA := cpu[atrium]; okA {
		if cb, okB := cpu[bare]; okB && cb > 0 {
			fmt.Fprintf(&b, "| CPU per request, Atrium / bare ReverseProxy | %.2f (%s vs %s) | | (for reference) | |\n",
				float64(ca)/float64(cb), ca.Round(time.Microsecond), cb.Round(time.Microsecond))
		}
	}
	if d, ok := med[direct]; ok && d.rps > 0 {
		for _, t := range []*target{atrium, bare, peer} {
			if m, ok := med[t]; ok {
				fmt.Fprintf(&b, "| %s / upstream direct | %.3f of the requests/s; p99 %s vs %s | | (for reference) | |\n",
					t.label, m.rps/d.rps, m.p99, d.p99)
			}
		}
	}
	b.WriteString("\nA run with non-2xx/3xx answers or socket errors on Atrium's side, in any round, does not meet a target.\n\n")

	b.WriteString("### Every round\n\n| target | round | requests/s | p50 | p99 | CPU per request |\n|---|---|---|---|---|---|\n")
	for _, t := range targets {
		for i, r := range t.rounds {
			if !r.ok {
				fmt.Fprintf(&b, "| %s | %d | not measured | | | |\n", t.label, i+1)
				continue
			}
			cpuText := ""
			if c, ok := cpuInRound(t, i, tick); ok {
				cpuText = c.Round(time.Microsecond).String()
			}
			fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %s | %s |\n", t.label, i+1, r.rps, r.p50, r.p99, cpuText)
		}
	}

	b.WriteString("\n## Commands\n\n```\n")
	if c, err := os.ReadFile(filepath.Join(dir, "proxy-commands.txt")); err == nil {
		b.WriteString(strings.TrimSpace(string(c)) + "\n")
	}
	b.WriteString("```\n\n## Raw wrk output\n\n")
	for _, t := range targets {
		for _, r := range t.rounds {
			fmt.Fprintf(&b, "### %s\n\n```\n%s\n```\n\n", r.label, or(strings.TrimSpace(r.raw), "(none)"))
		}
	}
	return b.String()
}

// median returns the median round of each figure (requests/s, p50, p99
// taken separately), with the non-2xx count and errors of all rounds.
func median(rounds []*run) (run, bool) {
	var rps []float64
	var p50, p99 []time.Duration
	var m run
	for _, r := range rounds {
		if !r.ok {
			continue
		}
		rps = append(rps, r.rps)
		p50 = append(p50, r.p50)
		p99 = append(p99, r.p99)
		m.non2xx += r.non2xx
		if r.errors != "" {
			m.errors = r.errors
		}
	}
	if len(rps) == 0 {
		return run{}, false
	}
	m.rps, m.p50, m.p99, m.ok = mid(rps), mid(p50), mid(p99), true
	return m, true
}

// mid returns the median of xs (the lower middle one of an even count).
func mid[T float64 | time.Duration](xs []T) T {
	slices.Sort(xs)
	return xs[(len(xs)-1)/2]
}

// cpuPerRequest is the median over the rounds of the proxy's CPU time per
// request served.
func cpuPerRequest(t *target, tick int) (time.Duration, bool) {
	if tick <= 0 || len(t.cpuTicks) != len(t.rounds) {
		return 0, false
	}
	var per []time.Duration
	for i := range t.rounds {
		if c, ok := cpuInRound(t, i, tick); ok {
			per = append(per, c)
		}
	}
	if len(per) == 0 {
		return 0, false
	}
	return mid(per), true
}

// roundRatios lists a's requests/s over o's in each round, and reports
// whether every round was measured and met.
func roundRatios(a, o *target, met func(float64) bool) (string, bool) {
	var parts []string
	all := true
	for i := range a.rounds {
		if i < len(o.rounds) && a.rounds[i].ok && o.rounds[i].ok && o.rounds[i].rps > 0 {
			r := a.rounds[i].rps / o.rounds[i].rps
			parts = append(parts, fmt.Sprintf("%.2f", r))
			all = all && met(r)
		} else {
			parts = append(parts, "—")
			all = false
		}
	}
	return strings.Join(parts, ", "), all
}

// roundCPURatios lists a's CPU time per request over o's in each round,
// and reports whether every round was measured and within maxCPURatio.
func roundCPURatios(a, o *target, tick int) (string, bool) {
	var parts []string
	all := true
	for i := range a.rounds {
		ca, okA := cpuInRound(a, i, tick)
		co, okO := cpuInRound(o, i, tick)
		if okA && okO && co > 0 {
			r := float64(ca) / float64(co)
			parts = append(parts, fmt.Sprintf("%.2f", r))
			all = all && r <= maxCPURatio
		} else {
			parts = append(parts, "—")
			all = false
		}
	}
	return strings.Join(parts, ", "), all
}

// cpuInRound is t's CPU time per request served in round i.
func cpuInRound(t *target, i, tick int) (time.Duration, bool) {
	if tick <= 0 || len(t.cpuTicks) != len(t.rounds) || !t.rounds[i].ok || t.rounds[i].requests == 0 {
		return 0, false
	}
	return time.Duration(float64(t.cpuTicks[i]) / float64(tick) * float64(time.Second) / t.rounds[i].requests), true
}

func allClean(t *target) bool {
	for _, r := range t.rounds {
		if !r.ok || !clean(r) {
			return false
		}
	}
	return true
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

// parse fills r's figures in from its raw wrk output; a run without a
// throughput or a p99 latency counts as not measured.
func parse(r *run) {
	w := runfiles.ParseWrk(r.raw)
	r.rps, r.requests = w.RequestsSec, w.Requests
	r.p50, r.p99 = w.P50.Round(10*time.Microsecond), w.P99.Round(10*time.Microsecond)
	r.non2xx, r.errors = w.Non2xx3xx, w.SocketErrors
	r.ok = r.rps > 0 && r.p99 > 0
}
