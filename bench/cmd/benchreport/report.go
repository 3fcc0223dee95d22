package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/atrium-dev/atrium/bench/internal/runfiles"
)

// notes explains the figures from the figures themselves.
func (r *results) notes() []string {
	var out []string
	for _, v := range []string{"header_fastest", "header_slowest"} {
		name := "BenchmarkPageVsSlowestSource/" + v
		s, ok := metric(r.page, name, "streamed-p50-ms")
		slow, _ := metric(r.page, name, "slowest-ms")
		then, _ := metric(r.page, name, "header-then-rest-ms")
		if !ok || slow == 0 || s/slow <= 1.10 {
			continue
		}
		if math.Abs(s-then) < math.Abs(s-slow) {
			n := fmt.Sprintf("Page latency (%s): the streamed page took %.0f ms, close to the header query "+
				"followed by the slowest panel query (%.0f ms) rather than the slowest query alone (%.0f ms): the composer "+
				"fetches the header facet before it starts the panels (`customer/stream.go`), so the header's latency "+
				"adds to the slowest panel's.", strings.ReplaceAll(v, "_", " "), s, then, slow)
			if v == "header_fastest" {
				n += fmt.Sprintf(" Even with the header query fastest, the ratio cannot go below %.0f / %.0f = %.3f.", then, slow, then/slow)
			}
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("Page latency (%s): the streamed page took %.0f ms for a slowest query of %.0f ms; "+
				"the rest is the portal's own work.", strings.ReplaceAll(v, "_", " "), s, slow))
		}
	}
	if p99, ok := metric(r.ttfb, "BenchmarkTTFBOneSlowSource", "ttfb-p99-ms"); ok && p99 > 25 {
		floor, _ := metric(r.ttfb, "BenchmarkTTFBOneSlowSource", "healthz-ttfb-p99-ms")
		last, _ := metric(r.ttfb, "BenchmarkTTFBOneSlowSource", "ttlb-p50-ms")
		out = append(out, fmt.Sprintf("Time to first byte: the slow query does not hold the shell back (the last byte came "+
			"at %.0f ms, the first at p99 %.1f ms), but before its first flush each of the 32 requests, arriving together, "+
			"reads its session from SQLite, fetches the header facet (coalesced, not delayed) and renders the shell, on 2 CPUs "+
			"shared with the in-process simulator and client. /healthz on the same connections, which reads the session "+
			"too, had a p99 of %.1f ms in the same rounds.", last, p99, floor))
	}
	if h, p := r.wrkHealth, r.wrkPage; h.RequestsSec > 0 && p.RequestsSec > 0 {
		allocs, _ := metric(r.render, "BenchmarkRenderCustomerPage/handler", "allocs/op")
		ns, _ := metric(r.render, "BenchmarkRenderCustomerPage/handler", "ns/op")
		n := fmt.Sprintf("Throughput: a customer page is %.0f bytes and /healthz %.0f bytes per response (as wrk read them); ",
			p.BytesPerRequest(), h.BytesPerRequest())
		if ns > 0 {
			n += fmt.Sprintf("one warm page takes %.2f ms and %.0f allocations to serve in process (the handler benchmark, "+
				"one request at a time), where /healthz writes a constant.", ns/1e6, allocs)
		}
		if parts := r.profileParts(); parts != "" {
			n += " Share of all samples of its CPU profile: " + parts + "."
		}
		out = append(out, n)
	}
	for _, w := range []struct {
		name string
		res  runfiles.Wrk
	}{{"/healthz", r.wrkHealth}, {"customer page", r.wrkPage}, {"memory load", r.wrkLoad}} {
		if w.res.SocketErrors != "" || w.res.Non2xx3xx > 0 {
			out = append(out, fmt.Sprintf("wrk (%s) reported errors: socket errors %q, %d responses with status 400 or above.",
				w.name, w.res.SocketErrors, w.res.Non2xx3xx))
		}
	}
	if l := r.wrkLoad; l.Requests > 0 {
		sessions, _ := strconv.Atoi(r.env["SESSIONS"])
		n := fmt.Sprintf("Memory load: %.0f requests (%.0f req/s, %.0f bytes each on average) over %s customer pages",
			l.Requests, l.RequestsSec, l.BytesPerRequest(), r.env["LOAD_PAGES"])
		if sessions > 0 && int(l.Requests) >= sessions {
			n += fmt.Sprintf(", each request with the next of the %d session cookies, so every session was read at least once", sessions)
		}
		out = append(out, n+".")
	}
	return out
}

