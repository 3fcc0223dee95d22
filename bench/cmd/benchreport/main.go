// Command benchreport writes docs/benchmarks.md from the files bench/run.sh
// leaves in its results folder: the Go benchmarks' output, wrk's output, the
// portal's resident memory, the machine's description and the commands run.
// It compares the allocations per page render with the figures of the
// previous report (bench/run.sh passes the committed one).
//
//	benchreport -results DIR -out docs/benchmarks.md
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/atrium-dev/atrium/bench/internal/runfiles"
)

func main() {
	dir := flag.String("results", "", "bench/run.sh's results folder")
	out := flag.String("out", "docs/benchmarks.md", "the report to write")
	flag.Parse()
	if *dir == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: benchreport -results DIR [-out FILE]")
		os.Exit(2)
	}
	if err := runfiles.CheckDir(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(2)
	}
	r := load(*dir)
	if err := os.WriteFile(*out, []byte(r.markdown()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// results is everything one run measured.
type results struct {
	meta, env, rss                      map[string]string
	page, ttfb, calls, render, previous []benchLine
	raw                                 map[string]string // raw outputs by file name
	wrkHealth, wrkPage, wrkLoad         runfiles.Wrk
	commands, profile, previousSource   string
	hasPrevious                         bool
}

func load(dir string) *results {
	read := func(name string) string { return readFile(filepath.Join(dir, name)) }
	r := &results{
		meta: runfiles.ReadEnv(filepath.Join(dir, "meta.env")),
		env:  runfiles.ReadEnv(filepath.Join(dir, "env.sh")),
		rss:  runfiles.ReadEnv(filepath.Join(dir, "rss.env")),
		raw:  map[string]string{},
	}
	for _, f := range []string{"go-page.txt", "go-ttfb.txt", "go-calls.txt", "go-render.txt", "wrk-healthz.txt", "wrk-page.txt", "wrk-sessions.txt"} {
		r.raw[f] = read(f)
	}
	r.page, r.ttfb = parseBench(r.raw["go-page.txt"]), parseBench(r.raw["go-ttfb.txt"])
	r.calls, r.render = parseBench(r.raw["go-calls.txt"]), parseBench(r.raw["go-render.txt"])
	r.wrkHealth, r.wrkPage = runfiles.ParseWrk(r.raw["wrk-healthz.txt"]), runfiles.ParseWrk(r.raw["wrk-page.txt"])
	r.wrkLoad = runfiles.ParseWrk(r.raw["wrk-sessions.txt"])
	r.commands, r.profile = read("commands.txt"), read("render-profile.txt")
	r.previousSource = r.meta["PREVIOUS"]
	if prev := read("previous.md"); prev != "" {
		r.previous, r.hasPrevious = parseBench(prev), true
	}
	return r
}

// row is one line of the results table.
type row struct{ what, baseline, measured, ratio, target, verdict string }

const notMeasured = "not measured (see the raw output)"

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func (r *results) markdown() string {
	var b strings.Builder
	m := r.meta
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `bash bench/run.sh` on %s (full run: %s s); do not edit by hand, run the script again.\n", m["DATE"], m["ELAPSED_SECONDS"])
	b.WriteString("Ratios compare figures measured side by side in this run, since absolute times on these shared\n" +
		"2-core machines are noise; only the time to first byte and the memory targets are absolute.\n\n")
	b.WriteString("The proxy benchmark (Atrium's proxied tools against oauth2-proxy) has its own report,\n" +
		"[benchmarks-proxy.md](benchmarks-proxy.md), so that `bash bench/run.sh --proxy-only` can rerun it alone.\n\n")
	b.WriteString("## Machine\n\n| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| CPUs (nproc) | %s |\n| CPU model | %s |\n| memory | %s |\n| kernel | %s |\n| Go | %s |\n| wrk | %s |\n| load average (1, 5, 15 min) before / after | %s / %s |\n\n",
		m["NPROC"], m["CPU_MODEL"], m["MEM_TOTAL"], m["KERNEL"], m["GO_VERSION"], m["WRK_VERSION"], m["LOADAVG_BEFORE"], m["LOADAVG_AFTER"])
	if la, _ := strconv.ParseFloat(strings.Fields(m["LOADAVG_BEFORE"] + " 0")[0], 64); la > 1 {
		fmt.Fprintf(&b, "Other work was running on the machine (load average %.1f on %s CPUs at the start): figures that depend on the CPU were taken under contention.\n\n", la, m["NPROC"])
	}

	b.WriteString("## Results\n\n| measurement | baseline in the same run | measured | ratio | target | verdict |\n|---|---|---|---|---|---|\n")
	for _, x := range r.rows() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", x.what, x.baseline, x.measured, x.ratio, x.target, x.verdict)
	}
	b.WriteString("\n")
	if notes := r.notes(); len(notes) > 0 {
		b.WriteString("## What the figures show\n\n")
		for _, n := range notes {
			b.WriteString("- " + n + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString(method)
	r.rawSection(&b)
	return b.String()
}

func (r *results) rows() []row {
	var rows []row
	for _, v := range []struct{ name, label string }{
		{"BenchmarkPageVsSlowestSource/header_fastest", "header query 50 ms, panels 100/200/400 ms"},
		{"BenchmarkPageVsSlowestSource/header_slowest", "header query 400 ms, panels 50/100/200 ms"},
	} {
		what := "Customer page, time to last byte (p50), cache off, " + v.label
		s, ok1 := metric(r.page, v.name, "streamed-p50-ms")
		q, ok2 := metric(r.page, v.name, "sequential-p50-ms")
		slow, _ := metric(r.page, v.name, "slowest-ms")
		runs, _ := metric(r.page, v.name, "runs")
		if !ok1 || !ok2 || slow == 0 {
			rows = append(rows, row{what, "", notMeasured, "", "≤ 1.10 × slowest", "not measured"})
			continue
		}
		rows = append(rows,
			row{what + fmt.Sprintf(" (%.0f runs)", runs), fmt.Sprintf("slowest query %.0f ms", slow), fmt.Sprintf("%.1f ms", s),
				fmt.Sprintf("%.2f", s/slow), "≤ 1.10", verdict(s/slow <= 1.10)},
			row{"… sequential composer baseline, same runs", fmt.Sprintf("slowest query %.0f ms", slow), fmt.Sprintf("%.1f ms", q),
				fmt.Sprintf("%.2f", q/slow), "about 1.9 (expected)", "baseline"})
	}

	const ttfb = "BenchmarkTTFBOneSlowSource"
	if p99, ok := metric(r.ttfb, ttfb, "ttfb-p99-ms"); ok {
		p50, _ := metric(r.ttfb, ttfb, "ttfb-p50-ms")
		floor, _ := metric(r.ttfb, ttfb, "healthz-ttfb-p99-ms")
		n, _ := metric(r.ttfb, ttfb, "samples")
		rows = append(rows, row{fmt.Sprintf("Time to first byte (p99 of %.0f), Case query 2 s, 32 concurrent connections, cache off", n),
			fmt.Sprintf("/healthz p99 %.1f ms", floor), fmt.Sprintf("p99 %.1f ms (p50 %.1f ms)", p99, p50), "", "≤ 25 ms", verdict(p99 <= 25)})
		// The machine's floor at that moment: /healthz on the same
		// connections and session, in rounds alternating with the page's.
		ratio, ok := "", false
		if floor > 0 {
			ratio, ok = fmt.Sprintf("%.2f", p99/floor), p99/floor <= 2
		}
		rows = append(rows, row{"… the same p99 against /healthz's p99 in the same rounds", fmt.Sprintf("/healthz p99 %.1f ms", floor),
			fmt.Sprintf("p99 %.1f ms", p99), ratio, "≤ 2.00", verdict(ok)})
	} else {
		rows = append(rows, row{"Time to first byte, one source 2 s, 32 connections", "", notMeasured, "", "≤ 25 ms, ≤ 2 × /healthz p99", "not measured"})
	}

	what := "Warm-cache customer page vs /healthz, wrk -t2 -c32 -d10s"
	if h, p := r.wrkHealth.RequestsSec, r.wrkPage.RequestsSec; h > 0 && p > 0 {
		rows = append(rows, row{what, fmt.Sprintf("/healthz %.0f req/s", h), fmt.Sprintf("%.0f req/s", p),
			fmt.Sprintf("%.3f", p/h), "≥ 0.25", verdict(p/h >= 0.25)})
	} else {
		rows = append(rows, row{what, "", notMeasured, "", "≥ 0.25", "not measured"})
	}

	const calls = "BenchmarkUpstreamCallsConcurrentViews"
	var got []string
	exact := true
	for _, o := range []string{"Account", "Contacts", "Opportunity", "Case"} {
		v, ok := metric(r.calls, calls, "calls-"+o)
		if !ok {
			exact = false
			got = append(got, o+" ?")
			continue
		}
		exact = exact && v == 1
		got = append(got, fmt.Sprintf("%s %.0f", o, v))
	}
	tok, _ := metric(r.calls, calls, "calls-token")
	rows = append(rows, row{"Upstream queries for 200 concurrent views of one customer, cold cache", "",
		strings.Join(got, ", ") + fmt.Sprintf(" (token requests: %.0f)", tok), "", "exactly 1 per facet", verdict(exact)})

	if after, ok := kb(r.rss["RSS_AFTER_LOAD_KB"]); ok {
		idle, _ := kb(r.rss["RSS_IDLE_KB"])
		peak, _ := kb(r.rss["RSS_LOAD_MAX_KB"])
		rows = append(rows, row{fmt.Sprintf("Resident memory of `atrium serve` after %s sessions and %s s of wrk at 64 connections", r.env["SESSIONS"], r.meta["LOAD_SECONDS"]),
			fmt.Sprintf("idle, cache warm: %.1f MB", idle), fmt.Sprintf("%.1f MB (highest sample during the load %.1f MB)", after, peak), "", "≤ 150 MB", verdict(after <= 150 && peak <= 150)})
	} else {
		rows = append(rows, row{"Resident memory after 10,000 sessions and the load", "", notMeasured, "", "≤ 150 MB", "not measured"})
	}

	if kept, ok := metric(r.render, "BenchmarkRenderCustomerPage/handler", "allocs/op"); ok {
		if unkept, ok := metric(r.render, "BenchmarkRenderCustomerPage/handler_unkept", "allocs/op"); ok && unkept > 0 {
			kns, _ := metric(r.render, "BenchmarkRenderCustomerPage/handler", "ns/op")
			uns, _ := metric(r.render, "BenchmarkRenderCustomerPage/handler_unkept", "ns/op")
			rows = append(rows, row{"Warm page served in process with its panels kept, against every panel rendered again (handler, handler_unkept)",
				fmt.Sprintf("rendered again: %.0f allocs/op, %.0f µs/op", unkept, uns/1e3), fmt.Sprintf("%.0f allocs/op, %.0f µs/op", kept, kns/1e3),
				fmt.Sprintf("%.2f (time %.2f)", kept/unkept, kns/uns), "≤ 0.25", verdict(kept/unkept <= 0.25 && kns/uns <= 0.25)})
		}
	}
	for _, v := range []string{"components", "handler"} {
		name := "BenchmarkRenderCustomerPage/" + v
		allocs, ok := metric(r.render, name, "allocs/op")
		bytes, _ := metric(r.render, name, "B/op")
		if !ok {
			rows = append(rows, row{"Allocations per warm-cache page render (" + v + ")", "", notMeasured, "", "lower than before", "not measured"})
			continue
		}
		base, cmp := "no previous figure", "first figure"
		if pa, ok := metric(r.previous, name, "allocs/op"); ok {
			pb, _ := metric(r.previous, name, "B/op")
			base = fmt.Sprintf("previous report: %.0f allocs/op, %.0f B/op", pa, pb)
			cmp = compare(allocs, pa, 0) + " allocs, " + compare(bytes, pb, 0.001) + " bytes"
		}
		rows = append(rows, row{"Allocations per warm-cache page render (" + v + ")", base,
			fmt.Sprintf("%.0f allocs/op, %.0f B/op", allocs, bytes), "", "lower or same as before", cmp})
	}
	return rows
}

// compare says how now stands to before, beyond a relative tolerance: the
// allocation count of the same code is exact, its bytes vary by a few.
func compare(now, before, tolerance float64) string {
	switch {
	case before == 0:
		return "no previous"
	case now < before*(1-tolerance):
		return fmt.Sprintf("lower (%+.1f%%)", (now/before-1)*100)
	case now > before*(1+tolerance):
		return fmt.Sprintf("**higher** (%+.1f%%)", (now/before-1)*100)
	}
	return "same"
}

// kb parses a kB figure and returns it in MB.
func kb(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v == 0 {
		return 0, false
	}
	return v / 1024, true
}