// method says how the figures are taken; it describes bench/, not one run.
const method = `## How the figures are taken

- **Go benchmarks** (` + "`bench/*_test.go`" + `) run the portal in process, wired from the same configuration document
  as ` + "`atrium serve`" + ` (` + "`bench/portal.go`" + `), against the demo identity provider and the Salesforce simulator
  with the demo data, all on loopback. Latency is added by ` + "`internal/faultproxy`" + ` in front of the simulator, to the
  SOQL query of each facet (` + "`query:Account`" + `, ` + "`query:Contacts`" + `, ` + "`query:Opportunity`" + `, ` + "`query:Case`" + `),
  rather than by a wrapper around the adapter: the delay then sits where the network is, and the measured path keeps
  everything the portal does for real (the Salesforce adapter and its HTTP client and connection pool, the guard's
  coalescing and bulkhead, the simulator's answers). The proxy's call counters also give the upstream call counts.
- **Sequential baseline** (` + "`bench/sequential.go`" + `): the same guarded adapter's Fetch called for each facet one after
  another, then the same components rendered; served by the same portal and loaded alternately with the streamed page.
- **Time to first byte**: a Go client loop, one timer per request, first byte of the body (the flushed shell).
- **Throughput and memory**: ` + "`atrium serve`" + ` as its own process (` + "`bench/cmd/benchenv`" + `), cache on (10 min) and warmed,
  loaded by wrk from another process. The throughput cookie comes from a real sign-in through the identity provider.
  The memory measurement's sessions are stored directly in the portal's SQLite store with matching signed cookies
  (signing in 10,000 times would take minutes and leave the same rows and cookies); every cookie is checked against
  the portal before the load, and ` + "`bench/sessions.lua`" + ` gives each request the next cookie and the next of the demo
  org's ordinary customers (the two accounts built to span several query pages are left out). Resident memory is
  VmRSS of the portal process from /proc.
- **Allocations**: ` + "`go test -benchmem`" + `; the comparison is with the figures of the committed report.

`

func (r *results) rawSection(b *strings.Builder) {
	b.WriteString("## Raw output\n\n### Commands\n\nRun from the repository root; `$OUT` is the run's results folder.\n\n```sh\n")
	b.WriteString(r.commands + "\n```\n\n")
	for _, f := range []struct{ title, file string }{
		{"Page latency and sequential baseline", "go-page.txt"},
		{"Time to first byte", "go-ttfb.txt"},
		{"Upstream calls", "go-calls.txt"},
		{"Allocations per render", "go-render.txt"},
		{"wrk: /healthz", "wrk-healthz.txt"},
		{"wrk: customer page", "wrk-page.txt"},
		{"wrk: memory load", "wrk-sessions.txt"},
	} {
		fmt.Fprintf(b, "### %s\n\n```\n%s\n```\n\n", f.title, strings.TrimSpace(r.raw[f.file]))
	}
	b.WriteString("### Resident memory of the portal process\n\n| when | VmRSS |\n|---|---|\n")
	for _, k := range []struct{ key, label string }{
		{"RSS_IDLE_KB", "sessions stored, cache warm, before any load"},
		{"RSS_AFTER_THROUGHPUT_KB", "after the two 10 s wrk runs"},
		{"RSS_LOAD_MAX_KB", "highest sample during the memory load (every second)"},
		{"RSS_AFTER_LOAD_KB", "after the memory load"},
		{"HWM_KB", "VmHWM (peak since start) after the memory load"},
	} {
		fmt.Fprintf(b, "| %s | %s kB |\n", k.label, r.rss[k.key])
	}
	fmt.Fprintf(b, "\nSessions stored: %s in %s s; customer page used by the throughput run: `%s` (%s bytes of HTML).\n\n",
		r.env["SESSIONS"], r.env["MINT_SECONDS"], r.env["PAGE_PATH"], r.env["PAGE_BYTES"])
	if r.profile != "" {
		lines := strings.Split(r.profile, "\n")
		b.WriteString("### CPU profile of the handler benchmark\n\n<details><summary>go tool pprof -top -cum (first 45 lines)</summary>\n\n```\n")
		b.WriteString(strings.Join(lines[:min(len(lines), 45)], "\n") + "\n```\n\n</details>\n\n")
	}
	if r.hasPrevious {
		fmt.Fprintf(b, "Allocations compared with: %s.\n", r.previousSource)
	} else {
		b.WriteString("Allocations compared with: no previous report.\n")
	}
}

// profileParts gives the cumulative share of the handler's CPU profile spent
// in the parts of a page request, as far as the profile names them.
func (r *results) profileParts() string {
	cum := map[string]string{}
	for _, l := range strings.Split(r.profile, "\n") {
		f := strings.Fields(l)
		if len(f) >= 6 && strings.HasSuffix(f[4], "%") {
			cum[strings.Join(f[5:], " ")] = f[4]
		}
	}
	var parts []string
	for _, p := range []struct{ fn, label string }{
		{"github.com/labstack/echo/v4.(*Echo).ServeHTTP", "the whole request"},
		{"github.com/atrium-dev/atrium/auth.(*Manager).Current", "reading the session (cookie, SQLite)"},
		{"github.com/atrium-dev/atrium/customer.(*Composer).Stream", "composing (cache hits)"},
		{"github.com/atrium-dev/atrium/handlers.render", "presenting and rendering the components"},
		{"github.com/a-h/templ.CSSClasses.String", "of which class attributes (templ.KV)"},
		{"runtime.mallocgc", "allocating"},
		{"runtime.gcBgMarkWorker", "garbage collection"},
	} {
		if v, ok := cum[p.fn]; ok {
			parts = append(parts, p.label+" "+v)
		}
	}
	return strings.Join(parts, ", ")
}
